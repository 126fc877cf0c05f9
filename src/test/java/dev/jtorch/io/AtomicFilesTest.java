package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Torch;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails midway leaves the previous file intact and no temp file behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path f = dir.resolve("a.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        AtomicFiles.write(f, out -> {
            out.write(9);
            out.close(); // closing is allowed and only flushes
        });
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(f));
        assertEquals(List.of("a.bin"), listing());
    }

    @Test
    void anIOExceptionMidwayLeavesThePreviousFileAndNoTempFile() throws IOException {
        Path f = dir.resolve("model.pt");
        Files.writeString(f, "previous");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[1 << 20]); // more than the buffer: part of it reached the temp file
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertEquals("previous", Files.readString(f));
        assertEquals(List.of("model.pt"), listing());
    }

    @Test
    void aRuntimeExceptionMidwayLeavesThePreviousFileAndNoTempFile() throws IOException {
        Path f = dir.resolve("new.pt");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IllegalStateException("crash");
        }));
        assertTrue(!Files.exists(f), "no file appears when the first write fails");
        assertEquals(List.of(), listing());
    }

    @Test
    void aFailingCheckpointSaveKeepsThePreviousCheckpoint() throws IOException {
        Torch.init();
        long before = Torch.liveHandles();
        Path f = dir.resolve("checkpoint.pt");
        try (TensorScope s = TensorScope.open()) {
            new Checkpoint("tiny", 1, 0, Map.of("w", Tensor.ones(2)), null, null).save(f);
            byte[] first = Files.readAllBytes(f);
            Tensor closed = s.keep(Tensor.ones(2));
            closed.close();
            assertThrows(IllegalStateException.class,
                    () -> new Checkpoint("tiny", 2, 0, Map.of("w", closed), null, null).save(f));
            StateDicts.save(Map.of("w", Tensor.zeros(3)), dir.resolve("other.pt"));
            assertArrayEquals(first, Files.readAllBytes(f));
            assertEquals(1, Checkpoint.load(f).epoch());
        }
        assertEquals(List.of("checkpoint.pt", "other.pt"), listing());
        assertEquals(before, Torch.liveHandles());
    }

    @Test
    void aMissingFolderOrAFolderTargetIsAClearError() throws IOException {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> AtomicFiles.write(dir.resolve("no/such/dir/x.pt"), new byte[1]));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path sub = Files.createDirectory(dir.resolve("sub"));
        IOException f = assertThrows(IOException.class, () -> AtomicFiles.write(sub, new byte[1]));
        assertTrue(f.getMessage().contains("folder"), f.getMessage());
        assertEquals(List.of("sub"), listing());
    }
}

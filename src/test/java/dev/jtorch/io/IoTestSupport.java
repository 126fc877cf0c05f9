package dev.jtorch.io;

import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Shared helpers of the io tests. */
final class IoTestSupport {
    private IoTestSupport() {}

    /** The tutorial's SimpleNN (784 -> 128 -> 10), as the CLI's "mlp". */
    static final class SimpleNN extends Module {
        final Linear fc1 = register("fc1", new Linear(784, 128));
        final Linear fc2 = register("fc2", new Linear(128, 10));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x.view(-1, 784))));
        }
    }

    /** A small two-layer net (4 -> 5 -> 3) for training tests. */
    static final class Tiny extends Module {
        final Linear fc1 = register("fc1", new Linear(4, 5));
        final Linear fc2 = register("fc2", new Linear(5, 3));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x)));
        }
    }

    /** Copies a test resource of {@code src/test/resources/io} to {@code target}. */
    static Path resource(String name, Path target) throws IOException {
        try (InputStream in = IoTestSupport.class.getResourceAsStream("/io/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource io/" + name);
            }
            Files.copy(in, target);
        }
        return target;
    }

    /** Writes a zip with the given entries (name -> bytes), in order. */
    static Path zip(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return file;
    }
}

package dev.jtorch.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Tells what kind of model file a path holds from its content (magic bytes, zip entries and the
 * top-level object of the pickle, or a safetensors header), never from its name.
 *
 * <p>Nothing in the file is executed: pickles are inspected opcode by opcode (see
 * {@code PickleProbe}), so a malicious file is at worst {@link ModelKind#UNKNOWN}.
 */
public final class ModelFiles {
    /** Pickles larger than this are not inspected (a state dict's data.pkl is a few kB per tensor). */
    private static final long MAX_PICKLE_BYTES = dev.jtorch.internal.Pickle.MAX_BYTES;

    private ModelFiles() {}

    /**
     * The kind of model file {@code file} is.
     *
     * @throws NoSuchFileException if it does not exist
     * @throws AccessDeniedException if it cannot be read
     * @throws ModelFileException if it is a folder, a named pipe, a device or another non-regular file
     * @throws IOException if reading fails
     */
    public static ModelKind detect(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        requireRegularFile(file, "model file");
        if (!Files.isReadable(file)) {
            throw new AccessDeniedException(file.toString(), null, "model file is not readable");
        }
        byte[] head = head(file, 9);
        int n = head.length;
        if (!isZip(head)) {
            // safetensors: a plausible little-endian header length, then '{'. The length is not
            // checked against the file size here, so that a truncated file is reported as such by
            // SafeTensors.load rather than as an unknown format.
            if (n == 9 && head[8] == '{') {
                long len = java.nio.ByteBuffer.wrap(head, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                if (len >= 2 && len <= SafeTensors.MAX_HEADER_BYTES) {
                    return ModelKind.SAFETENSORS;
                }
            }
            return ModelKind.UNKNOWN; // includes the legacy torch.save format (a bare pickle stream)
        }
        try (ZipFile z = new ZipFile(file.toFile())) {
            return detectZip(z);
        } catch (ZipException e) {
            return ModelKind.UNKNOWN; // a zip header without a readable central directory
        } catch (IllegalArgumentException e) {
            return ModelKind.UNKNOWN; // ZipFile decodes entry names lazily: one that is not UTF-8
        }
    }

    /** The first {@code n} bytes of {@code file}, or all of it if shorter. */
    static byte[] head(Path file, int n) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        }
    }

    /**
     * Whether {@code head} starts with a zip's first local header: {@code ZipFile} would also find a
     * zip behind leading bytes, and detect, StateDicts.load and Checkpoint.load must agree.
     */
    static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /**
     * Refuses anything but a regular file (links followed) before it is opened: a named pipe or a
     * device would block the reader or stream without end, and a folder is never a model.
     *
     * @param what e.g. {@code "model file"}, for the message
     * @throws NoSuchFileException if nothing is at {@code file}
     * @throws ModelFileException naming the file if it is a folder, named pipe, device or socket
     */
    public static void requireRegularFile(Path file, String what) throws IOException {
        Objects.requireNonNull(file, "file");
        if (Files.isRegularFile(file)) {
            return;
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such " + what);
        }
        if (Files.isDirectory(file)) {
            throw new ModelFileException(file, "is a folder, not a " + what);
        }
        throw new ModelFileException(file, "is not a regular file (a named pipe, device or socket), not a " + what);
    }

    /**
     * The message for a TorchScript archive given where only data is allowed: it names the file,
     * says that TorchScript is code, and how a caller who trusts it can allow it.
     */
    public static ModelFileException codeRefused(Path file) {
        return new ModelFileException(file, "is a TorchScript archive, which is code (loading and running it executes"
                + " what it contains); refused because code was not allowed. If you trust this file as a program,"
                + " pass --trust-code (CLI), Trust.CODE (Java), or load it with ScriptModule.load(path)");
    }

    private static ModelKind detectZip(ZipFile z) throws IOException {
        ZipEntry json = z.getEntry(Checkpoint.JSON_ENTRY);
        if (json != null && !json.isDirectory()) {
            return isCheckpointJson(z, json) ? ModelKind.JTORCH_CHECKPOINT : ModelKind.UNKNOWN;
        }
        // torch.save and torch.jit.save put everything under one top-level folder, named after the
        // file (PyTorch 1.x) or "archive": look for its data.pkl / constants.pkl / code/, in one
        // pass (a zip of many entries under many folders must not cost entries x folders)
        Set<String> prefixes = new HashSet<>();
        Set<String> withCode = new HashSet<>();
        Set<String> withConstants = new HashSet<>();
        for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
            String name = en.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash > 0) {
                String p = name.substring(0, slash + 1);
                prefixes.add(p);
                String rest = name.substring(slash + 1);
                if (rest.startsWith("code/")) {
                    withCode.add(p);
                } else if (rest.equals("constants.pkl")) {
                    withConstants.add(p);
                }
            }
        }
        for (String p : withCode) {
            if (withConstants.contains(p)) {
                return ModelKind.TORCHSCRIPT;
            }
        }
        for (String p : prefixes) {
            ZipEntry pkl = z.getEntry(p + "data.pkl");
            if (pkl == null) {
                continue;
            }
            // torch.load reads the one archive folder; a zip with many data.pkl is not a state
            // dict, and probing each would multiply the work
            if (pkl.getSize() > MAX_PICKLE_BYTES) {
                return ModelKind.UNKNOWN;
            }
            byte[] bytes;
            try (InputStream in = z.getInputStream(pkl)) {
                bytes = in.readNBytes((int) MAX_PICKLE_BYTES + 1);
            }
            return bytes.length <= MAX_PICKLE_BYTES && PickleProbe.isTensorDict(bytes)
                    ? ModelKind.STATE_DICT : ModelKind.UNKNOWN;
        }
        return ModelKind.UNKNOWN;
    }

    private static boolean isCheckpointJson(ZipFile z, ZipEntry json) {
        try (InputStream in = z.getInputStream(json)) {
            JsonNode root = MetadataJson.READER.readTree(in.readNBytes(MetadataJson.MAX_BYTES));
            return root != null && Checkpoint.FORMAT.equals(root.path("format").asText(null));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}

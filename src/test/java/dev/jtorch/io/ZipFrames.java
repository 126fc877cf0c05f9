package dev.jtorch.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The framed inputs of the structured zip targets: byte-level mutation of a zip mostly breaks its
 * CRCs and central directory, so these targets fuzz the bytes INSIDE a zip that is always well
 * formed, which is what gets the pickle interpreters (jtorch's and libtorch's) fuzzed.
 *
 * <p>An archive frame is: one flags byte (bit 0: add a {@code byteorder} entry saying "big";
 * bit 1: deflate the entries instead of storing them), a big-endian u16 length and that many
 * bytes of {@code data.pkl}, then any number of (u16 length, bytes) storages, which become
 * {@code data/0}, {@code data/1}, ... A length beyond the input takes what is left: every byte
 * string decodes to some archive.
 */
final class ZipFrames {
    private ZipFrames() {}

    /** A torch.save archive: the pickle and the storages data/0, data/1, ... */
    record Archive(int flags, byte[] pickle, List<byte[]> storages) {}

    /** A jtorch checkpoint: checkpoint.json, optimizer.bin (absent when empty) and model.pt. */
    record CheckpointParts(byte[] json, byte[] optimizer, Archive model) {}

    /** Reads frames from the front of an input; never fails. */
    static final class Reader {
        private final byte[] in;
        private int at;

        Reader(byte[] in) {
            this.in = in;
        }

        int u8() {
            return at < in.length ? in[at++] & 0xff : 0;
        }

        byte[] bytes(int n) {
            int k = Math.max(0, Math.min(n, in.length - at));
            byte[] b = java.util.Arrays.copyOfRange(in, at, at + k);
            at += k;
            return b;
        }

        byte[] u16Bytes() {
            return bytes(u8() << 8 | u8());
        }

        byte[] u32Bytes() {
            long n = (long) u8() << 24 | u8() << 16 | u8() << 8 | u8();
            return bytes((int) Math.min(n, Integer.MAX_VALUE));
        }

        boolean more() {
            return at < in.length;
        }

        Archive archive() {
            int flags = u8();
            byte[] pickle = u16Bytes();
            List<byte[]> storages = new ArrayList<>();
            while (more()) {
                storages.add(u16Bytes());
            }
            return new Archive(flags, pickle, storages);
        }
    }

    static Archive archive(byte[] input) {
        return new Reader(input).archive();
    }

    static CheckpointParts checkpoint(byte[] input) {
        Reader r = new Reader(input);
        byte[] json = r.u16Bytes();
        byte[] optimizer = r.u32Bytes();
        return new CheckpointParts(json, optimizer, r.archive());
    }

    // ---------------------------------------------------------------- encoding (the seeds)

    static byte[] encode(Archive a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(a.flags());
        u16(out, a.pickle());
        a.storages().forEach(s -> u16(out, s));
        return out.toByteArray();
    }

    static byte[] encode(CheckpointParts c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, c.json());
        out.writeBytes(ByteBuffer.allocate(4).putInt(c.optimizer().length).array());
        out.writeBytes(c.optimizer());
        out.writeBytes(encode(c.model()));
        return out.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, byte[] b) {
        if (b.length > 0xffff) {
            throw new IllegalArgumentException("frame of " + b.length + " bytes is over 64 KiB");
        }
        out.write(b.length >> 8);
        out.write(b.length & 0xff);
        out.writeBytes(b);
    }

    /** The archive of a torch.save zip (its first {@code <prefix>/data.pkl} and data/0..n). */
    static Archive fromZip(java.nio.file.Path file) throws IOException {
        try (ZipFile z = new ZipFile(file.toFile())) {
            String prefix = null;
            for (var en = z.entries(); en.hasMoreElements(); ) {
                String n = en.nextElement().getName();
                if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) {
                    prefix = n.substring(0, n.length() - "data.pkl".length());
                    break;
                }
            }
            if (prefix == null) {
                throw new IOException(file + " has no <archive>/data.pkl");
            }
            byte[] pickle = z.getInputStream(z.getEntry(prefix + "data.pkl")).readAllBytes();
            List<byte[]> storages = new ArrayList<>();
            for (int i = 0; z.getEntry(prefix + "data/" + i) != null; i++) {
                storages.add(z.getInputStream(z.getEntry(prefix + "data/" + i)).readAllBytes());
            }
            ZipEntry bo = z.getEntry(prefix + "byteorder");
            boolean big = bo != null && new String(z.getInputStream(bo).readAllBytes()).trim().equals("big");
            return new Archive(big ? 1 : 0, pickle, storages);
        }
    }

    // ---------------------------------------------------------------- the zips the targets read

    /** The zip of {@code a} with its entries under {@code prefix} (e.g. {@code "archive/"}). */
    static byte[] zip(Archive a, String prefix) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean deflate = (a.flags() & 2) != 0;
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            put(z, prefix + "data.pkl", a.pickle(), deflate);
            if ((a.flags() & 1) != 0) {
                put(z, prefix + "byteorder", "big".getBytes(java.nio.charset.StandardCharsets.US_ASCII), deflate);
            }
            for (int i = 0; i < a.storages().size(); i++) {
                put(z, prefix + "data/" + i, a.storages().get(i), deflate);
            }
            put(z, prefix + "version", "3\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), deflate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The checkpoint zip of {@code c}: model.pt is {@link #zip} of its archive under "archive/". */
    static byte[] zip(CheckpointParts c) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            put(z, Checkpoint.JSON_ENTRY, c.json(), true);
            put(z, Checkpoint.MODEL_ENTRY, zip(c.model(), "archive/"), false);
            if (c.optimizer().length > 0) {
                put(z, Checkpoint.OPTIMIZER_ENTRY, c.optimizer(), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream z, String name, byte[] data, boolean deflate) throws IOException {
        ZipEntry e = new ZipEntry(name);
        if (!deflate) {
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setCrc(crc.getValue());
        }
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }
}

package dev.jtorch.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads a whole data file into memory, gunzipping it when its content is gzip, and names every failure. */
final class DataFiles {
    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;

    private DataFiles() {}

    /**
     * The file's bytes, decompressed if it starts with the gzip magic (whatever its name: content, not
     * the extension, decides). Every gzip member is read to the end of the file, so
     * {@link GZIPInputStream} checks each trailer's CRC-32 and length.
     *
     * @throws DataException naming the file: missing, unreadable, gzip cut short, corrupt deflate
     *     data, or a trailer that does not match the data
     */
    static byte[] read(Path file) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file, "missing file", e);
        } catch (AccessDeniedException e) {
            throw new DataException(file, "cannot read: permission denied", e);
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw new DataException(file, "is a folder, expected a data file", e);
            }
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new DataException(file, "too large to read into memory", e);
        }
        if (raw.length >= 2 && (raw[0] & 0xFF) == GZIP_MAGIC_0 && (raw[1] & 0xFF) == GZIP_MAGIC_1) {
            return gunzip(file, raw);
        }
        return raw;
    }

    private static byte[] gunzip(Path file, byte[] raw) {
        byte[] out = new byte[initialCapacity(raw)];
        int n = 0;
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 1 << 16)) {
            while (true) {
                if (n == out.length) {
                    int b = in.read(); // full: probe for EOF before growing, so an exact guess costs no copy
                    if (b < 0) {
                        break;
                    }
                    out = Arrays.copyOf(out, grow(out.length, file));
                    out[n++] = (byte) b;
                }
                int r = in.read(out, n, out.length - n);
                if (r < 0) {
                    break; // end of the last member: its trailer has been checked
                }
                n += r;
            }
        } catch (EOFException e) {
            throw new DataException(file, "gzip data cut short after " + n
                    + " decompressed bytes (the file ends inside the compressed stream; truncated download?)", e);
        } catch (ZipException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("Corrupt GZIP trailer")) {
                throw new DataException(file, "gzip CRC-32/length check failed: the trailer does not match the"
                        + " decompressed data (corrupt file)", e);
            }
            if (m.contains("GZIP header") || m.contains("Not in GZIP format")) {
                throw new DataException(file, "corrupt gzip header (" + m + ")", e);
            }
            throw new DataException(file, "corrupt deflate data after " + n + " decompressed bytes (" + m + ")", e);
        } catch (IOException e) {
            throw new DataException(file, "cannot decompress gzip data: " + e.getMessage(), e);
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /**
     * A first guess of the decompressed size: the last member's ISIZE (length mod 2^32) is exact for
     * single-member files, but in a truncated or corrupt file those 4 bytes are arbitrary, so the
     * guess is capped at 8x the compressed size (IDX files compress about 2:1); beyond it the
     * buffer grows.
     */
    private static int initialCapacity(byte[] raw) {
        long cap = Math.max(1 << 16, Math.min(8L * raw.length, Integer.MAX_VALUE - 64));
        if (raw.length >= 18) {
            int p = raw.length - 4;
            long isize = (raw[p] & 0xFFL) | (raw[p + 1] & 0xFFL) << 8 | (raw[p + 2] & 0xFFL) << 16
                    | (raw[p + 3] & 0xFFL) << 24;
            if (isize > 0) {
                return (int) Math.min(isize, cap);
            }
        }
        return (int) cap;
    }

    private static int grow(int length, Path file) {
        long next = Math.max(1 << 16, length + (long) (length >> 1));
        if (length >= Integer.MAX_VALUE - 64) {
            throw new DataException(file, "decompresses to more than 2 GiB, too large for one data file");
        }
        return (int) Math.min(next, Integer.MAX_VALUE - 64);
    }

    /** A big-endian int at {@code offset}. */
    static int bigEndianInt(byte[] b, int offset) {
        return (b[offset] & 0xFF) << 24 | (b[offset + 1] & 0xFF) << 16 | (b[offset + 2] & 0xFF) << 8
                | (b[offset + 3] & 0xFF);
    }
}

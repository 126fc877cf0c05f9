package dev.jtorch.serve.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link RequestParser}: bodies parsed as streams within a byte budget, never held whole. */
class RequestParserTest {
    private static final long LIMIT = 8L << 20;
    private final RequestParser parser = new RequestParser(1, 28, 28, LIMIT, 1024, 1L << 26);

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** An endless body: {@code head}, then {@code unit} forever; counts what was read. */
    private static final class Endless extends InputStream {
        private final byte[] head;
        private final byte[] unit;
        long read;

        Endless(String head, String unit) {
            this.head = head.getBytes(StandardCharsets.US_ASCII);
            this.unit = unit.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public int read() {
            byte b = read < head.length ? head[(int) read] : unit[(int) ((read - head.length) % unit.length)];
            read++;
            return b & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                b[off + i] = (byte) read();
            }
            return len;
        }
    }

    private static String batchJson(int images) {
        StringBuilder sb = new StringBuilder("{\"pixels\": [");
        for (int i = 0; i < images; i++) {
            sb.append(i == 0 ? "[" : ",[");
            for (int j = 0; j < 784; j++) {
                sb.append(j == 0 ? "" : ",").append((i * 784 + j) % 256 / 255.0);
            }
            sb.append(']');
        }
        return sb.append("]}").toString();
    }

    @Test
    void aJsonBatchIsReadIntoFloatsWithoutATreeOrACopyOfTheBody() throws IOException {
        byte[] body = batchJson(256).getBytes(StandardCharsets.US_ASCII);
        parser.parse(new ByteArrayInputStream(body), "application/json", null); // warm-up: classes, JIT
        long before = allocatedBytes();
        RequestParser.Parsed p = parser.parse(new ByteArrayInputStream(body), "application/json", null);
        long spent = allocatedBytes() - before;
        assertTrue(p.batch());
        assertEquals(256, p.images().size());
        assertEquals((255 * 784 + 5) % 256 / 255f, p.images().get(255)[5]);
        long floats = 256L * 784 * 4;
        // a JsonNode tree of these 200,704 numbers takes ~10 MB, the body alone ~4 MB
        assertTrue(spent < floats + (1 << 20), "parsing a " + body.length + "-byte body allocated " + spent
                + " bytes for " + floats + " bytes of pixels");
    }

    @Test
    void anEndlessBodyIs413AfterTheBudgetAndHoldsNothing() {
        for (String[] shape : new String[][] {{"{\"pixels\": [", "0,"}, {"{\"pixels\": [[", "0,"},
            {"{\"x\": ", "                "}, {"\u0089PNG", "\0"}}) {
            Endless body = new Endless(shape[0], shape[1]);
            String type = shape[0].startsWith("{") ? "application/json" : "image/png";
            long before = allocatedBytes();
            HttpError e = assertThrows(HttpError.class, () -> parser.parse(body, type, null));
            long spent = allocatedBytes() - before;
            assertEquals(413, e.status(), e.getMessage());
            assertEquals(LIMIT + 1, body.read, "read past the budget");
            if (type.equals("application/json")) {
                // the values past one image's 784 are counted, not stored
                assertTrue(spent < (1 << 20), shape[0] + ": refusing allocated " + spent + " bytes");
            }
        }
    }

    @Test
    void aDeclaredOversizeIsRefusedUnread() {
        Endless body = new Endless("{", " ");
        HttpError e = assertThrows(HttpError.class,
                () -> parser.parse(body, "application/json", Long.toString(LIMIT + 1)));
        assertEquals(413, e.status());
        assertEquals(0, body.read);
    }

    @Test
    void aBatchOverTheImageLimitIsRefusedBeforeItsPixels() {
        RequestParser small = new RequestParser(1, 2, 2, LIMIT, 3, 100);
        String json = "{\"pixels\": [[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0]]}";
        HttpError e = assertThrows(HttpError.class, () -> small.parse(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.US_ASCII)), "application/json", null));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("more than 3 images"), e.getMessage());
    }

    @Test
    void sniffingSkipsLeadingSpaceAndKeepsTheFirstByte() throws IOException {
        RequestParser small = new RequestParser(1, 1, 2, LIMIT, 3, 100);
        RequestParser.Parsed p = small.parse(new ByteArrayInputStream(
                "\n   {\"pixels\": [0.25, 1]}  ".getBytes(StandardCharsets.US_ASCII)), null, null);
        assertArrayEquals(new float[] {0.25f, 1f}, p.images().get(0));
    }
}

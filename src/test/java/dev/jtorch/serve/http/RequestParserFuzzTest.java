package dev.jtorch.serve.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtorch.FuzzSupport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes the request body parser of {@code jtorch serve} (docs/fuzzing.md). The first byte picks
 * the Content-Type, the second whether a Content-Length is sent and whether it tells the truth; the
 * rest is the body. Contract: a parse returns between 1 and {@code maxImages} images of exactly the
 * model's input size, or throws {@link HttpError} with 400, 413 or 415; nothing else escapes.
 */
class RequestParserFuzzTest {
    private static final String[] TYPES = {"application/json", "image/png", "image/jpeg", "",
        "application/octet-stream", "application/json; charset=utf-8", "text/plain"};
    private static final int MAX_IMAGES = 8;
    private static final RequestParser PARSER = new RequestParser(1, 28, 28, 64 << 10, MAX_IMAGES, 1 << 16);

    @FuzzTest(maxDuration = "60s")
    void parse(byte[] data) {
        if (FuzzSupport.tooLarge(data) || data.length < 2) {
            return;
        }
        String type = TYPES[(data[0] & 0xff) % TYPES.length];
        byte[] body = Arrays.copyOfRange(data, 2, data.length);
        String length = switch ((data[1] & 0xff) % 4) {
            case 0 -> null;                                   // chunked
            case 1 -> Integer.toString(body.length);          // the truth
            case 2 -> Integer.toString(body.length * 1000);   // a lie
            default -> new String(body, 0, Math.min(body.length, 12), StandardCharsets.ISO_8859_1);
        };
        try {
            RequestParser.Parsed p = PARSER.parse(new ByteArrayInputStream(body), type.isEmpty() ? null : type, length);
            assertTrue(!p.images().isEmpty() && p.images().size() <= MAX_IMAGES, "images: " + p.images().size());
            for (float[] img : p.images()) {
                assertEquals(PARSER.inputSize(), img.length);
            }
        } catch (HttpError e) {
            assertTrue(e.status() == 400 || e.status() == 413 || e.status() == 415, e.status() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new AssertionError("a body in memory cannot fail to read: " + e, e);
        }
    }
}

package dev.jtorch.serve.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.jtorch.data.DataException;
import dev.jtorch.data.ImageFiles;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a {@code POST /predict} body into model inputs: a PNG/JPEG image (scaled /255, colour to
 * luminance for one-channel models) or JSON {@code {"pixels": [...]}} / {@code {"pixels": [[...], ...]}}.
 * Every refusal is an {@link HttpError} naming the problem.
 *
 * <p><b>Bounded reading.</b> The body is read through a counting stream that fails as soon as more
 * than {@code maxBodyBytes} have arrived (413), whatever Content-Length said. JSON is parsed as a
 * token stream straight into one {@code float[]} per image: no tree, no copy of the body, and a
 * pixel array longer than the model's input is counted, not stored. Jackson's
 * {@link StreamReadConstraints} bound nesting, number and string lengths, so hostile JSON costs at
 * most linear time in its size. An image body is read into one array (at most the limit) and its
 * declared size is checked before decoding ({@link ImageFiles}).
 *
 * @param channels the model's input channels
 * @param height the model's input height
 * @param width the model's input width
 * @param maxBodyBytes the largest body read
 * @param maxImages the most images one JSON batch may hold
 * @param maxPixels the most pixels an image body may declare in its header
 */
record RequestParser(int channels, int height, int width, long maxBodyBytes, int maxImages, long maxPixels) {
    /** The deepest JSON accepted: the batch form needs 3 levels; extra keys' values get a little room. */
    static final int MAX_JSON_DEPTH = 8;
    /** The longest JSON number accepted, in characters (a double needs at most 24). */
    static final int MAX_NUMBER_LENGTH = 64;
    /** The longest JSON string or key accepted, in characters: a body's strings are keys or ignored. */
    static final int MAX_STRING_LENGTH = 4096;

    /** The most bytes of a refused body read and thrown away so that the client sees the 413. */
    static final long DISCARD_LIMIT = 64L << 20;

    /** The decoded body: the images and whether the client sent a batch (answer with an array). */
    record Parsed(List<float[]> images, boolean batch) {}

    /** One factory for every parser: it is thread-safe, and without canonical names it keeps no state. */
    private static final JsonFactory JSON = jsonFactory(MAX_JSON_DEPTH);

    /** The JSON factory for request bodies a client controls, nesting at most {@code maxDepth}. */
    static JsonFactory jsonFactory(int maxDepth) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .maxNameLength(MAX_STRING_LENGTH)
                        .build())
                // a shared symbol table would grow with every new key a client invents
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                // the JDK's Double.parseDouble allocates ~300 bytes per 17-digit number; this parser little
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .build();
    }

    /**
     * Refuses a declared Content-Length over {@code maxBodyBytes} (413) or one that is no number
     * (400) before any of the body is read; null (chunked) passes.
     */
    static void checkContentLength(String contentLength, long maxBodyBytes) {
        if (contentLength == null) {
            return;
        }
        long declared;
        try {
            declared = Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, "Content-Length is not a number: '" + clip(contentLength) + "'");
        }
        if (declared > maxBodyBytes) {
            throw new HttpError(413, "body of " + declared + " bytes is over the limit of " + maxBodyBytes + " bytes");
        }
    }

    int inputSize() {
        return channels * height * width;
    }

    /**
     * Reads and decodes a body; {@code contentType} may be null (then the first bytes decide).
     *
     * @param contentLength the Content-Length header, or null (chunked)
     * @throws HttpError 413 if the body (declared or read) is over the limit, 415 for an unsupported
     *     type, 400 for anything malformed; the rest of the body is left unread
     * @throws IOException if reading fails: the client went away, or its body deadline closed the
     *     connection
     */
    Parsed parse(InputStream body, String contentType, String contentLength) throws IOException {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        checkContentLength(contentLength, maxBodyBytes);
        Bounded bounded = new Bounded(body, maxBodyBytes);
        try {
            return parse(new PushbackInputStream(bounded, 4), type);
        } catch (IOException e) {
            if (bounded.over) {
                throw new HttpError(413, "body is over the limit of " + maxBodyBytes + " bytes");
            }
            throw e;
        }
    }

    private Parsed parse(PushbackInputStream in, String type) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length == 0) {
            throw new HttpError(400, "empty body: send a PNG/JPEG image or JSON {\"pixels\": [...]}");
        }
        in.unread(head);
        switch (type) {
            case "image/png", "image/jpeg", "image/jpg":
                return new Parsed(List.of(image(in.readAllBytes())), false);
            case "application/json":
                return json(in);
            case "", "application/octet-stream":
                if (isPng(head) || isJpeg(head)) {
                    return new Parsed(List.of(image(in.readAllBytes())), false);
                }
                if (firstNonSpace(in) == '{') {
                    return json(in);
                }
                throw new HttpError(400, "body is neither a PNG/JPEG image nor a JSON object");
            default:
                throw new HttpError(415, "unsupported Content-Type '" + clip(type)
                        + "' (expected image/png, image/jpeg or application/json)");
        }
    }

    private float[] image(byte[] body) {
        byte[] px;
        try {
            px = channels == 1 ? ImageFiles.readGray(body, "request body", height, width, maxPixels)
                    : ImageFiles.readRgb(body, "request body", height, width, maxPixels);
        } catch (DataException e) {
            throw new HttpError(400, e.getMessage());
        }
        float[] out = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            out[i] = (px[i] & 0xff) / 255f;
        }
        return out;
    }

    // ------------------------------------------------------------------ JSON

    private Parsed json(InputStream in) throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new HttpError(400, "JSON body must be an object {\"pixels\": [...]}");
            }
            Parsed out = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("pixels")) {
                    if (out != null) {
                        throw new HttpError(400, "JSON body has the key \"pixels\" twice");
                    }
                    out = pixels(p);
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new HttpError(400, "body is not valid JSON: unexpected end of input");
            }
            if (p.nextToken() != null) {
                throw new HttpError(400, "body is not valid JSON: data after the closing '}'");
            }
            if (out == null) {
                throw new HttpError(400, "JSON body has no \"pixels\" key");
            }
            return out;
        } catch (JsonProcessingException e) {
            // includes StreamConstraintsException (too deep, too long a number or string)
            throw new HttpError(400, "body is not valid JSON: " + clip(e.getOriginalMessage()));
        } catch (java.io.CharConversionException e) {
            // Jackson guesses UTF-16/32 from the first bytes; a body it cannot decode is the client's
            // error, not a failed read (found by RequestParserFuzzTest)
            throw new HttpError(400, "body is not valid JSON text (JSON is UTF-8): " + clip(e.getMessage()));
        }
    }

    /** The value of "pixels", the parser at its first token. */
    private Parsed pixels(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new HttpError(400, "\"pixels\" must be an array of " + inputSize()
                    + " numbers or an array of such arrays");
        }
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_ARRAY) {
            return new Parsed(List.of(vector(p, first, "pixels")), false);
        }
        List<float[]> images = new ArrayList<>();
        for (JsonToken t = first; t != JsonToken.END_ARRAY; t = p.nextToken()) {
            String name = "pixels[" + images.size() + "]";
            if (t == null) {
                throw new HttpError(400, "body is not valid JSON: unexpected end of input in \"pixels\"");
            }
            if (t != JsonToken.START_ARRAY) {
                throw new HttpError(400, name + " must be an array of " + inputSize() + " numbers");
            }
            if (images.size() == maxImages) {
                // refused before its pixels are read: a batch never holds more than the limit in memory
                throw new HttpError(400, "batch of more than " + maxImages + " images is over the limit of "
                        + maxImages);
            }
            images.add(vector(p, p.nextToken(), name));
        }
        return new Parsed(images, true);
    }

    /**
     * One image's numbers, the parser at {@code first}, the token after the array's '['. Values
     * past the model's input size are counted (to name the count) but not stored.
     */
    private float[] vector(JsonParser p, JsonToken first, String name) throws IOException {
        int size = inputSize();
        float[] out = new float[size];
        long n = 0;
        for (JsonToken t = first; t != JsonToken.END_ARRAY; t = p.nextToken(), n++) {
            if (t == null) {
                throw new HttpError(400, "body is not valid JSON: unexpected end of input in " + name);
            }
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new HttpError(400, name + "[" + n + "] is not a number: " + describe(p, t));
            }
            if (n < size) {
                // Jackson reads NaN/Infinity only as strings (refused above); 1e999 parses to Infinity
                double d = p.getDoubleValue();
                if (!Double.isFinite(d)) {
                    throw new HttpError(400, name + "[" + n + "] is not finite: " + p.getText());
                }
                if (d < 0 || d > 1) {
                    throw new HttpError(400, name + "[" + n + "] = " + p.getText()
                            + " is outside [0, 1] (scale pixels by 1/255)");
                }
                out[(int) n] = (float) d;
            }
        }
        if (n != size) {
            throw new HttpError(400, name + " has " + n + " values, expected " + size + " (" + channels + "x" + height
                    + "x" + width + ")");
        }
        return out;
    }

    private static String describe(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "\"" + clip(p.getText()) + "\"";
            default -> clip(p.getText());
        };
    }

    // ------------------------------------------------------------------ bytes

    /** The body stream, failing once more than {@code limit} bytes have been read. */
    static final class Bounded extends FilterInputStream {
        private final long limit;
        private long count;
        boolean over;

        Bounded(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            // ask for one byte past the limit at most: its arrival is what proves the body too long
            int n = super.read(b, off, (int) Math.min(len, limit + 1 - count));
            if (n > 0) {
                count += n;
                if (count > limit) {
                    over = true;
                    throw new IOException("body over " + limit + " bytes");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // through read, so that skipped bytes count too
            byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            return Math.max(0, read(buf, 0, buf.length));
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /**
     * Reads and drops the rest of a refused body (in small chunks, never holding it), up to
     * {@link #DISCARD_LIMIT}: closing a socket with unread data resets the connection, and the client
     * could get a reset instead of its 413 or 400. Beyond the limit the connection is closed anyway.
     * The caller's deadline bounds how long this may take.
     */
    static void discard(InputStream in) {
        byte[] sink = new byte[8192];
        long total = 0;
        try {
            int n;
            while (total < DISCARD_LIMIT && (n = in.read(sink)) > 0) {
                total += n;
            }
        } catch (IOException e) {
            // the client gave up; the 413 goes nowhere, which is fine
        }
    }

    /** The first byte that is not white space, left unread; whitespace before it is consumed. */
    private static int firstNonSpace(PushbackInputStream in) throws IOException {
        int b;
        while ((b = in.read()) >= 0 && Character.isWhitespace(b)) {
            // skip
        }
        if (b >= 0) {
            in.unread(b);
        }
        return b;
    }

    /** A client-supplied text shortened for an error message. */
    static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    static boolean isPng(byte[] b) {
        return b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    static boolean isJpeg(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8;
    }
}

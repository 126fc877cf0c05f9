package dev.jtorch.serve.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.data.DataException;
import dev.jtorch.data.ImageFiles;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a {@code POST /predict} body into model inputs: a PNG/JPEG image (scaled /255, colour to
 * luminance for one-channel models) or JSON {@code {"pixels": [...]}} / {@code {"pixels": [[...], ...]}}.
 * Every refusal is an {@link HttpError} naming the problem.
 */
final class RequestParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The decoded body: the images and whether the client sent a batch (answer with an array). */
    record Parsed(List<float[]> images, boolean batch) {}

    private final int channels;
    private final int height;
    private final int width;
    private final long maxBodyBytes;
    private final int maxImages;

    RequestParser(int channels, int height, int width, long maxBodyBytes, int maxImages) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.maxBodyBytes = maxBodyBytes;
        this.maxImages = maxImages;
    }

    int inputSize() {
        return channels * height * width;
    }

    /**
     * Reads at most {@code maxBodyBytes + 1} bytes, so an oversized body is refused (413) without
     * ever holding more than the limit; a declared Content-Length over the limit is refused unread.
     */
    byte[] readBody(InputStream in, String contentLength) throws IOException {
        if (contentLength != null) {
            long declared;
            try {
                declared = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "Content-Length is not a number: '" + contentLength + "'");
            }
            if (declared > maxBodyBytes) {
                discard(in);
                throw new HttpError(413, "body of " + declared + " bytes is over the limit of " + maxBodyBytes + " bytes");
            }
        }
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
        if (body.length > maxBodyBytes) {
            discard(in);
            throw new HttpError(413, "body is over the limit of " + maxBodyBytes + " bytes");
        }
        return body;
    }

    /** The most bytes of a refused body read and thrown away so that the client sees the 413. */
    static final long DISCARD_LIMIT = 64L << 20;

    /**
     * Reads and drops the rest of a refused body (in small chunks, never holding it), up to
     * {@link #DISCARD_LIMIT}: closing a socket with unread data resets the connection, and the client
     * would get a reset instead of the 413. Beyond the limit the connection is closed anyway.
     */
    private static void discard(InputStream in) {
        byte[] sink = new byte[64 << 10];
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

    /** The images of a body; {@code contentType} may be null (then the bytes decide). */
    Parsed parse(byte[] body, String contentType) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (body.length == 0) {
            throw new HttpError(400, "empty body: send a PNG/JPEG image or JSON {\"pixels\": [...]}");
        }
        boolean image = isPng(body) || isJpeg(body);
        switch (type) {
            case "image/png", "image/jpeg", "image/jpg":
                return new Parsed(List.of(image(body)), false);
            case "application/json":
                return json(body);
            case "", "application/octet-stream":
                if (image) {
                    return new Parsed(List.of(image(body)), false);
                }
                if (firstNonSpace(body) == '{') {
                    return json(body);
                }
                throw new HttpError(400, "body is neither a PNG/JPEG image nor a JSON object");
            default:
                throw new HttpError(415, "unsupported Content-Type '" + type
                        + "' (expected image/png, image/jpeg or application/json)");
        }
    }

    private float[] image(byte[] body) {
        byte[] px;
        try {
            px = channels == 1 ? ImageFiles.readGray(body, "request body", height, width)
                    : ImageFiles.readRgb(body, "request body", height, width);
        } catch (DataException e) {
            throw new HttpError(400, e.getMessage());
        }
        float[] out = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            out[i] = (px[i] & 0xff) / 255f;
        }
        return out;
    }

    private Parsed json(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonParseException e) {
            throw new HttpError(400, "body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new HttpError(400, "body is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new HttpError(400, "JSON body must be an object {\"pixels\": [...]}");
        }
        JsonNode pixels = root.get("pixels");
        if (pixels == null) {
            throw new HttpError(400, "JSON body has no \"pixels\" key");
        }
        if (!pixels.isArray()) {
            throw new HttpError(400, "\"pixels\" must be an array of " + inputSize() + " numbers or an array of such arrays");
        }
        if (pixels.size() > 0 && pixels.get(0).isArray()) {
            if (pixels.size() > maxImages) {
                throw new HttpError(400, "batch of " + pixels.size() + " images is over the limit of " + maxImages);
            }
            List<float[]> out = new ArrayList<>(pixels.size());
            for (int i = 0; i < pixels.size(); i++) {
                out.add(vector(pixels.get(i), "pixels[" + i + "]"));
            }
            return new Parsed(out, true);
        }
        return new Parsed(List.of(vector(pixels, "pixels")), false);
    }

    private float[] vector(JsonNode a, String name) {
        if (!a.isArray()) {
            throw new HttpError(400, name + " must be an array of " + inputSize() + " numbers");
        }
        if (a.size() != inputSize()) {
            throw new HttpError(400, name + " has " + a.size() + " values, expected " + inputSize() + " ("
                    + channels + "x" + height + "x" + width + ")");
        }
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            // Jackson reads NaN/Infinity only as strings here; anything not a number is refused
            if (!v.isNumber()) {
                throw new HttpError(400, name + "[" + i + "] is not a number: " + v);
            }
            double d = v.doubleValue();
            if (!Double.isFinite(d)) {
                throw new HttpError(400, name + "[" + i + "] is not finite: " + v);
            }
            if (d < 0 || d > 1) {
                throw new HttpError(400, name + "[" + i + "] = " + v + " is outside [0, 1] (scale pixels by 1/255)");
            }
            out[i] = (float) d;
        }
        return out;
    }

    static boolean isPng(byte[] b) {
        return b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    static boolean isJpeg(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8;
    }

    private static int firstNonSpace(byte[] b) {
        for (byte x : b) {
            if (!Character.isWhitespace(x)) {
                return x;
            }
        }
        return -1;
    }
}

package dev.jtorch.serve.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.jtorch.DType;
import dev.jtorch.serve.Predictor;
import dev.jtorch.serve.TensorData;
import dev.jtorch.serve.TensorSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Open Inference Protocol (KServe v2) over REST, the protocol of Triton, TorchServe, KServe and
 * MLServer: server and model metadata, liveness and readiness, and {@code infer} with named
 * tensors in JSON ({@code name}, {@code shape}, {@code datatype}, {@code data} flat or nested).
 *
 * <p>Requests are parsed as a stream within the server's body budget, numbers straight into
 * primitive buffers; integers keep all 64 bits. Errors are {@code {"error": "..."}} with 400 for a
 * bad request (naming the input and what does not fit) and 404 for an unknown model.
 */
final class InferenceProtocol {
    static final String VERSION = "1";
    private static final int MAX_DEPTH = 40;

    private final Predictor predictor;
    private final String modelName;
    private final long maxBodyBytes;
    private final JsonFactory json;

    InferenceProtocol(Predictor predictor, String modelName, long maxBodyBytes) {
        this.predictor = predictor;
        this.modelName = modelName;
        this.maxBodyBytes = maxBodyBytes;
        this.json = RequestParser.jsonFactory(MAX_DEPTH);
    }

    /** The protocol's name of a dtype. */
    static String datatype(DType d) {
        return switch (d) {
            case FLOAT32 -> "FP32";
            case FLOAT64 -> "FP64";
            case FLOAT16 -> "FP16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "INT64";
            case INT32 -> "INT32";
            case INT16 -> "INT16";
            case INT8 -> "INT8";
            case UINT8 -> "UINT8";
            case BOOL -> "BOOL";
        };
    }

    /** The dtype of a protocol datatype name, or null if jtorch has none for it. */
    static DType dtype(String datatype) {
        for (DType d : DType.values()) {
            if (datatype(d).equals(datatype)) {
                return d;
            }
        }
        return null;
    }

    /** Whether the model can answer (its predictor is open). */
    boolean ready() {
        return !predictor.isClosed();
    }

    /** Closes the model's predictor. */
    void close() {
        predictor.close();
    }

    String serverMetadata() throws IOException {
        return write(g -> {
            g.writeStringField("name", "jtorch");
            g.writeStringField("version", VERSION);
            g.writeArrayFieldStart("extensions");
            g.writeEndArray();
        });
    }

    String modelMetadata() throws IOException {
        return write(g -> {
            g.writeStringField("name", modelName);
            g.writeArrayFieldStart("versions");
            g.writeString(VERSION);
            g.writeEndArray();
            g.writeStringField("platform", "jtorch_libtorch");
            g.writeArrayFieldStart("inputs");
            for (TensorSpec s : predictor.signature()) {
                spec(g, s.name(), s.dtype(), s.shape());
            }
            g.writeEndArray();
            g.writeArrayFieldStart("outputs");
            if (predictor.isClassifier()) {
                spec(g, "output", DType.FLOAT32, new long[] {-1, predictor.classes().size()});
            }
            g.writeEndArray();
        });
    }

    String modelReady() throws IOException {
        return write(g -> {
            g.writeStringField("name", modelName);
            g.writeBooleanField("ready", !predictor.isClosed());
        });
    }

    /**
     * One tensor of the metadata. An input read from a TorchScript {@code forward} (declared only
     * as {@code Tensor}) has datatype {@code "ANY"} and shape {@code []}: declare it with
     * {@code serve --input} to publish more.
     */
    private static void spec(JsonGenerator g, String name, DType dtype, long[] shape) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("datatype", dtype == null ? "ANY" : datatype(dtype));
        g.writeArrayFieldStart("shape");
        for (long d : shape == null ? new long[0] : shape) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private String write(Body body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ infer

    /** One input of a request as parsed, before its datatype decides the Java array. */
    private static final class Input {
        String name;
        long[] shape;
        String datatype;
        final Numbers data = new Numbers();
        boolean hasData;
    }

    /** A parsed infer request: its id, named tensors and the outputs asked for (null: all). */
    record Request(String id, Map<String, TensorData> tensors, Set<String> wanted) {}

    /**
     * Reads an infer request body (the only part that waits on the client).
     *
     * @throws HttpError 400 for a malformed request, 413 for a body over the budget
     * @throws IOException if reading fails
     */
    Request parse(InputStream body, String contentLength) throws IOException {
        RequestParser.checkContentLength(contentLength, maxBodyBytes);
        RequestParser.Bounded bounded = new RequestParser.Bounded(body, maxBodyBytes);
        String id = null;
        List<Input> inputs = new ArrayList<>();
        Set<String> wanted = null;
        try (JsonParser p = json.createParser(bounded)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new HttpError(400, "an infer request is a JSON object {\"inputs\": [...]}");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> {
                        if (t != JsonToken.VALUE_STRING) {
                            throw new HttpError(400, "\"id\" must be a string");
                        }
                        id = p.getText();
                    }
                    case "inputs" -> inputs = inputs(p);
                    case "outputs" -> wanted = outputs(p);
                    default -> p.skipChildren(); // "parameters" and extensions
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new HttpError(400, "body is not one JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new HttpError(400, "body is not valid JSON: " + RequestParser.clip(e.getOriginalMessage()));
        } catch (java.io.CharConversionException e) {
            throw new HttpError(400, "body is not valid JSON text (JSON is UTF-8): " + RequestParser.clip(e.getMessage()));
        } catch (IOException e) {
            if (bounded.over) {
                throw new HttpError(413, "body is over the limit of " + maxBodyBytes + " bytes");
            }
            throw e;
        }
        if (inputs.isEmpty()) {
            throw new HttpError(400, "an infer request needs \"inputs\" (the model's inputs: " + predictor.signature() + ")");
        }
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (Input in : inputs) {
            if (tensors.put(in.name, tensor(in)) != null) {
                throw new HttpError(400, "input '" + RequestParser.clip(in.name) + "' is given twice");
            }
        }
        return new Request(id, tensors, wanted);
    }

    /**
     * Runs a parsed request on the model and returns the response body.
     *
     * @throws HttpError 400 for a requested output the model does not have
     * @throws dev.jtorch.serve.InvalidInputException if the tensors do not fit the signature
     */
    String run(Request request) throws IOException {
        Map<String, TensorData> out = predictor.infer(request.tensors());
        Set<String> wanted = request.wanted();
        if (wanted != null) {
            for (String w : wanted) {
                if (!out.containsKey(w)) {
                    throw new HttpError(400, "requested output '" + RequestParser.clip(w) + "' does not exist (the"
                            + " model's outputs: " + out.keySet() + ")");
                }
            }
        }
        final String requestId = request.id();
        final Set<String> only = wanted;
        return write(g -> {
            g.writeStringField("model_name", modelName);
            g.writeStringField("model_version", VERSION);
            if (requestId != null) {
                g.writeStringField("id", requestId);
            }
            g.writeArrayFieldStart("outputs");
            for (Map.Entry<String, TensorData> e : out.entrySet()) {
                if (only == null || only.contains(e.getKey())) {
                    output(g, e.getKey(), e.getValue());
                }
            }
            g.writeEndArray();
        });
    }

    private List<Input> inputs(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new HttpError(400, "\"inputs\" must be an array of {name, shape, datatype, data}");
        }
        List<Input> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Input in = new Input();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "name" -> in.name = string(p, t, "name");
                    case "datatype" -> in.datatype = string(p, t, "datatype");
                    case "shape" -> in.shape = shape(p, t);
                    case "data" -> {
                        in.data.read(p, t);
                        in.hasData = true;
                    }
                    default -> p.skipChildren(); // "parameters"
                }
            }
            String which = in.name == null ? "input " + out.size() : "input '" + RequestParser.clip(in.name) + "'";
            if (in.name == null || in.shape == null || in.datatype == null || !in.hasData) {
                throw new HttpError(400, which + " needs \"name\", \"shape\", \"datatype\" and \"data\"");
            }
            out.add(in);
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new HttpError(400, "\"inputs\" must be an array of objects");
        }
        return out;
    }

    private static Set<String> outputs(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new HttpError(400, "\"outputs\" must be an array of {\"name\": ...}");
        }
        Set<String> names = new LinkedHashSet<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("name")) {
                    name = string(p, t, "outputs' name");
                } else {
                    p.skipChildren();
                }
            }
            if (name == null) {
                throw new HttpError(400, "each requested output needs a \"name\"");
            }
            names.add(name);
        }
        return names;
    }

    private static String string(JsonParser p, JsonToken t, String what) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            throw new HttpError(400, "\"" + what + "\" must be a string");
        }
        return p.getText();
    }

    private static long[] shape(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw new HttpError(400, "\"shape\" must be an array of sizes");
        }
        long[] s = new long[8];
        int n = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                throw new HttpError(400, "\"shape\" sizes must be integers >= 0, got " + RequestParser.clip(p.getText()));
            }
            if (n == 64) {
                throw new HttpError(400, "\"shape\" has more than 64 dimensions");
            }
            if (n == s.length) {
                s = Arrays.copyOf(s, n * 2);
            }
            s[n++] = p.getLongValue();
        }
        return Arrays.copyOf(s, n);
    }

    /** The input as a tensor of its datatype, after checking the data against the shape. */
    private static TensorData tensor(Input in) {
        String which = "input '" + RequestParser.clip(in.name) + "'";
        DType d = dtype(in.datatype);
        if (d == null) {
            throw new HttpError(400, which + ": datatype '" + RequestParser.clip(in.datatype) + "' is not supported"
                    + " (BOOL, UINT8, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64)");
        }
        long numel = 1;
        for (long s : in.shape) {
            numel = s != 0 && numel > Long.MAX_VALUE / s ? Long.MAX_VALUE : numel * s;
        }
        if (numel != in.data.size) {
            throw new HttpError(400, which + ": shape " + Arrays.toString(in.shape) + " holds " + numel
                    + " elements, but \"data\" has " + in.data.size);
        }
        Object values = switch (d) {
            case FLOAT32, FLOAT16, BFLOAT16 -> in.data.floats(which);
            case FLOAT64 -> in.data.doubles(which);
            case BOOL -> in.data.booleans(which);
            default -> in.data.longs(which, d);
        };
        return new TensorData(d, in.shape, values);
    }

    private static void output(JsonGenerator g, String name, TensorData t) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("datatype", datatype(t.dtype()));
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data");
        Object v = t.values();
        if (v instanceof float[] f) {
            for (float x : f) {
                g.writeNumber(x);
            }
        } else if (v instanceof double[] f) {
            for (double x : f) {
                g.writeNumber(x);
            }
        } else if (v instanceof long[] f) {
            for (long x : f) {
                g.writeNumber(x);
            }
        } else if (v instanceof boolean[] f) {
            for (boolean x : f) {
                g.writeBoolean(x);
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * The numbers of a {@code data} value, flat or nested, in row-major order: integers as longs
     * (all 64 bits) until a fraction appears, then all as doubles; or booleans.
     */
    private static final class Numbers {
        long[] longs = new long[64];
        double[] doubles;
        boolean[] bools;
        int size;

        void read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.START_ARRAY) {
                throw new HttpError(400, "\"data\" must be an array");
            }
            int depth = 1;
            while (depth > 0) {
                t = p.nextToken();
                if (t == JsonToken.START_ARRAY) {
                    depth++;
                } else if (t == JsonToken.END_ARRAY) {
                    depth--;
                } else if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    addLong(p.getLongValue());
                } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    addDouble(p.getDoubleValue());
                } else if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                    addBool(t == JsonToken.VALUE_TRUE);
                } else {
                    throw new HttpError(400, "\"data\" holds " + (t == null ? "an unfinished array" : "'"
                            + RequestParser.clip(p.getText()) + "'") + "; it must hold numbers or booleans");
                }
            }
        }

        private void grow() {
            int cap = doubles != null ? doubles.length : bools != null ? bools.length : longs.length;
            if (size == cap) {
                int n = cap * 2;
                if (doubles != null) {
                    doubles = Arrays.copyOf(doubles, n);
                } else if (bools != null) {
                    bools = Arrays.copyOf(bools, n);
                } else {
                    longs = Arrays.copyOf(longs, n);
                }
            }
        }

        private void addLong(long v) {
            if (bools != null) {
                throw new HttpError(400, "\"data\" mixes booleans and numbers");
            }
            if (doubles != null) {
                addDouble(v);
                return;
            }
            grow();
            longs[size++] = v;
        }

        private void addDouble(double v) {
            if (bools != null) {
                throw new HttpError(400, "\"data\" mixes booleans and numbers");
            }
            if (doubles == null) {
                doubles = new double[Math.max(64, longs.length)];
                for (int i = 0; i < size; i++) {
                    doubles[i] = longs[i];
                }
                longs = null;
            }
            grow();
            doubles[size++] = v;
        }

        private void addBool(boolean v) {
            if (size > 0 && bools == null) {
                throw new HttpError(400, "\"data\" mixes booleans and numbers");
            }
            if (bools == null) {
                bools = new boolean[64];
                longs = null;
            }
            grow();
            bools[size++] = v;
        }

        float[] floats(String which) {
            requireNumbers(which, "FP32");
            float[] out = new float[size];
            for (int i = 0; i < size; i++) {
                out[i] = doubles != null ? (float) doubles[i] : (float) longs[i];
            }
            return out;
        }

        double[] doubles(String which) {
            requireNumbers(which, "FP64");
            double[] out = new double[size];
            for (int i = 0; i < size; i++) {
                out[i] = doubles != null ? doubles[i] : longs[i];
            }
            return out;
        }

        long[] longs(String which, DType d) {
            requireNumbers(which, datatype(d));
            if (doubles != null) {
                throw new HttpError(400, which + ": datatype " + datatype(d) + " but \"data\" holds non-integers");
            }
            long lo = switch (d) {
                case INT32 -> Integer.MIN_VALUE;
                case INT16 -> Short.MIN_VALUE;
                case INT8 -> Byte.MIN_VALUE;
                case UINT8 -> 0;
                default -> Long.MIN_VALUE;
            };
            long hi = switch (d) {
                case INT32 -> Integer.MAX_VALUE;
                case INT16 -> Short.MAX_VALUE;
                case INT8 -> Byte.MAX_VALUE;
                case UINT8 -> 255;
                default -> Long.MAX_VALUE;
            };
            long[] out = Arrays.copyOf(longs, size);
            for (int i = 0; i < size; i++) {
                if (out[i] < lo || out[i] > hi) {
                    throw new HttpError(400, which + ": element " + i + " = " + out[i] + " is out of "
                            + datatype(d) + "'s range [" + lo + ", " + hi + "]");
                }
            }
            return out;
        }

        boolean[] booleans(String which) {
            if (bools != null) {
                return Arrays.copyOf(bools, size);
            }
            if (doubles != null) {
                throw new HttpError(400, which + ": datatype BOOL but \"data\" holds numbers");
            }
            boolean[] out = new boolean[size];
            for (int i = 0; i < size; i++) {
                if (longs[i] != 0 && longs[i] != 1) {
                    throw new HttpError(400, which + ": datatype BOOL but element " + i + " is " + longs[i]);
                }
                out[i] = longs[i] == 1;
            }
            return out;
        }

        private void requireNumbers(String which, String datatype) {
            if (bools != null) {
                throw new HttpError(400, which + ": datatype " + datatype + " but \"data\" holds booleans");
            }
        }
    }
}

package dev.jtorch.serve.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtorch.DType;
import dev.jtorch.io.Trust;
import dev.jtorch.models.Architecture;
import dev.jtorch.serve.Predictor;
import dev.jtorch.serve.TensorSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Open Inference Protocol (KServe v2 REST) end to end: metadata, health, readiness and infer
 * with FP32 images to the Python-trained SimpleNN and INT64 token ids to a TorchScript Transformer,
 * compared with PyTorch's outputs; malformed requests get the protocol's errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private JtorchServer mlp;
    private JtorchServer tokens;
    private Predictor reference;

    @BeforeAll
    void start() throws Exception {
        Path simple = Path.of("src/test/resources/python/simple_nn.pt");
        mlp = new JtorchServer(Predictor.open(simple, Architecture.MLP, null),
                new JtorchServer.Options().port(0).modelName("simple_nn")).start();
        reference = Predictor.open(simple, Architecture.MLP, null);
        Predictor t = Predictor.open(Path.of("src/test/resources/torchscript/token_transformer.pt"), null,
                Predictor.builder(null).signature(List.of(new TensorSpec("tokens", DType.INT64, new long[] {-1, -1}))),
                Trust.CODE);
        tokens = new JtorchServer(t, new JtorchServer.Options().port(0).modelName("tokens")).start();
    }

    @AfterAll
    void stop() {
        mlp.stop();
        tokens.stop();
        reference.close();
    }

    private HttpResponse<String> get(JtorchServer s, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(JtorchServer s, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static float[] image(int seed) {
        float[] px = new float[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = ((i * 31 + seed * 7) % 256) / 255f;
        }
        return px;
    }

    @Test
    void metadataHealthAndReadiness() throws Exception {
        assertEquals("jtorch", JSON.readTree(get(mlp, "/v2").body()).get("name").asText());
        assertEquals(200, get(mlp, "/v2/health/live").statusCode());
        assertEquals(200, get(mlp, "/v2/health/ready").statusCode());
        HttpResponse<String> ready = get(mlp, "/v2/models/simple_nn/ready");
        assertEquals(200, ready.statusCode());
        assertTrue(JSON.readTree(ready.body()).get("ready").asBoolean());
        JsonNode meta = JSON.readTree(get(mlp, "/v2/models/simple_nn").body());
        assertEquals("simple_nn", meta.get("name").asText());
        assertEquals(JSON.readTree("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,1,28,28]}]"), meta.get("inputs"));
        assertEquals(JSON.readTree("[{\"name\":\"output\",\"datatype\":\"FP32\",\"shape\":[-1,10]}]"), meta.get("outputs"));
        assertEquals(200, get(mlp, "/v2/models/simple_nn/versions/1").statusCode());
        JsonNode tmeta = JSON.readTree(get(tokens, "/v2/models/tokens").body());
        assertEquals(JSON.readTree("[{\"name\":\"tokens\",\"datatype\":\"INT64\",\"shape\":[-1,-1]}]"), tmeta.get("inputs"));
        assertEquals(404, get(mlp, "/v2/models/other").statusCode());
        assertEquals(404, get(mlp, "/v2/models/simple_nn/versions/7").statusCode());
    }

    @Test
    void fp32ImagesGiveTheModelsScores() throws Exception {
        float[] a = image(1);
        float[] b = image(2);
        ObjectNode req = JSON.createObjectNode();
        req.put("id", "req-42");
        ObjectNode in = req.putArray("inputs").addObject();
        in.put("name", "input").put("datatype", "FP32");
        in.putArray("shape").add(2).add(1).add(28).add(28);
        ArrayNode data = in.putArray("data");
        for (float v : a) {
            data.add(v);
        }
        for (float v : b) {
            data.add(v);
        }
        HttpResponse<String> r = post(mlp, "/v2/models/simple_nn/infer", req.toString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode out = JSON.readTree(r.body());
        assertEquals("req-42", out.get("id").asText());
        assertEquals("simple_nn", out.get("model_name").asText());
        JsonNode o = out.get("outputs").get(0);
        assertEquals("output", o.get("name").asText());
        assertEquals("FP32", o.get("datatype").asText());
        assertEquals(JSON.readTree("[2,10]"), o.get("shape"));
        for (int img = 0; img < 2; img++) {
            double[] probs = reference.predict(img == 0 ? a : b, 1).probabilities();
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 10; k++) {
                max = Math.max(max, o.get("data").get(img * 10 + k).asDouble());
            }
            double sum = 0;
            for (int k = 0; k < 10; k++) {
                sum += Math.exp(o.get("data").get(img * 10 + k).asDouble() - max);
            }
            for (int k = 0; k < 10; k++) {
                assertEquals(probs[k], Math.exp(o.get("data").get(img * 10 + k).asDouble() - max) / sum, 1e-5);
            }
        }
        // nested data is the same tensor
        ObjectNode nested = JSON.createObjectNode();
        ObjectNode n = nested.putArray("inputs").addObject();
        n.put("name", "input").put("datatype", "FP32");
        n.putArray("shape").add(1).add(1).add(28).add(28);
        ArrayNode rows = n.putArray("data").addArray().addArray();
        for (int y = 0; y < 28; y++) {
            ArrayNode row = rows.addArray();
            for (int x = 0; x < 28; x++) {
                row.add(a[y * 28 + x]);
            }
        }
        JsonNode first = JSON.readTree(post(mlp, "/v2/models/simple_nn/infer", nested.toString()).body())
                .get("outputs").get(0).get("data");
        for (int k = 0; k < 10; k++) {
            assertEquals(o.get("data").get(k).asDouble(), first.get(k).asDouble(), 1e-6);
        }
    }

    @Test
    void int64TokensThroughTheTransformerMatchPyTorch() throws Exception {
        JsonNode e = JSON.readTree(Path.of("src/test/resources/torchscript/token_transformer.json").toFile());
        String body = "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"INT64\",\"shape\":" + e.get("shape")
                + ",\"data\":" + e.get("tokens") + "}],\"outputs\":[{\"name\":\"output\"}]}";
        HttpResponse<String> r = post(tokens, "/v2/models/tokens/infer", body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode o = JSON.readTree(r.body()).get("outputs").get(0);
        assertEquals(JSON.readTree("[2,3]"), o.get("shape"));
        int i = 0;
        for (JsonNode row : e.get("output")) {
            for (JsonNode v : row) {
                assertEquals(v.asDouble(), o.get("data").get(i++).asDouble(), 1e-5);
            }
        }
    }

    @Test
    void aScriptServedWithoutDeclarationsPublishesItsForwardsNames() throws Exception {
        Predictor p = Predictor.open(Path.of("src/test/resources/torchscript/token_transformer.pt"), null, null,
                Trust.CODE);
        JtorchServer s = new JtorchServer(p, new JtorchServer.Options().port(0).modelName("auto")).start();
        try {
            JsonNode meta = JSON.readTree(get(s, "/v2/models/auto").body());
            assertEquals(JSON.readTree("[{\"name\":\"tokens\",\"datatype\":\"ANY\",\"shape\":[]}]"),
                    meta.get("inputs"));
            HttpResponse<String> r = post(s, "/v2/models/auto/infer",
                    "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"INT64\",\"shape\":[1,3],\"data\":[1,2,3]}]}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(JSON.readTree("[1,3]"), JSON.readTree(r.body()).get("outputs").get(0).get("shape"));
        } finally {
            s.stop();
        }
    }

    private void refused(JtorchServer s, String path, String body, int status, String text) throws Exception {
        HttpResponse<String> r = post(s, path, body);
        assertEquals(status, r.statusCode(), r.body());
        String error = JSON.readTree(r.body()).get("error").asText();
        assertTrue(error.contains(text), error);
    }

    @Test
    void malformedRequestsGetTheProtocolsErrors() throws Exception {
        String infer = "/v2/models/tokens/infer";
        refused(tokens, "/v2/models/nope/infer", "{}", 404, "unknown model 'nope'");
        refused(tokens, infer, "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}",
                400, "input 'tokens': expected dtype int64, got float32");
        refused(tokens, infer, "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"INT64\",\"shape\":[1,3],\"data\":[1,2]}]}",
                400, "shape [1, 3] holds 3 elements, but \"data\" has 2");
        refused(tokens, infer, "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[1,2]}]}",
                400, "expected shape [-1, -1]");
        refused(tokens, infer, "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[1.5,2]}]}",
                400, "non-integers");
        refused(tokens, infer, "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"a\"]}]}",
                400, "\"data\" holds 'a'");
        refused(tokens, infer, "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[1,1],\"data\":[1]}]}",
                400, "missing input 'tokens'");
        refused(tokens, infer, "{\"inputs\":[]}", 400, "needs \"inputs\"");
        refused(tokens, infer, "{\"inputs\":[{\"name\":\"tokens\"}]}", 400, "needs \"name\", \"shape\"");
        refused(tokens, infer, "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"INT64\",\"shape\":[1,1],\"data\":[1]}],"
                + "\"outputs\":[{\"name\":\"logits\"}]}", 400, "requested output 'logits' does not exist");
        refused(tokens, infer, "{\"inputs\": [", 400, "not valid JSON");
        refused(tokens, infer, "[1, 2]", 400, "JSON object");
        refused(tokens, infer, "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[3,999]}]}",
                400, "the model failed on this input");
        assertEquals(405, get(tokens, infer).statusCode());
        // after all that, the server still answers
        assertEquals(200, post(tokens, infer,
                "{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[[3,4]]}]}").statusCode());
    }
}

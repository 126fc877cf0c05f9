package dev.jtorch.serve.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.Torch;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.Module;
import dev.jtorch.serve.Predictor;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@link JtorchServer} end to end over real HTTP with the Python-trained MLP fixture. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODEL = Path.of("src/test/resources/python/simple_nn.pt");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private JtorchServer server;
    private String base;

    @BeforeAll
    void start() throws IOException {
        Torch.init();
        server = startServer(new JtorchServer.Options().port(0).maxBodyBytes(1 << 20), true);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static JtorchServer startServer(JtorchServer.Options options, boolean batching) throws IOException {
        Predictor p = Predictor.open(MODEL, Architecture.MLP,
                Predictor.builder(null).maxBatch(16).maxWait(Duration.ofMillis(2)).batching(batching));
        try {
            return new JtorchServer(p, options).start();
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ helpers

    private HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postJson(String path, String json) throws Exception {
        return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static float[] image(long seed) {
        Random r = new Random(seed);
        float[] px = new float[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(256) / 255f;
        }
        return px;
    }

    private static String pixelsJson(float[]... images) throws IOException {
        return JSON.writeValueAsString(java.util.Map.of("pixels", images.length == 1 ? images[0] : images));
    }

    private static byte[] png(float[] px, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, Math.round(px[(y * w + x) % px.length] * 255));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private void assertGoodStillServed() throws Exception {
        HttpResponse<String> r = postJson("/predict", pixelsJson(image(1)));
        assertEquals(200, r.statusCode(), r.body());
    }

    // ------------------------------------------------------------------ good requests

    @Test
    void pngBodyMatchesTheSamePixelsAsJson() throws Exception {
        float[] px = image(7);
        HttpResponse<String> a = post("/predict", "image/png", png(px, 28, 28));
        assertEquals(200, a.statusCode(), a.body());
        JsonNode fromPng = JSON.readTree(a.body());
        assertEquals(0, fromPng.get("index").asInt());
        assertEquals(5, fromPng.get("top").size());
        JsonNode first = fromPng.get("top").get(0);
        assertTrue(first.has("class") && first.has("label") && first.has("probability"), a.body());

        JsonNode fromJson = JSON.readTree(postJson("/predict", pixelsJson(px)).body());
        assertEquals(fromJson, fromPng);
        // no Content-Type: the PNG magic bytes decide
        HttpResponse<String> sniffed = post("/predict", null, png(px, 28, 28));
        assertEquals(200, sniffed.statusCode(), sniffed.body());
        assertEquals(fromJson, JSON.readTree(sniffed.body()));
    }

    @Test
    void jsonBatchAnswersAnArrayInOrder() throws Exception {
        float[][] imgs = {image(1), image(2), image(3)};
        HttpResponse<String> r = postJson("/predict", pixelsJson(imgs));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode arr = JSON.readTree(r.body());
        assertTrue(arr.isArray());
        assertEquals(3, arr.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, arr.get(i).get("index").asInt());
            JsonNode single = JSON.readTree(postJson("/predict", pixelsJson(imgs[i])).body());
            assertEquals(single.get("top").get(0).get("class"), arr.get(i).get("top").get(0).get("class"));
            // float32 model: a lone request runs the matrix-vector kernel, a batch the matrix-matrix one,
            // so the two agree to float32 rounding, not bit for bit
            assertEquals(single.get("top").get(0).get("probability").asDouble(),
                    arr.get(i).get("top").get(0).get("probability").asDouble(), 1e-6);
        }
    }

    @Test
    void topKChoosesHowManyClasses() throws Exception {
        for (int k : new int[] {1, 3, 10}) {
            HttpResponse<String> r = postJson("/predict?top_k=" + k, pixelsJson(image(4)));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode top = JSON.readTree(r.body()).get("top");
            assertEquals(k, top.size());
            for (int i = 1; i < k; i++) {
                assertTrue(top.get(i - 1).get("probability").asDouble() >= top.get(i).get("probability").asDouble());
            }
        }
    }

    @Test
    void healthAndMetrics() throws Exception {
        HttpResponse<String> h = get("/health");
        assertEquals(200, h.statusCode());
        assertEquals("ok", JSON.readTree(h.body()).get("status").asText());

        assertGoodStillServed();
        postJson("/predict", "{nope");
        HttpResponse<String> m = get("/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String t = m.body();
        for (String s : List.of("jtorch_requests_total{code=\"200\"}", "jtorch_requests_total{code=\"400\"}",
                "jtorch_request_errors_total ", "jtorch_request_duration_seconds_bucket{le=\"0.001\"}",
                "jtorch_request_duration_seconds_bucket{le=\"+Inf\"}", "jtorch_request_duration_seconds_count ",
                "jtorch_batch_size_bucket{model=\"model\",le=\"1\"}", "jtorch_batch_size_count{model=\"model\"} ",
                "jtorch_queue_depth{model=\"model\"} ", "jtorch_predict_latency_seconds{model=\"model\",quantile=\"0.99\"}",
                "jtorch_native_handles ", "jtorch_rss_bytes ", "# TYPE jtorch_requests_total counter")) {
            assertTrue(t.contains(s), "metrics lack " + s + ":\n" + t);
        }
        assertTrue(server.metrics().requests(200) > 0);
        assertTrue(server.metrics().errors() > 0);
    }

    // ------------------------------------------------------------------ bad requests

    private void assertError(HttpResponse<String> r, int status, String mentions) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode e = JSON.readTree(r.body());
        assertTrue(e.has("error"), r.body());
        assertTrue(e.get("error").asText().contains(mentions), "'" + mentions + "' not in " + r.body());
        assertGoodStillServed();
    }

    @Test
    void badInputsGetTheirStatusAndANamedError() throws Exception {
        float[] wrongRange = image(1);
        wrongRange[5] = 1.5f;
        assertError(postJson("/predict", "{nope"), 400, "not valid JSON");
        assertError(postJson("/predict", "[1, 2]"), 400, "must be an object");
        assertError(postJson("/predict", "{\"pix\": []}"), 400, "no \"pixels\"");
        assertError(postJson("/predict", "{\"pixels\": [0.5, 0.5]}"), 400, "has 2 values, expected 784");
        assertError(postJson("/predict", "{\"pixels\": []}"), 400, "has 0 values");
        assertError(postJson("/predict", pixelsJson(wrongRange)), 400, "pixels[5] = 1.5 is outside [0, 1]");
        String inf = pixelsJson(image(1)).replaceFirst("\\[[0-9.E-]+,", "[1e999,");
        assertError(postJson("/predict", inf), 400, "pixels[0] is not finite");
        String nan = pixelsJson(image(1)).replaceFirst("\\[[0-9.E-]+,", "[\"NaN\",");
        assertError(postJson("/predict", nan), 400, "pixels[0] is not a number");
        assertError(postJson("/predict", pixelsJson(image(1), new float[3])), 400, "pixels[1] has 3 values");
        assertError(postJson("/predict?top_k=0", pixelsJson(image(1))), 400, "top_k must be in [1, 10], got 0");
        assertError(postJson("/predict?top_k=11", pixelsJson(image(1))), 400, "got 11");
        assertError(postJson("/predict?top_k=abc", pixelsJson(image(1))), 400, "top_k must be an integer");
        assertError(post("/predict", "image/png", png(image(1), 32, 32)), 400, "image is 32x32");
        assertError(post("/predict", "image/png", "not a png".getBytes(StandardCharsets.UTF_8)), 400,
                "not a PNG or JPEG");
        assertError(post("/predict", null, "hello".getBytes(StandardCharsets.UTF_8)), 400,
                "neither a PNG/JPEG image nor a JSON object");
        assertError(post("/predict", "application/json", new byte[0]), 400, "empty body");
        assertError(post("/predict", "text/plain", "x".getBytes(StandardCharsets.UTF_8)), 415, "text/plain");
        assertError(post("/predict", "application/json", new byte[(1 << 20) + 1]), 413, "over the limit");
        assertError(get("/predict"), 405, "method GET not allowed");
        assertError(postJson("/health", "{}"), 405, "use GET");
        assertError(get("/nope"), 404, "no such path '/nope'");
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        // no Content-Length: the limit is enforced while reading; valid JSON so far, so that only
        // its size is at fault
        byte[] big = ("{\"pixels\": [" + "0,".repeat(((1 << 20) + 100) / 2)).getBytes(StandardCharsets.US_ASCII);
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/predict"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
        HttpResponse<String> r;
        try {
            r = client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // the server may close the connection before the client has sent everything
            assertGoodStillServed();
            return;
        }
        assertError(r, 413, "over the limit");
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrentClientsGetTheirOwnAnswers() throws Exception {
        int n = 64;
        List<JsonNode> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(JSON.readTree(postJson("/predict?top_k=3", pixelsJson(image(100 + i))).body()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<JsonNode>> got = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < n; i++) {
                    int id = i;
                    got.add(pool.submit(() -> {
                        HttpResponse<String> r = postJson("/predict?top_k=3", pixelsJson(image(100 + id)));
                        assertEquals(200, r.statusCode(), r.body());
                        return JSON.readTree(r.body());
                    }));
                }
            }
            for (int i = 0; i < got.size(); i++) {
                JsonNode want = expected.get(i % n);
                JsonNode have = got.get(i).get();
                for (int k = 0; k < 3; k++) {
                    assertEquals(want.get("top").get(k).get("class"), have.get("top").get(k).get("class"));
                    assertEquals(want.get("top").get(k).get("probability").asDouble(),
                            have.get("top").get(k).get("probability").asDouble(), 1e-6);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ failures and lifetime

    /** A 10-class model that fails or stalls, to provoke 500 and 503. */
    private static final class Faulty extends Module {
        private final long sleepMs;

        Faulty(long sleepMs) {
            this.sleepMs = sleepMs;
        }

        @Override
        public Tensor forward(Tensor x) {
            if (sleepMs < 0) {
                throw new IllegalStateException("boom");
            }
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Tensor.zeros(x.shape().size(0), 10);
        }
    }

    private static final List<String> TEN = java.util.Arrays.asList("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    @Test
    void internalFailureIs500AndTheServerKeepsServing() throws Exception {
        Predictor p = Predictor.builder(new Faulty(-1)).classes(TEN).inputShape(1, 28, 28).build();
        try (JtorchServer s = new JtorchServer(p, new JtorchServer.Options().port(0)).start()) {
            String url = "http://127.0.0.1:" + s.port();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/predict"))
                        .POST(HttpRequest.BodyPublishers.ofString(pixelsJson(image(1))))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(500, r.statusCode(), r.body());
                assertTrue(JSON.readTree(r.body()).get("error").asText().contains("boom"), r.body());
            }
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(3, s.metrics().requests(500));
        }
    }

    @Test
    void fullQueueAndTimeoutAre503() throws Exception {
        Predictor p = Predictor.builder(new Faulty(400)).classes(TEN).inputShape(1, 28, 28).queueCapacity(1)
                .timeout(Duration.ofMillis(150)).build();
        try (JtorchServer s = new JtorchServer(p, new JtorchServer.Options().port(0).threads(8)).start()) {
            String url = "http://127.0.0.1:" + s.port() + "/predict";
            String body = pixelsJson(image(1));
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<HttpResponse<String>>> rs = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    rs.add(pool.submit(() -> client.send(HttpRequest.newBuilder(URI.create(url))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString())));
                }
                boolean busy = false;
                boolean timedOut = false;
                for (Future<HttpResponse<String>> f : rs) {
                    HttpResponse<String> r = f.get();
                    assertEquals(503, r.statusCode(), r.body());
                    String e = JSON.readTree(r.body()).get("error").asText();
                    busy |= e.contains("server busy");
                    timedOut |= e.contains("timed out");
                }
                assertTrue(busy, "no request was refused for a full queue");
                assertTrue(timedOut, "no request timed out");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void stopFinishesInFlightRequests() throws Exception {
        Predictor p = Predictor.builder(new Faulty(500)).classes(TEN).inputShape(1, 28, 28).build();
        JtorchServer s = new JtorchServer(p, new JtorchServer.Options().port(0)).start();
        String url = "http://127.0.0.1:" + s.port() + "/predict";
        java.util.concurrent.CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
                HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(pixelsJson(image(1))))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(150); // the request is in the forward pass now
        s.stop();
        HttpResponse<String> r = inFlight.get();
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(5, JSON.readTree(r.body()).get("top").size());
        assertTrue(p.isClosed());
    }

    @Test
    void stopIsCleanAndLeaksNoNativeHandles() throws Exception {
        long before = Torch.liveHandles();
        JtorchServer s = startServer(new JtorchServer.Options().port(0), false);
        String url = "http://127.0.0.1:" + s.port();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/predict"))
                    .POST(HttpRequest.BodyPublishers.ofString(pixelsJson(image(i))))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
        assertTrue(Torch.liveHandles() > before, "the served model holds handles");
        s.stop();
        s.stop(); // idempotent
        assertTrue(s.predictor().isClosed());
        assertEquals(before, Torch.liveHandles(), "native handles leaked by serving");
        HttpClient fresh = HttpClient.newHttpClient();
        assertThrows(ConnectException.class, () -> fresh.send(HttpRequest.newBuilder(URI.create(url + "/health"))
                .build(), HttpResponse.BodyHandlers.ofString()));
    }
}

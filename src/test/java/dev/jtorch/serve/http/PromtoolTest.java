package dev.jtorch.serve.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.models.Architecture;
import dev.jtorch.serve.Predictor;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} is checked by Prometheus' own linter, {@code promtool check metrics}
 * (Debian's {@code prometheus} package, which {@code .ci/run} installs), after requests of every
 * kind: answered, refused and failed. A missing promtool fails the test, it does not skip it.
 */
class PromtoolTest {
    @TempDir
    Path dir;

    private static Path promtool() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(d, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("promtool not found on PATH: install Debian's prometheus package"
                + " (apt-get install prometheus; .ci/run does)");
    }

    @Test
    void metricsPassPromtoolCheck() throws Exception {
        Path promtool = promtool();
        // two models: each family appears once, with one sample per model
        java.util.Map<String, Predictor> models = new java.util.LinkedHashMap<>();
        for (String name : new String[] {"fashion", "fashion_copy"}) {
            models.put(name, Predictor.open(Path.of("src/test/resources/python/simple_nn.pt"), Architecture.MLP,
                    Predictor.builder(null).maxBatch(8).workers(2)));
        }
        JtorchServer server = new JtorchServer(models, new JtorchServer.Options().port(0)).start();
        try {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            float[] px = new float[784];
            Arrays.fill(px, 0.5f);
            String ok = "{\"pixels\": " + Arrays.toString(px) + "}";
            for (String body : new String[] {ok, ok, "{\"pixels\": [1, 2]}", "not json"}) {
                client.send(HttpRequest.newBuilder(URI.create(base + "/predict")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            }
            client.send(HttpRequest.newBuilder(URI.create(base + "/nowhere")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            Path file = dir.resolve("metrics.txt");
            Files.writeString(file, metrics.body(), StandardCharsets.UTF_8);
            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectInput(file.toFile()).redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(check.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
            assertEquals(0, check.exitValue(), "promtool check metrics:\n" + out + "\n--- the metrics:\n" + metrics.body());
            assertTrue(out.isBlank(), "promtool's lint findings:\n" + out);
            for (String name : models.keySet()) {
                assertTrue(metrics.body().contains("jtorch_predict_requests_total{model=\"" + name + "\"} "),
                        "no figures for model " + name + ":\n" + metrics.body());
            }
            assertTrue(metrics.body().contains("jtorch_predict_requests_total{model=\"fashion\"} 2"),
                    "the two good /predict requests reached the first model:\n" + metrics.body());
        } finally {
            server.stop();
        }
    }
}

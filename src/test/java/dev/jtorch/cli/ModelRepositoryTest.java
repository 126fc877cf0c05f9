package dev.jtorch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.io.ModelFileException;
import dev.jtorch.io.Trust;
import dev.jtorch.models.Architecture;
import dev.jtorch.serve.Predictor;
import dev.jtorch.serve.http.JtorchServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --model-dir}: one folder per model, each under its name in the inference protocol. */
class ModelRepositoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void twoModelsFromOneRepositoryServedSideBySide() throws Exception {
        Files.createDirectories(dir.resolve("digits"));
        Files.copy(Path.of("src/test/resources/python/simple_nn.pt"), dir.resolve("digits/model.pt"));
        Files.writeString(dir.resolve("digits/config.json"), "{\"model\": \"mlp\"}");
        Files.createDirectories(dir.resolve("tokens"));
        Files.copy(Path.of("src/test/resources/torchscript/token_transformer.pt"), dir.resolve("tokens/t.pt"));
        Files.writeString(dir.resolve("tokens/config.json"),
                "{\"inputs\": [{\"name\": \"tokens\", \"datatype\": \"INT64\", \"shape\": [-1, -1]}]}");
        List<ModelRepository.Entry> entries = ModelRepository.read(dir);
        assertEquals(List.of("digits", "tokens"), entries.stream().map(ModelRepository.Entry::name).toList());
        assertEquals(Architecture.MLP, entries.get(0).architecture());
        Map<String, Predictor> predictors = new LinkedHashMap<>();
        for (ModelRepository.Entry e : entries) {
            Predictor.Builder settings = Predictor.builder(null);
            if (e.inputs() != null) {
                settings.signature(e.inputs());
            }
            predictors.put(e.name(), Predictor.open(e.file(), e.architecture(), settings, Trust.CODE));
        }
        JtorchServer server = new JtorchServer(predictors, new JtorchServer.Options().port(0)).start();
        try {
            HttpClient c = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            String meta = c.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/tokens")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertEquals("INT64", JSON.readTree(meta).get("inputs").get(0).get("datatype").asText());
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/tokens/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"tokens\",\"datatype\":\"INT64\","
                            + "\"shape\":[1,2],\"data\":[5,6]}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(200, c.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/digits/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> unknown = c.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, unknown.statusCode());
            assertTrue(unknown.body().contains("[digits, tokens]"), unknown.body());
        } finally {
            server.stop();
        }
    }

    @Test
    void aRepositoryThatIsNotOneNamesTheFolderAtFault() throws Exception {
        ModelFileException none = assertThrows(ModelFileException.class, () -> ModelRepository.read(dir));
        assertTrue(none.getMessage().contains("holds no model folder"), none.getMessage());
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(dir.resolve("a/x.pt"), "x");
        Files.writeString(dir.resolve("a/y.pt"), "y");
        ModelFileException several = assertThrows(ModelFileException.class, () -> ModelRepository.read(dir));
        assertTrue(several.getMessage().contains("holds several files [x.pt, y.pt]"), several.getMessage());
        Files.delete(dir.resolve("a/y.pt"));
        Files.writeString(dir.resolve("a/config.json"), "{\"inputs\": [{\"name\": \"t\", \"datatype\": \"STR\", \"shape\": [1]}]}");
        ModelFileException dtype = assertThrows(ModelFileException.class, () -> ModelRepository.read(dir));
        assertTrue(dtype.getMessage().contains("unknown datatype \"STR\""), dtype.getMessage());
    }
}

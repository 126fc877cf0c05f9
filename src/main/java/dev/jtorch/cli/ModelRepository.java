package dev.jtorch.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.io.ModelFileException;
import dev.jtorch.models.Architecture;
import dev.jtorch.serve.TensorSpec;
import dev.jtorch.serve.http.JtorchServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code serve --model-dir DIR}: a model repository as Triton lays one out, one folder per model,
 * named by the folder. A folder holds its model file (the only file besides {@code config.json},
 * or the one named {@code model.*}) and optionally {@code config.json}:
 * {@code {"model": "mlp", "inputs": [{"name": "tokens", "datatype": "INT64", "shape": [-1, 16]}]}}.
 */
final class ModelRepository {
    private static final String CONFIG = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxDocumentLength(1 << 20)
                    .build())
            .build());

    private ModelRepository() {}

    /**
     * One model of the repository.
     *
     * @param name the folder's name
     * @param file its model file
     * @param architecture {@code config.json}'s {@code model}, or null
     * @param inputs {@code config.json}'s {@code inputs}, or null
     */
    record Entry(String name, Path file, Architecture architecture, List<TensorSpec> inputs) {}

    /**
     * The models of {@code dir}, in folder-name order.
     *
     * @throws ModelFileException naming the folder or file at fault: no model folder, a folder
     *     without a model file or with several, a {@code config.json} that is not as above
     * @throws IOException if the folder cannot be read
     */
    static List<Entry> read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new ModelFileException(dir, "is not a folder (--model-dir takes a folder with one folder per model)");
        }
        List<Path> folders;
        try (Stream<Path> s = Files.list(dir)) {
            folders = s.filter(Files::isDirectory).sorted().toList();
        }
        if (folders.isEmpty()) {
            throw new ModelFileException(dir, "holds no model folder (one folder per model, named by the folder)");
        }
        List<Entry> out = new ArrayList<>();
        for (Path folder : folders) {
            String name = folder.getFileName().toString();
            try {
                new JtorchServer.Options().modelName(name);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(folder, "cannot name a model: " + e.getMessage());
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(folder)) {
                files = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(CONFIG)).sorted()
                        .toList();
            }
            List<Path> named = files.stream().filter(f -> f.getFileName().toString().startsWith("model.")).toList();
            Path file = files.size() == 1 ? files.get(0) : named.size() == 1 ? named.get(0) : null;
            if (file == null) {
                throw new ModelFileException(folder, files.isEmpty() ? "holds no model file"
                        : "holds several files " + files.stream().map(f -> f.getFileName().toString()).toList()
                                + "; name the model's file model.<ext>");
            }
            Architecture arch = null;
            List<TensorSpec> inputs = null;
            Path config = folder.resolve(CONFIG);
            if (Files.isRegularFile(config)) {
                JsonNode root;
                try {
                    root = JSON.readTree(config.toFile());
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new ModelFileException(config, "is not valid JSON: " + e.getOriginalMessage());
                }
                if (root == null || !root.isObject()) {
                    throw new ModelFileException(config, "must be a JSON object {\"model\", \"inputs\"}");
                }
                JsonNode m = root.get("model");
                if (m != null) {
                    try {
                        arch = new Options.ArchitectureConverter().convert(m.asText());
                    } catch (RuntimeException e) {
                        throw new ModelFileException(config, "\"model\": " + e.getMessage());
                    }
                }
                JsonNode in = root.get("inputs");
                if (in != null) {
                    inputs = inputs(config, in);
                }
            }
            out.add(new Entry(name, file, arch, inputs));
        }
        return out;
    }

    private static List<TensorSpec> inputs(Path config, JsonNode in) throws ModelFileException {
        if (!in.isArray() || in.isEmpty()) {
            throw new ModelFileException(config, "\"inputs\" must be a non-empty array of {name, datatype, shape}");
        }
        List<TensorSpec> out = new ArrayList<>();
        for (JsonNode i : in) {
            JsonNode n = i.get("name");
            JsonNode d = i.get("datatype");
            JsonNode sh = i.get("shape");
            if (n == null || !n.isTextual() || d == null || !d.isTextual() || sh == null || !sh.isArray()) {
                throw new ModelFileException(config, "each input needs \"name\", \"datatype\" and \"shape\", got " + i);
            }
            DType dtype = JtorchServer.dtype(d.asText());
            if (dtype == null) {
                throw new ModelFileException(config, "input '" + n.asText() + "': unknown datatype " + d);
            }
            long[] shape = new long[sh.size()];
            for (int k = 0; k < shape.length; k++) {
                if (!sh.get(k).canConvertToLong() || !sh.get(k).isIntegralNumber()) {
                    throw new ModelFileException(config, "input '" + n.asText() + "': shape " + sh + " must hold integers");
                }
                shape[k] = sh.get(k).asLong();
            }
            try {
                out.add(new TensorSpec(n.asText(), dtype, shape));
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(config, e.getMessage());
            }
        }
        return out;
    }
}

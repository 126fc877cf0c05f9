package dev.jtorch.io;

import dev.jtorch.nn.Linear;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.SGD;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes the fuzz seeds that only jtorch makes (run by hand after scripts/make_fuzz_seeds.py; CI
 * never runs it, it only replays the committed files):
 *
 * <pre>
 * mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.jtorch.io.FuzzSeeds
 * </pre>
 *
 * <p>StateDicts.save and Checkpoint.save files, the raw model-file seeds copied to
 * ModelFilesFuzzTest, and the framed inputs ({@link ZipFrames}) of the structured targets, derived
 * from the torch.save seeds so that their pickles start valid.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    public static void main(String[] args) throws IOException {
        Path io = Path.of(args.length > 0 ? args[0] : "src/test/resources/dev/jtorch/io");
        Path sdRaw = io.resolve("StateDictsFuzzTestInputs/loadFile");
        Path ckRaw = io.resolve("CheckpointFuzzTestInputs/loadFile");
        Files.createDirectories(sdRaw);
        Files.createDirectories(ckRaw);
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> two = new LinkedHashMap<>();
            two.put("weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            two.put("bias", Tensor.of(new long[] {-1, 7}, 2));
            StateDicts.save(two, sdRaw.resolve("jtorch_two_tensors.pt"));
            StateDicts.save(Map.of(), sdRaw.resolve("jtorch_empty.pt"));

            dev.jtorch.Torch.manualSeed(0);
            try (Linear lin = new Linear(3, 2)) {
                new Checkpoint("linear", 2, 42, lin.stateDict(), null, Map.of("note", "model only"))
                        .save(ckRaw.resolve("model_only.ckpt"));
                try (SGD sgd = new SGD(lin.parameters(), 0.1)) {
                    new Checkpoint("linear", 3, 7, lin.stateDict(), Checkpoint.OptimizerState.of(sgd), Map.of())
                            .save(ckRaw.resolve("with_sgd.ckpt"));
                }
                try (Adam adam = new Adam(lin.parameters(), 0.01)) {
                    new Checkpoint("linear", 1, 1, lin.stateDict(), Checkpoint.OptimizerState.of(adam),
                            Map.of("scheduler", Map.of("kind", "StepLR", "epoch", 1)))
                            .save(ckRaw.resolve("with_adam.ckpt"));
                }
            }
        }

        // ModelFiles.detect sees every kind of model file
        Path detect = io.resolve("ModelFilesFuzzTestInputs/detect");
        Files.createDirectories(detect);
        List<Path> models = new ArrayList<>();
        for (Path dir : List.of(sdRaw, ckRaw, io.resolve("SafeTensorsFuzzTestInputs/load"))) {
            try (Stream<Path> files = Files.list(dir)) {
                files.sorted().forEach(models::add);
            }
        }
        for (Path m : models) {
            Files.copy(m, detect.resolve(m.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (var in = FuzzSeeds.class.getResourceAsStream("/io/linear_torchscript.pt")) {
            Files.write(detect.resolve("linear_torchscript.pt"), in.readAllBytes());
        }

        // framed archives: every torch.save seed's pickle and storages
        Path sdFramed = io.resolve("StateDictsFuzzTestInputs/pickleInZip");
        Path mfFramed = io.resolve("ModelFilesFuzzTestInputs/pickleInZip");
        Path ckFramed = io.resolve("CheckpointFuzzTestInputs/structured");
        for (Path d : List.of(sdFramed, mfFramed, ckFramed)) {
            Files.createDirectories(d);
        }
        try (Stream<Path> files = Files.list(sdRaw)) {
            for (Path p : files.sorted().toList()) {
                if (p.getFileName().toString().startsWith("legacy")) {
                    continue; // not a zip
                }
                byte[] framed = ZipFrames.encode(ZipFrames.fromZip(p));
                String name = p.getFileName().toString().replace(".pt", ".frame");
                Files.write(sdFramed.resolve(name), framed);
                Files.write(mfFramed.resolve(name), framed);
            }
        }
        // checkpoints: the json, the optimizer bytes and model.pt's archive of each real checkpoint
        try (Stream<Path> files = Files.list(ckRaw)) {
            for (Path p : files.sorted().toList()) {
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(p.toFile())) {
                    byte[] json = z.getInputStream(z.getEntry(Checkpoint.JSON_ENTRY)).readAllBytes();
                    var opt = z.getEntry(Checkpoint.OPTIMIZER_ENTRY);
                    byte[] optimizer = opt == null ? new byte[0] : z.getInputStream(opt).readAllBytes();
                    Path model = Files.createTempFile("model", ".pt");
                    Files.write(model, z.getInputStream(z.getEntry(Checkpoint.MODEL_ENTRY)).readAllBytes());
                    ZipFrames.Archive a = ZipFrames.fromZip(model);
                    Files.delete(model);
                    Files.write(ckFramed.resolve(p.getFileName().toString().replace(".ckpt", ".frame")),
                            ZipFrames.encode(new ZipFrames.CheckpointParts(json, optimizer, a)));
                }
            }
        }
        // a checkpoint.json alone (model.pt empty): the JSON checks without a pickle behind them
        Files.write(ckFramed.resolve("json_only.frame"), ZipFrames.encode(new ZipFrames.CheckpointParts(
                ("{\"format\":\"jtorch-checkpoint\",\"format_version\":1,\"architecture\":\"mlp\",\"epoch\":0,"
                        + "\"seed\":1,\"optimizer\":null,\"extra\":{\"a\":[1,2.5,\"x\",null]}}")
                        .getBytes(StandardCharsets.UTF_8), new byte[0],
                new ZipFrames.Archive(0, new byte[0], List.of()))));
        System.out.println("wrote jtorch fuzz seeds under " + io);
    }
}

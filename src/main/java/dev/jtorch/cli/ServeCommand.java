package dev.jtorch.cli;

import dev.jtorch.Torch;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.serve.Predictor;
import dev.jtorch.serve.TensorSpec;
import dev.jtorch.serve.http.JtorchServer;
import dev.jtorch.train.ThreadPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jtorch serve}: answers {@code POST /predict}, {@code GET /health} and {@code GET /metrics}
 * over HTTP until the process is stopped (SIGINT/SIGTERM stop it gracefully).
 */
@Command(name = "serve")
final class ServeCommand extends Subcommand {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--checkpoint") Path checkpoint;
    @Option(names = "--model-dir") Path modelDir;

    @CommandLine.Mixin
    Options.ModelFormat format;

    @Option(names = "--host", defaultValue = "127.0.0.1") String host;
    @Option(names = "--port", defaultValue = "8080", converter = Options.Port.class) int port;

    @CommandLine.Mixin
    Options.DeviceOption device;

    @Option(names = "--max-batch", defaultValue = "32", converter = Options.ServeBatch.class) int maxBatch;
    @Option(names = "--max-wait-ms", defaultValue = "0", converter = Options.WaitMillis.class) long maxWaitMs;
    @Option(names = "--threads", defaultValue = "16", converter = Options.Threads.class) int threads;
    @Option(names = "--queue-capacity", defaultValue = "1024", converter = Options.QueueCapacity.class) int queueCapacity;
    @Option(names = "--timeout-ms", defaultValue = "10000", converter = Options.TimeoutMillis.class) long timeoutMs;
    @Option(names = "--name") String name;
    @Option(names = "--input", paramLabel = "NAME:DTYPE:SHAPE", converter = Options.InputSpec.class) List<TensorSpec> inputs;
    @Option(names = "--workers", defaultValue = "1", converter = Options.Threads.class) int workers;
    @Option(names = "--no-batching") boolean noBatching;

    @Option(names = "--connection-threads", converter = Options.Threads.class, defaultValue = "64") int connectionThreads;
    @Option(names = "--header-timeout-ms", converter = Options.PositiveLong.class, defaultValue = "10000") long headerTimeoutMs;
    @Option(names = "--body-timeout-ms", converter = Options.PositiveLong.class, defaultValue = "30000") long bodyTimeoutMs;
    @Option(names = "--idle-timeout-s", converter = Options.PositiveLong.class, defaultValue = "30") long idleTimeoutS;
    @Option(names = "--max-body-bytes", converter = Options.PositiveLong.class, defaultValue = "8388608") long maxBodyBytes;

    @CommandLine.Mixin
    Options.MaxPixels maxPixels;

    @Override
    public Integer call() throws Exception {
        // the same check as train and eval, before the model file is read
        Cuda.requireAvailable(device.device);
        ThreadPlan plan = ThreadPlan.forServing(workers, Torch.numThreads());
        plan.apply();
        LOG.info("{} worker(s) per model, libtorch {} thread(s) each ({})", workers, plan.intraOp(), plan.why());
        JtorchServer.Options options = new JtorchServer.Options().host(host).port(port).threads(threads)
                .connectionThreads(connectionThreads).headerTimeout(Duration.ofMillis(headerTimeoutMs))
                .bodyTimeout(Duration.ofMillis(bodyTimeoutMs)).idleTimeout(Duration.ofSeconds(idleTimeoutS))
                .maxBodyBytes(maxBodyBytes).maxPixels(maxPixels.value);
        if ((checkpoint == null) == (modelDir == null)) {
            throw usage(
                    "give either --checkpoint FILE or --model-dir DIR (one folder per model)");
        }
        if (modelDir != null && (name != null || inputs != null)) {
            throw usage("--name and --input apply to --checkpoint;"
                    + " with --model-dir each folder names its model and its config.json declares the inputs");
        }
        dev.jtorch.io.Trust trust = format.trust();
        java.util.Map<String, Predictor> predictors = new java.util.LinkedHashMap<>();
        JtorchServer server;
        try {
            if (checkpoint != null) {
                String fileName = checkpoint.getFileName().toString();
                String modelName = name != null ? name
                        : fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
                try {
                    new JtorchServer.Options().modelName(modelName);
                } catch (IllegalArgumentException e) {
                    throw usage((name != null ? "--name: "
                            : "the file name cannot be a model name, pass --name: ") + e.getMessage());
                }
                Predictor.Builder settings = settings();
                if (inputs != null && !inputs.isEmpty()) {
                    try {
                        settings.signature(inputs);
                    } catch (IllegalArgumentException e) {
                        throw usage("--input: " + e.getMessage());
                    }
                }
                predictors.put(modelName, Predictor.open(checkpoint, format.model, settings, trust));
            } else {
                for (ModelRepository.Entry e : ModelRepository.read(modelDir)) {
                    Predictor.Builder settings = settings();
                    if (e.inputs() != null) {
                        settings.signature(e.inputs());
                    }
                    predictors.put(e.name(), Predictor.open(e.file(), e.architecture() != null ? e.architecture()
                            : format.model, settings, trust));
                }
            }
            server = new JtorchServer(predictors, options);
            server.start();
        } catch (Exception e) {
            predictors.values().forEach(Predictor::close);
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "jtorch-serve-stop"));
        PrintWriter out = out();
        out.println("jtorch serve: listening on http://" + host + ":" + server.port() + " (model"
                + (predictors.size() > 1 ? "s " + predictors.keySet() : " " + predictors.keySet().iterator().next())
                + " from " + (checkpoint != null ? checkpoint : modelDir) + ", device " + device.device + ")");
        out.flush();
        server.awaitStop();
        return 0;
    }

    private Predictor.Builder settings() {
        return Predictor.builder(null).device(device.device).maxBatch(maxBatch).maxWait(Duration.ofMillis(maxWaitMs))
                .batching(!noBatching).workers(workers).queueCapacity(queueCapacity).timeout(Duration.ofMillis(timeoutMs));
    }
}

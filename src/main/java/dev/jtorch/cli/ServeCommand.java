package dev.jtorch.cli;

import dev.jtorch.serve.Predictor;
import dev.jtorch.serve.http.JtorchServer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jtorch serve}: answers {@code POST /predict}, {@code GET /health} and {@code GET /metrics}
 * over HTTP until the process is stopped (SIGINT/SIGTERM stop it gracefully).
 */
@Command(name = "serve", description = "Serve a model over HTTP: POST /predict, GET /health, GET /metrics.")
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Mixin
    Options.ModelFile file;


    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8080", converter = Options.Port.class,
            description = "port (default ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @CommandLine.Mixin
    Options.DeviceOption device;

    @Option(names = "--max-batch", defaultValue = "32", converter = Options.ServeBatch.class,
            description = "most images per forward pass (default ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "5", converter = Options.WaitMillis.class,
            description = "longest wait to fill a batch, ms (default ${DEFAULT-VALUE})")
    long maxWaitMs;

    @Option(names = "--threads", defaultValue = "16", converter = Options.Threads.class,
            description = "HTTP handler threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--no-batching", description = "one forward pass per request")
    boolean noBatching;

    @CommandLine.Mixin
    Options.Verbose verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Predictor.Builder settings = Predictor.builder(null).device(device.device).maxBatch(maxBatch)
                .maxWait(Duration.ofMillis(maxWaitMs)).batching(!noBatching);
        Predictor predictor = Predictor.open(file.checkpoint, file.model, settings, file.trust());
        JtorchServer server;
        try {
            server = new JtorchServer(predictor, new JtorchServer.Options().host(host).port(port).threads(threads));
            server.start();
        } catch (Exception e) {
            predictor.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "jtorch-serve-stop"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("jtorch serve: listening on http://" + host + ":" + server.port() + " (model " + file.checkpoint
                + ", device " + predictor.device() + ")");
        out.flush();
        server.awaitStop();
        return 0;
    }
}

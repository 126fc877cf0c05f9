package dev.jtorch.serve.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jtorch.serve.InvalidInputException;
import dev.jtorch.serve.PredictionTimeoutException;
import dev.jtorch.serve.Predictor;
import dev.jtorch.serve.RejectedException;
import dev.jtorch.tensor.Shape;
import dev.jtorch.train.Prediction;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server for one {@link Predictor}, on the JDK's {@code com.sun.net.httpserver} (no extra
 * dependency; a JSON/PNG endpoint needs nothing more, and we choose its executor).
 *
 * <p>Endpoints: {@code POST /predict} (a PNG/JPEG body, or JSON {@code {"pixels": [...]}} for one
 * image or {@code {"pixels": [[...], ...]}} for a batch; {@code ?top_k=K}, default 5) answers the
 * {@code jtorch predict --json} object (or an array of them for a batch); {@code GET /health};
 * {@code GET /metrics} (Prometheus text). Refusals are 4xx with {@code {"error": "..."}}: 400 bad
 * body or {@code top_k}, 404 unknown path, 405 wrong method, 413 body over the limit (checked while
 * reading), 415 unsupported Content-Type; 503 when the predictor is full or times out; 500 for an
 * internal failure, after which the server keeps serving.
 *
 * <p>Handlers run on a bounded pool of {@link Options#threads} threads with a bounded queue; when
 * both are full the accepting thread waits (back-pressure) rather than queueing without limit.
 *
 * <p>Ownership: the server owns the predictor and closes it in {@link #stop()}, after in-flight
 * requests have finished.
 */
public final class JtorchServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JtorchServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_TOP_K = 5;

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm on, the body
        // waits for the client's delayed-ACK timer on every response. Read once when the JDK's server
        // config class loads, so it is set before the first server is created; -D overrides it.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /**
     * Server settings; defaults: host 127.0.0.1, port 8080 (0 = any free port), 16 handler threads,
     * 8 MiB body limit, 1024 images per JSON batch, 30 s grace period on stop.
     */
    public static final class Options {
        String host = "127.0.0.1";
        int port = 8080;
        int threads = 16;
        long maxBodyBytes = 8L << 20;
        int maxBatchImages = 1024;
        Duration stopGrace = Duration.ofSeconds(30);

        /** The address to bind. */
        public Options host(String host) {
            this.host = host;
            return this;
        }

        /** The port; 0 binds any free port (see {@link JtorchServer#port()}). */
        public Options port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
            }
            this.port = port;
            return this;
        }

        /** Handler threads (at least 1). */
        public Options threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** The largest request body accepted, in bytes; larger ones get 413. */
        public Options maxBodyBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be positive, got " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** The most images one JSON batch may hold. */
        public Options maxBatchImages(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxBatchImages must be positive, got " + n);
            }
            this.maxBatchImages = n;
            return this;
        }

        /** How long {@link JtorchServer#stop()} waits for in-flight requests. */
        public Options stopGrace(Duration grace) {
            this.stopGrace = grace;
            return this;
        }
    }

    private final Predictor predictor;
    private final Options options;
    private final RequestParser parser;
    private final ServerMetrics metrics = new ServerMetrics();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private HttpServer http;
    private ThreadPoolExecutor executor;
    private boolean stopCalled;
    private volatile boolean stopping;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * A server for {@code predictor}; not yet listening. PNG/JPEG bodies must have the predictor's
     * input height and width.
     */
    public JtorchServer(Predictor predictor, Options options) {
        this.predictor = predictor;
        this.options = options;
        Shape in = predictor.inputShape();
        this.parser = new RequestParser((int) in.size(0), (int) in.size(1), (int) in.size(2), options.maxBodyBytes,
                options.maxBatchImages);
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException if the address cannot be bound
     * @throws IllegalStateException if already started
     */
    public synchronized JtorchServer start() throws IOException {
        if (http != null) {
            throw new IllegalStateException("server already started");
        }
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(options.threads, options.threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(options.threads * 16), r -> {
                    Thread t = new Thread(r, "jtorch-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, (r, pool) -> {
                    // back-pressure: the accepting thread waits for room instead of queueing unboundedly
                    try {
                        if (pool.isShutdown() || !pool.getQueue().offer(r, 60, TimeUnit.SECONDS)) {
                            throw new RejectedExecutionException("handler queue full");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new RejectedExecutionException(e);
                    }
                });
        http = HttpServer.create(new InetSocketAddress(options.host, options.port), 128);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
        LOG.info("serving on http://{}:{}", options.host, port());
        return this;
    }

    /** The bound port (the actual one when started with port 0). */
    public int port() {
        if (http == null) {
            throw new IllegalStateException("server not started");
        }
        return http.getAddress().getPort();
    }

    /** The request counters behind {@code /metrics}. */
    public ServerMetrics metrics() {
        return metrics;
    }

    /** The predictor this server answers with (owned by the server). */
    public Predictor predictor() {
        return predictor;
    }

    /**
     * Stops listening, lets in-flight requests finish (up to the grace period), then closes the
     * predictor. Idempotent.
     */
    public void stop() {
        synchronized (this) {
            if (stopCalled) {
                return;
            }
            stopCalled = true;
        }
        try {
            if (http != null) {
                // JDK 17's HttpServer.stop(delay) always waits the whole delay (JDK-8304065), so we
                // drain ourselves: refuse new requests (503), wait for in-flight ones, then stop(0)
                stopping = true;
                long deadline = System.nanoTime() + options.stopGrace.toNanos();
                while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                if (inFlight.get() > 0) {
                    LOG.warn("{} requests still running after the {} grace period; stopping anyway", inFlight.get(),
                            options.stopGrace);
                }
                http.stop(0);
                executor.shutdown();
                if (!executor.awaitTermination(options.stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("requests still running after the {} grace period; closing anyway", options.stopGrace);
                    executor.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            predictor.close();
            stopped.countDown();
            LOG.info("server stopped");
        }
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }

    // ------------------------------------------------------------------ handling

    private void handle(HttpExchange ex) {
        long t0 = System.nanoTime();
        int status;
        inFlight.incrementAndGet();
        try {
            if (stopping) {
                ex.getResponseHeaders().set("Connection", "close");
                throw new HttpError(503, "server stopping");
            }
            status = route(ex);
        } catch (HttpError e) {
            status = error(ex, e.status(), e.getMessage());
        } catch (RejectedException e) {
            status = error(ex, 503, (e.closed() ? "server stopping: " : "server busy: ") + e.getMessage());
        } catch (PredictionTimeoutException e) {
            status = error(ex, 503, "prediction timed out: " + e.getMessage());
        } catch (InvalidInputException e) {
            status = error(ex, 400, e.getMessage());
        } catch (IOException e) {
            // the client went away mid-request; nothing to answer
            LOG.debug("I/O error on {}: {}", ex.getRequestURI(), e.toString());
            status = 499;
        } catch (RuntimeException | Error e) {
            LOG.error("internal error on {} {}", ex.getRequestMethod(), ex.getRequestURI(), e);
            status = error(ex, 500, "internal error: " + e);
        } finally {
            ex.close();
            inFlight.decrementAndGet();
        }
        metrics.record(status, System.nanoTime() - t0);
    }

    private int route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        switch (path) {
            case "/predict":
                requireMethod(ex, method, "POST");
                return predict(ex);
            case "/health":
                requireMethod(ex, method, "GET");
                return send(ex, 200, "application/json", "{\"status\":\"ok\"}");
            case "/metrics":
                requireMethod(ex, method, "GET");
                return send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(predictor));
            default:
                throw new HttpError(404, "no such path '" + path + "' (try POST /predict, GET /health, GET /metrics)");
        }
    }

    private static void requireMethod(HttpExchange ex, String method, String allowed) {
        if (!method.equals(allowed) && !(allowed.equals("GET") && method.equals("HEAD"))) {
            ex.getResponseHeaders().set("Allow", allowed);
            throw new HttpError(405, "method " + method + " not allowed on " + ex.getRequestURI().getPath()
                    + " (use " + allowed + ")");
        }
    }

    private int predict(HttpExchange ex) throws IOException {
        int topK = topK(ex.getRequestURI().getRawQuery());
        byte[] body = parser.readBody(ex.getRequestBody(), ex.getRequestHeaders().getFirst("Content-Length"));
        RequestParser.Parsed in = parser.parse(body, ex.getRequestHeaders().getFirst("Content-Type"));
        if (!in.batch()) {
            Predictor.Result r = predictor.predict(in.images().get(0), topK);
            return send(ex, 200, "application/json", JSON.writeValueAsString(new Prediction.Result(0, r.top())));
        }
        List<Predictor.Result> rs = predictor.predictAll(in.images(), topK);
        List<Prediction.Result> out = new ArrayList<>(rs.size());
        for (int i = 0; i < rs.size(); i++) {
            out.add(new Prediction.Result(i, rs.get(i).top()));
        }
        return send(ex, 200, "application/json", JSON.writeValueAsString(out));
    }

    private int topK(String rawQuery) {
        int classes = predictor.classes().size();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Math.min(DEFAULT_TOP_K, classes);
        }
        String value = null;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals("top_k")) {
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        if (value == null) {
            return Math.min(DEFAULT_TOP_K, classes);
        }
        int k;
        try {
            k = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, "top_k must be an integer in [1, " + classes + "], got '" + value + "'");
        }
        if (k < 1 || k > classes) {
            throw new HttpError(400, "top_k must be in [1, " + classes + "], got " + k);
        }
        return k;
    }

    private int error(HttpExchange ex, int status, String message) {
        try {
            if (status == 413) {
                // the unread rest of the body makes this connection unusable for another request
                ex.getResponseHeaders().set("Connection", "close");
            }
            send(ex, status, "application/json", JSON.writeValueAsString(Map.of("error", String.valueOf(message))));
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send the {} answer: {}", status, e.toString());
        }
        return status;
    }

    private static int send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        }
        return status;
    }
}

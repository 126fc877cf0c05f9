package dev.jtorch.serve.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jtorch.data.ImageFiles;
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
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server for one {@link Predictor}, on the JDK's {@code com.sun.net.httpserver} (no extra
 * dependency; a JSON/PNG endpoint needs nothing more, and we choose its executors).
 *
 * <p>Endpoints: {@code POST /predict} (a PNG/JPEG body, or JSON {@code {"pixels": [...]}} for one
 * image or {@code {"pixels": [[...], ...]}} for a batch; {@code ?top_k=K}, default 5) answers the
 * {@code jtorch predict --json} object (or an array of them for a batch); {@code GET /health};
 * {@code GET /metrics} (Prometheus text). Refusals are 4xx with {@code {"error": "..."}}: 400 bad
 * body, image or {@code top_k}, 404 unknown path, 405 wrong method, 413 body over the limit
 * (checked while reading), 415 unsupported Content-Type; 503 when the handlers or the predictor
 * are full, or the prediction times out; 500 for an internal failure, after which the server keeps
 * serving. The JDK server itself answers 400 to a malformed request line, a negative or repeated
 * Content-Length, or Content-Length together with Transfer-Encoding, and 501 to a
 * Transfer-Encoding other than chunked; it closes the connection on too many or too large headers.
 *
 * <p><b>Threads.</b> Two pools. The JDK server reads a request's line and headers on the thread its
 * executor gives it, so the <em>connection</em> pool
 * ({@link Options#connectionThreads(int) JtorchServer.Options.connectionThreads}) reads headers and
 * answers {@code /health} and {@code /metrics} itself; it hands {@code /predict} to the
 * <em>handler</em> pool ({@link Options#threads(int) JtorchServer.Options.threads}, with a bounded
 * queue), which reads the body, waits for the predictor and writes the answer. A busy, blocked or
 * slow predict path therefore never delays {@code /health}. When the handler queue is full the
 * request gets 503 at once; when every connection thread is taken the JDK closes the new connection
 * unanswered.
 *
 * <p><b>Timeouts.</b> A slow client holds a thread only for as long as a deadline allows:
 * {@link Options#headerTimeout(Duration) JtorchServer.Options.headerTimeout} from a request's first
 * byte to the end of its headers,
 * {@link Options#bodyTimeout(Duration) JtorchServer.Options.bodyTimeout} for the whole body
 * (Content-Length or chunked, however slowly it trickles),
 * {@link Options#writeTimeout(Duration) JtorchServer.Options.writeTimeout} for writing an answer. A
 * thread past its deadline is interrupted, which closes the connection (see {@link Deadlines}).
 * Between requests a kept-alive connection holds no thread; the JDK closes it after
 * {@link Options#idleTimeout(Duration) JtorchServer.Options.idleTimeout}, also a connection that
 * never sends a byte. Some limits are the JDK server's own, read from system properties once per
 * JVM when its first server is created, so they are JVM-wide and come from the first
 * {@code JtorchServer} started (a {@code -D} on the command line wins): {@code idleTimeout}
 * ({@code sun.net.httpserver.idleInterval}), {@code maxConnections}
 * ({@code jdk.httpserver.maxConnections}), at most 100 request headers of 64 KiB in all
 * ({@code sun.net.httpserver.maxReqHeaders}, {@code maxReqHeaderSize}), and backstops that close a
 * connection still reading its request or writing its answer long after the deadlines above
 * ({@code sun.net.httpserver.maxReqTime}, {@code maxRspTime}).
 *
 * <p><b>Memory.</b> A request holds at most its body limit (an image body) or its pixels as
 * {@code float}s (JSON, parsed as a stream; see {@link RequestParser}); nothing outlives it.
 *
 * <p>Ownership: the server owns the predictor and closes it in {@link #stop()}, after in-flight
 * requests have finished.
 */
public final class JtorchServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JtorchServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_TOP_K = 5;
    /** The most request headers the JDK server reads (its own default is 200). */
    static final int MAX_REQUEST_HEADERS = 100;
    /** The most bytes of request line and headers (the JDK's own default is 380 KiB). */
    static final int MAX_REQUEST_HEADER_BYTES = 64 << 10;

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm on, the body
        // waits for the client's delayed-ACK timer on every response. Read once when the JDK's server
        // config class loads, so it is set before the first server is created; -D overrides it.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static boolean jdkConfigured;

    /**
     * Sets the JDK server's JVM-wide limits from the first server's options, where no {@code -D}
     * set them; its config class reads them once, when the first {@code HttpServer} is created.
     */
    private static synchronized void configureJdkServer(Options o, Duration predictorTimeout) {
        if (jdkConfigured) {
            return;
        }
        jdkConfigured = true;
        defaultProperty("sun.net.httpserver.idleInterval", seconds(o.idleTimeout));
        // the idle sweep's period (JDK default 10 s): idle connections close within a second of the limit
        defaultProperty("sun.net.httpserver.clockTick", 1000);
        defaultProperty("jdk.httpserver.maxConnections", o.maxConnections);
        defaultProperty("sun.net.httpserver.maxReqHeaders", MAX_REQUEST_HEADERS);
        defaultProperty("sun.net.httpserver.maxReqHeaderSize", MAX_REQUEST_HEADER_BYTES);
        // Backstops only: our deadlines close slow connections first. They also drop the JDK's record
        // of a connection that a deadline closed under a handler (it does not notice that itself).
        // REQUEST lasts from the first byte to the end of the body, RESPONSE from there to the last
        // byte written, prediction included.
        defaultProperty("sun.net.httpserver.maxReqTime", seconds(o.headerTimeout.plus(o.bodyTimeout)) + 60);
        defaultProperty("sun.net.httpserver.maxRspTime",
                seconds(o.writeTimeout.plus(predictorTimeout)) + 60);
    }

    private static void defaultProperty(String key, long value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, Long.toString(value));
        }
    }

    /** Whole seconds, rounded up, at least 1 (the JDK's unit for these properties). */
    private static long seconds(Duration d) {
        long ms = d.toMillis();
        return Math.max(1, (ms + 999) / 1000);
    }

    /**
     * Server settings; defaults: host 127.0.0.1, port 8080 (0 = any free port), 16 handler threads,
     * 64 connection threads, 8 MiB body limit, 1024 images per JSON batch,
     * {@link ImageFiles#DEFAULT_MAX_PIXELS} pixels per image, header timeout 10 s, body timeout
     * 30 s, write timeout 30 s, idle timeout 30 s, 1024 connections, 30 s grace period on stop.
     */
    public static final class Options extends ServerOptionsSetters {
        // the plain setters (host, threads, limits, timeouts, stopGrace) and their fields are generated
        // into ServerOptionsSetters from src/generator/resources/builder_setters.tsv
        int port = 8080;
        String modelName = "model";

        /**
         * The model's name in the inference protocol's paths ({@code /v2/models/NAME/infer});
         * default {@code model}.
         *
         * @throws IllegalArgumentException if empty or not a plain path segment
         */
        public Options modelName(String name) {
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,128}")) {
                throw new IllegalArgumentException("model name must be 1-128 letters, digits, '_', '.' or '-', got "
                        + (name == null ? "null" : "'" + RequestParser.clip(name) + "'"));
            }
            this.modelName = name;
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
    }

    private final Predictor predictor;
    private final Options options;
    private final RequestParser parser;
    /** The inference protocol per model name; the first is {@link #predictor}'s. */
    private final Map<String, InferenceProtocol> models = new java.util.LinkedHashMap<>();
    /** Every model's predictor by name, for {@code /metrics}. */
    private final Map<String, Predictor> predictors;
    private final InferenceProtocol v2;
    private final ServerMetrics metrics = new ServerMetrics();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private HttpServer http;
    private ThreadPoolExecutor connections;
    private ThreadPoolExecutor handlers;
    private Deadlines deadlines;
    private boolean stopCalled;
    private volatile boolean stopping;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * A server for {@code predictor}; not yet listening. PNG/JPEG bodies must have the predictor's
     * input height and width.
     */
    public JtorchServer(Predictor predictor, Options options) {
        this(Map.of(options.modelName, predictor), options);
    }

    /**
     * A server for several models, each under its name in the inference protocol's paths
     * ({@code /v2/models/NAME/...}); the first (in the map's order) also answers
     * {@code POST /predict}. {@code /metrics} has every model's figures, labelled
     * {@code model="NAME"}. The server owns and closes every predictor.
     *
     * @throws IllegalArgumentException if there is no model or a name is not a plain path segment
     */
    public JtorchServer(Map<String, Predictor> models, Options options) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("a server needs at least one model");
        }
        Predictor predictor = models.values().iterator().next();
        for (Map.Entry<String, Predictor> e : models.entrySet()) {
            new Options().modelName(e.getKey()); // the same name check
            this.models.put(e.getKey(), new InferenceProtocol(e.getValue(), e.getKey(), options.maxBodyBytes));
        }
        this.predictor = predictor;
        this.predictors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
        this.options = options;
        Shape in = predictor.inputShape();
        this.parser = new RequestParser((int) in.size(0), (int) in.size(1), (int) in.size(2), options.maxBodyBytes,
                options.maxBatchImages, options.maxPixels);
        this.v2 = this.models.values().iterator().next();
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
        configureJdkServer(options, predictor.timeout());
        deadlines = new Deadlines("jtorch-http-deadlines");
        // no queue: a request is read at once or its connection closed (the JDK closes it when
        // execute throws), never parked behind slow clients
        connections = new ThreadPoolExecutor(options.connectionThreads, options.connectionThreads, 30,
                TimeUnit.SECONDS, new SynchronousQueue<>(), daemons("jtorch-http-conn-"));
        connections.allowCoreThreadTimeOut(true);
        handlers = new ThreadPoolExecutor(options.threads, options.threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(options.threads * 16), daemons("jtorch-http-"));
        try {
            http = HttpServer.create(new InetSocketAddress(options.host, options.port), 128);
        } catch (IOException | RuntimeException e) {
            connections.shutdownNow();
            handlers.shutdownNow();
            deadlines.close();
            throw e;
        }
        http.setExecutor(this::readRequest);
        http.createContext("/", this::handle);
        http.start();
        LOG.info("serving on http://{}:{}", options.host, port());
        return this;
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Runs one JDK exchange (request line and headers, then {@link #handle}) on a connection thread
     * under the header deadline; {@link #handle} disarms it once the headers are in.
     *
     * @throws RejectedExecutionException if every connection thread is taken (the JDK then closes
     *     the connection)
     */
    private void readRequest(Runnable exchange) {
        connections.execute(() -> {
            deadlines.arm(options.headerTimeout);
            try {
                exchange.run();
            } finally {
                if (deadlines.disarm()) {
                    LOG.debug("closed a connection whose headers took over {}", options.headerTimeout);
                }
            }
        });
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
                handlers.shutdown();
                connections.shutdown();
                long left = Math.max(0, deadline - System.nanoTime());
                if (!handlers.awaitTermination(left, TimeUnit.NANOSECONDS)
                        || !connections.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warn("requests still running after the {} grace period; closing anyway", options.stopGrace);
                    handlers.shutdownNow();
                    connections.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (deadlines != null) {
                deadlines.close();
            }
            for (InferenceProtocol m : models.values()) {
                m.close();
            }
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

    /** A request whose connection a deadline closed: nothing can be answered; counted as 408. */
    private static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;

        TimedOut(String message) {
            super(message, null);
        }
    }

    /** The work of one request: the status it answered. */
    private interface Work {
        int run(HttpExchange ex) throws IOException;
    }

    /** On a connection thread, headers read: answers here, or hands a prediction to a handler thread. */
    private void handle(HttpExchange ex) {
        deadlines.disarm();
        long t0 = System.nanoTime();
        inFlight.incrementAndGet();
        String path = ex.getRequestURI().getPath();
        boolean infer = path != null && INFER.matcher(path).matches();
        if (("/predict".equals(path) || infer) && ex.getRequestMethod().equals("POST") && !stopping) {
            try {
                handlers.execute(() -> answer(ex, t0, infer ? this::infer : this::predict));
                return;
            } catch (RejectedExecutionException e) {
                answer(ex, t0, x -> {
                    throw new HttpError(503, "server busy: all " + options.threads + " handler threads are busy and "
                            + options.threads * 16 + " requests are queued; retry later");
                });
                return;
            }
        }
        answer(ex, t0, this::route);
    }

    /** Runs {@code work}, answers what it throws, closes the exchange and counts it. */
    private void answer(HttpExchange ex, long t0, Work work) {
        int status;
        try {
            if (stopping) {
                ex.getResponseHeaders().set("Connection", "close");
                throw new HttpError(503, "server stopping");
            }
            status = work.run(ex);
        } catch (HttpError e) {
            status = error(ex, e.status(), e.getMessage());
        } catch (RejectedException e) {
            status = error(ex, 503, (e.closed() ? "server stopping: " : "server busy: ") + e.getMessage());
        } catch (PredictionTimeoutException e) {
            status = error(ex, 503, "prediction timed out: " + e.getMessage());
        } catch (InvalidInputException e) {
            status = error(ex, 400, e.getMessage());
        } catch (TimedOut e) {
            LOG.debug("{} {}: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.getMessage());
            status = 408;
        } catch (IOException e) {
            // the client went away mid-request; nothing to answer
            LOG.debug("I/O error on {}: {}", ex.getRequestURI().getPath(), e.toString());
            status = 499;
        } catch (RuntimeException | Error e) {
            LOG.error("internal error on {} {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
            status = error(ex, 500, "internal error: " + e);
        } finally {
            // without an answer sent, this closes the connection
            ex.close();
            inFlight.decrementAndGet();
        }
        metrics.record(status, System.nanoTime() - t0);
    }

    private static final java.util.regex.Pattern INFER =
            java.util.regex.Pattern.compile("/v2/models/([^/]+)(/versions/[^/]+)?/infer");
    private static final java.util.regex.Pattern MODEL =
            java.util.regex.Pattern.compile("/v2/models/([^/]+)(/versions/([^/]+))?(/ready)?");

    private int route(HttpExchange ex) throws IOException {
        // an opaque request URI (mailto:x) has no path
        String path = String.valueOf(ex.getRequestURI().getPath());
        String method = ex.getRequestMethod();
        if (path.startsWith("/v2")) {
            return routeV2(ex, path, method);
        }
        switch (path) {
            case "/predict":
                requireMethod(ex, method, "POST");
                return predict(ex);
            case "/health":
                requireMethod(ex, method, "GET");
                return send(ex, 200, "application/json", "{\"status\":\"ok\"}");
            case "/metrics":
                requireMethod(ex, method, "GET");
                return send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(predictors));
            default:
                throw new HttpError(404, "no such path '" + RequestParser.clip(path)
                        + "' (try POST /predict, GET /health, GET /metrics)");
        }
    }

    /** The Open Inference Protocol's name of a dtype ({@code FP32}, {@code INT64}, {@code BOOL}...). */
    public static String datatype(dev.jtorch.DType dtype) {
        return InferenceProtocol.datatype(dtype);
    }

    /** The dtype of an Open Inference Protocol datatype name, or null if jtorch has none for it. */
    public static dev.jtorch.DType dtype(String datatype) {
        return InferenceProtocol.dtype(datatype);
    }

    /** The Open Inference Protocol's GET endpoints (infer runs on a handler thread). */
    private int routeV2(HttpExchange ex, String path, String method) throws IOException {
        String type = "application/json";
        switch (path) {
            case "/v2":
                requireMethod(ex, method, "GET");
                return send(ex, 200, type, v2.serverMetadata());
            case "/v2/health/live":
                requireMethod(ex, method, "GET");
                return send(ex, 200, type, "{\"live\":true}");
            case "/v2/health/ready": {
                requireMethod(ex, method, "GET");
                boolean ready = models.values().stream().allMatch(InferenceProtocol::ready);
                return send(ex, ready ? 200 : 503, type, "{\"ready\":" + ready + "}");
            }
            default:
                break;
        }
        if (INFER.matcher(path).matches()) {
            requireMethod(ex, method, "POST");
            return infer(ex);
        }
        java.util.regex.Matcher m = MODEL.matcher(path);
        if (!m.matches()) {
            throw new HttpError(404, "no such path '" + RequestParser.clip(path) + "' (the inference protocol's: /v2,"
                    + " /v2/health/live, /v2/health/ready, /v2/models/NAME[/ready|/infer])");
        }
        requireMethod(ex, method, "GET");
        InferenceProtocol model = model(m.group(1));
        if (m.group(3) != null && !m.group(3).equals(InferenceProtocol.VERSION)) {
            throw new HttpError(404, "model '" + m.group(1) + "' has no version '" + RequestParser.clip(m.group(3))
                    + "' (it has version " + InferenceProtocol.VERSION + ")");
        }
        if (m.group(4) != null) {
            return send(ex, model.ready() ? 200 : 503, type, model.modelReady());
        }
        return send(ex, 200, type, model.modelMetadata());
    }

    /** The protocol of the model called {@code name}; a 404 naming the models served if none. */
    private InferenceProtocol model(String name) {
        InferenceProtocol p = models.get(name);
        if (p == null) {
            throw new HttpError(404, "unknown model '" + RequestParser.clip(name) + "' (this server serves "
                    + models.keySet() + ")");
        }
        return p;
    }

    /** {@code POST /v2/models/NAME[/versions/V]/infer}, on a handler thread. */
    private int infer(HttpExchange ex) throws IOException {
        java.util.regex.Matcher m = INFER.matcher(String.valueOf(ex.getRequestURI().getPath()));
        if (!m.matches()) {
            throw new HttpError(404, "no such path");
        }
        InferenceProtocol model = model(m.group(1));
        if (m.group(2) != null && !m.group(2).equals("/versions/" + InferenceProtocol.VERSION)) {
            throw new HttpError(404, "model '" + m.group(1) + "' has only version " + InferenceProtocol.VERSION);
        }
        InferenceProtocol.Request request = readBody(() -> model.parse(ex.getRequestBody(),
                ex.getRequestHeaders().getFirst("Content-Length")));
        String answer;
        try {
            answer = model.run(request);
        } catch (dev.jtorch.TorchOutOfMemoryException e) {
            throw e;
        } catch (dev.jtorch.TorchException e) {
            // the tensors fit the signature but the model refused their values (a token id past the
            // vocabulary, a shape its forward cannot take): the request's fault, and the server goes on
            throw new HttpError(400, "the model failed on this input: " + e.getMessage());
        }
        return send(ex, 200, "application/json", answer);
    }

    /** Reads and parses a request body; {@link #readBody} runs it under the body deadline. */
    @FunctionalInterface
    private interface BodyReader<T> {
        T read() throws IOException;
    }

    /**
     * {@code read} under {@link Options#bodyTimeout}: a body not in by then fails with
     * {@link TimedOut}, also when the deadline's interrupt ended the read with an IOException or
     * fired just after it (the connection may then be closed between two reads: answer nothing).
     */
    private <T> T readBody(BodyReader<T> read) throws IOException {
        deadlines.arm(options.bodyTimeout);
        boolean late;
        T value;
        try {
            value = read.read();
        } catch (IOException e) {
            if (deadlines.disarm()) {
                throw new TimedOut("request body not received within " + options.bodyTimeout.toMillis() + " ms");
            }
            throw e;
        } finally {
            late = deadlines.disarm();
        }
        if (late) {
            throw new TimedOut("request body not read within " + options.bodyTimeout.toMillis() + " ms");
        }
        return value;
    }

    private static void requireMethod(HttpExchange ex, String method, String allowed) {
        if (!method.equals(allowed) && !(allowed.equals("GET") && method.equals("HEAD"))) {
            ex.getResponseHeaders().set("Allow", allowed);
            throw new HttpError(405, "method " + RequestParser.clip(method) + " not allowed on "
                    + ex.getRequestURI().getPath() + " (use " + allowed + ")");
        }
    }

    /** On a handler thread (on a connection thread only in a race with {@link #stop()}). */
    private int predict(HttpExchange ex) throws IOException {
        int topK = topK(ex.getRequestURI().getRawQuery());
        RequestParser.Parsed in = readBody(() -> parser.parse(ex.getRequestBody(),
                ex.getRequestHeaders().getFirst("Content-Type"), ex.getRequestHeaders().getFirst("Content-Length")));
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
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals("top_k")) {
                if (value != null) {
                    throw new HttpError(400, "top_k given twice");
                }
                value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        if (value == null) {
            return Math.min(DEFAULT_TOP_K, classes);
        }
        int k;
        try {
            // parseInt refuses what overflows an int, so no huge value wraps into range
            k = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, "top_k must be an integer in [1, " + classes + "], got '"
                    + RequestParser.clip(value) + "'");
        }
        if (k < 1 || k > classes) {
            throw new HttpError(400, "top_k must be in [1, " + classes + "], got " + k);
        }
        return k;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // a bad %-escape: the client's error, not ours
            throw new HttpError(400, "malformed query string: " + e.getMessage());
        }
    }

    private int error(HttpExchange ex, int status, String message) {
        try {
            boolean discard = status != 503 && ex.getRequestMethod().equals("POST");
            if (status == 413 || status == 503) {
                // an unread body makes this connection unusable for another request
                ex.getResponseHeaders().set("Connection", "close");
            }
            send(ex, status, "application/json", JSON.writeValueAsString(Map.of("error", String.valueOf(message))),
                    discard);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send the {} answer: {}", status, e.toString());
        }
        return status;
    }

    private int send(HttpExchange ex, int status, String type, String body) throws IOException {
        return send(ex, status, type, body, false);
    }

    /**
     * Writes an answer under the write deadline; with {@code discardBody}, then drops what is left
     * of the request body (see {@link RequestParser#discard}), after the answer has been flushed so
     * that a client still sending reads it.
     */
    private int send(HttpExchange ex, int status, String type, String body, boolean discardBody) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        deadlines.arm(options.writeTimeout);
        try {
            ex.sendResponseHeaders(status, head ? -1 : bytes.length);
            OutputStream os = ex.getResponseBody();
            if (!head) {
                os.write(bytes);
            }
            if (discardBody) {
                os.flush();
                RequestParser.discard(ex.getRequestBody());
            }
            // closing reads up to 64 KiB of an unread body (the JDK's drain), also under the deadline
            os.close();
        } catch (IOException e) {
            if (deadlines.disarm()) {
                throw new TimedOut("answer not taken within " + options.writeTimeout.toMillis() + " ms");
            }
            throw e;
        } finally {
            deadlines.disarm();
        }
        return status;
    }
}

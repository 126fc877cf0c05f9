package dev.jtorch.serve;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.TorchException;
import dev.jtorch.autograd.InferenceMode;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.internal.ThreadChoice;
import dev.jtorch.io.ScriptModule;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.train.ModelLoader;
import dev.jtorch.train.Prediction;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a model for many concurrent callers by queueing their requests and running them in dynamic
 * batches, one forward pass per batch, on worker threads that share the model: images for a
 * classifier ({@link #predict}) or named tensors for any model ({@link #infer}).
 *
 * <pre>{@code
 * try (Predictor p = Predictor.builder(model).classes(names).inputShape(1, 28, 28).build()) {
 *     Predictor.Result r = p.predict(pixels, 3);        // from any thread
 * }
 * }</pre>
 *
 * <p><b>Batching.</b> A free worker takes everything queued, up to {@code maxBatch} images (or
 * stacked tensor rows), at once, and runs one forward inside its own {@link TensorScope} and
 * {@link InferenceMode}. The default {@code maxWait} is zero: the batch is what queued up while the
 * previous forward ran, so a lone request never waits for company and batches grow exactly when
 * the model is the bottleneck (waiting for company cut a small model's throughput to a third at 16
 * connections). A positive {@code maxWait} bounds an adaptive wait, taken only when the queue is
 * empty and requests have lately been arriving closer together than the bound. A request of more
 * than {@code maxBatch} images (see {@link #predictAll}) is split over consecutive batches. With
 * {@code batching(false)} every request runs in a forward of its own.
 *
 * <p><b>Ownership and threads.</b> The predictor owns the model from {@link Builder#build()} on and
 * closes it in {@link #close()}; only its workers touch it after build
 * ({@link Builder#workers(int) Predictor.Builder.workers}: several run forwards on the same weights
 * at once, which inference allows since it only reads them). Inputs are copied into the batch and
 * results are plain Java arrays: no tensor outlives a batch. Input checks run on the caller's
 * thread ({@link InvalidInputException}); a full queue or a closed predictor rejects at once
 * ({@link RejectedException}); a request not done within {@code timeout} fails with
 * {@link PredictionTimeoutException} and is dropped if it had not started. A failing forward fails
 * only the requests of its batch. The futures of {@link #submit} are completed on a worker thread,
 * so dependent actions that block should use the {@code *Async} variants.
 */
public final class Predictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Predictor.class);
    private static final AtomicInteger SERIAL = new AtomicInteger();
    private static final int LATENCY_WINDOW = 4096;

    /** Where a request is: waiting in the queue, taken by a worker, or dropped by its timeout. */
    private enum State { QUEUED, RUNNING, CANCELLED }

    /** Wakes the worker at close; never a real request. */
    private static final Request POISON = new Request(new float[0][], 1, null, 0);

    private final Module model;
    private final List<TensorSpec> inputs;
    private final boolean classifier;
    /** Tensor requests stack along dim 0: batching is on and every input's first size is -1. */
    private final boolean stackable;
    private final List<String> classes;
    private final int channels;
    private final int height;
    private final int width;
    private final int inputSize;
    private final Device device;
    /**
     * Per input shape, whether an eager model's forward runs on the intra-op threads or on the
     * worker's thread alone (a {@link ScriptModule} makes this choice itself): small batches split
     * over passively waiting OpenMP threads can take longer than one thread (internal.ThreadChoice).
     * Bounded: shapes beyond {@link #MAX_THREAD_CHOICES} run as they are.
     */
    private final Map<Shape, Optional<ThreadChoice>> threadChoices = new ConcurrentHashMap<>();
    private static final int MAX_THREAD_CHOICES = 64;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final int queueCapacity;
    private final Duration timeout;
    private final boolean batching;

    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    /** One permit per free queue slot: bounds the queue without blocking the poison pill. */
    private final Semaphore slots;
    /** Submissions hold the read lock, close() the write lock: nothing is queued behind the poison pill. */
    private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private final Thread[] workers;
    /** Workers still running; the last one out closes the model. */
    private final AtomicInteger running;
    private final ScheduledThreadPoolExecutor timer;
    /**
     * Mean gap between submissions (an exponentially weighted average, ns) and the last one's time:
     * the adaptive wait's estimate of when company will come. Updated racily by submitting threads;
     * a lost update only blurs an estimate.
     */
    private volatile long arrivalGapNanos = Long.MAX_VALUE;
    /** Submission time of the latest request; 0 before the first. */
    private volatile long lastArrivalNanos;
    /** Waits for company in a row that ended with nobody. */
    private final AtomicInteger fruitlessWaits = new AtomicInteger();
    private static final int FRUITLESS_LIMIT = 2;
    /** After fruitless waits, one batch in {@code PROBE_EVERY + 1} waits again. */
    private static final int PROBE_EVERY = 31;

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong images = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLongArray batchSizes;
    private final long[] latencies = new long[LATENCY_WINDOW];
    private long latencyCount;
    private long latencyTotal;
    private long latencyMax;

    private Predictor(Builder b, Module model, List<String> classes) {
        this.model = model;
        this.classifier = b.signature == null;
        this.inputs = b.signature != null ? b.signature
                : List.of(new TensorSpec("input", DType.FLOAT32, new long[] {-1, b.channels, b.height, b.width}));
        this.stackable = b.batching && inputs.stream().allMatch(
                t -> t.shape() != null && t.shape().length > 0 && t.shape()[0] == -1 && t.dtype() != null);
        this.classes = classes;
        this.channels = b.channels;
        this.height = b.height;
        this.width = b.width;
        this.inputSize = b.channels * b.height * b.width;
        this.device = b.device;
        this.maxBatch = b.maxBatch;
        this.maxWaitNanos = b.maxWait.toNanos();
        this.queueCapacity = b.queueCapacity;
        this.timeout = b.timeout;
        this.batching = b.batching;
        this.slots = new Semaphore(b.queueCapacity);
        this.batchSizes = new AtomicLongArray(b.maxBatch + 1);
        int serial = SERIAL.incrementAndGet();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jtorch-predictor-" + serial + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.workers = new Thread[b.workers];
        this.running = new AtomicInteger(b.workers);
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Thread(new Worker(), "jtorch-predictor-" + serial + (workers.length > 1 ? "-" + i : ""));
            workers[i].setDaemon(true);
        }
    }

    // ================================================================ construction

    /**
     * A builder for a predictor serving {@code model}; the predictor owns the model from
     * {@link Builder#build()} on (also if build throws) and closes it.
     *
     * @param model the model; may be null only for a builder used as settings of {@link #open}
     */
    public static Builder builder(Module model) {
        return new Builder(model);
    }

    /**
     * A predictor for the model in {@code modelFile}, loaded by {@link ModelLoader} as data
     * (checkpoint, state dict or safetensors; TorchScript is refused), with the input shape of its architecture and the class
     * names it records, unless {@code settings} sets them.
     *
     * @param requestedOrNull the architecture ({@code --model}), or null for the file's own / the default
     * @param settings batching, device, timeout...; its model is ignored; null for the defaults
     * @throws IllegalArgumentException if the file does not fit the architecture, settings' class
     *     names are not one per output of the model, or settings name a CUDA device and CUDA is not
     *     available (checked before the file is read)
     * @throws dev.jtorch.io.ModelFileException naming the file if it is no model file
     * @throws IOException if it cannot be read
     */
    public static Predictor open(Path modelFile, Architecture requestedOrNull, Builder settings) throws IOException {
        return open(modelFile, requestedOrNull, settings, dev.jtorch.io.Trust.DATA);
    }

    /**
     * As {@link #open(Path, Architecture, Builder)}, with {@code trust} deciding whether a
     * TorchScript archive may be loaded: it is code, run at load and on every request, so only
     * {@link dev.jtorch.io.Trust#CODE} allows it.
     *
     * @throws dev.jtorch.io.ModelFileException naming the file if it is TorchScript and
     *     {@code trust} is {@link dev.jtorch.io.Trust#DATA}
     */
    public static Predictor open(Path modelFile, Architecture requestedOrNull, Builder settings,
                                 dev.jtorch.io.Trust trust) throws IOException {
        // before loading, as train and eval do: a missing GPU is an argument error, whatever the file
        Cuda.requireAvailable(settings != null ? settings.device : Device.CPU);
        if (settings != null && settings.signature != null
                && dev.jtorch.io.ModelFiles.detect(modelFile) == dev.jtorch.io.ModelKind.TORCHSCRIPT) {
            // a declared signature: any TorchScript model, no image probe
            if (trust != dev.jtorch.io.Trust.CODE) {
                throw dev.jtorch.io.ModelFiles.codeRefused(modelFile);
            }
            Builder b = new Builder(ScriptModule.load(modelFile));
            b.copySettings(settings);
            b.signature = settings.signature;
            return b.build();
        }
        ModelLoader.Loaded loaded;
        try {
            loaded = ModelLoader.load(modelFile, requestedOrNull, trust);
        } catch (IllegalArgumentException notImages) {
            Predictor p = openScriptBySchema(modelFile, settings, trust, notImages);
            if (p == null) {
                throw notImages;
            }
            return p;
        }
        Builder b = new Builder(loaded.model());
        Architecture arch = loaded.architecture();
        b.channels = arch.channels();
        b.height = arch.height();
        b.width = arch.width();
        b.classes = loaded.classes();
        if (settings != null) {
            b.copySettings(settings);
            b.signature = settings.signature;
            if (settings.shapeSet) {
                b.channels = settings.channels;
                b.height = settings.height;
                b.width = settings.width;
            }
            if (settings.classes != null) {
                if (settings.classes.size() != loaded.classes().size()) {
                    loaded.model().close();
                    throw new IllegalArgumentException(modelFile + " has " + loaded.classes().size()
                            + " classes, but " + settings.classes.size() + " class names were given");
                }
                b.classes = settings.classes;
            }
        }
        return b.build();
    }

    /**
     * A TorchScript model that is no image classifier, served as named tensors with the signature
     * its {@code forward} declares (names; any dtype and shape); null if the file is not
     * TorchScript or {@code forward} takes other arguments than tensors.
     */
    private static Predictor openScriptBySchema(Path modelFile, Builder settings, dev.jtorch.io.Trust trust,
                                                IllegalArgumentException why) throws IOException {
        if (trust != dev.jtorch.io.Trust.CODE
                || dev.jtorch.io.ModelFiles.detect(modelFile) != dev.jtorch.io.ModelKind.TORCHSCRIPT) {
            return null;
        }
        ScriptModule m = ScriptModule.load(modelFile);
        List<TensorSpec> inputs = new ArrayList<>();
        try {
            for (Map.Entry<String, String> a : m.forwardSchema().entrySet()) {
                if (!a.getValue().equals("Tensor")) {
                    m.close();
                    return null;
                }
                inputs.add(TensorSpec.any(a.getKey()));
            }
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        if (inputs.isEmpty()) {
            m.close();
            return null;
        }
        LOG.info("{} is not an image classifier ({}); serving it as named tensors {} (declare dtypes and shapes"
                + " with serve --input or Builder.signature)", modelFile, why.getMessage(), inputs);
        Builder b = new Builder(m);
        if (settings != null) {
            b.copySettings(settings);
        }
        b.signature = List.copyOf(inputs);
        return b.build();
    }

    /** Settings of a {@link Predictor}; every setter returns this builder. */
    public static final class Builder extends PredictorBuilderSetters {
        // the plain setters (device, maxBatch, maxWait, queueCapacity, timeout, workers, batching) and
        // their fields are generated into PredictorBuilderSetters from src/generator/resources/builder_setters.tsv
        private Module model;
        private boolean built;
        private List<String> classes;
        private int channels = 1;
        private int height = 28;
        private int width = 28;
        private boolean shapeSet;
        private List<TensorSpec> signature;

        private Builder(Module model) {
            this.model = model;
        }

        /**
         * Class names, one per model output, in output order. Default: learnt by one probe forward
         * at build, named {@code "0"}, {@code "1"}, ...
         *
         * @throws IllegalArgumentException if empty or containing null
         */
        public Builder classes(List<String> names) {
            if (names == null || names.isEmpty() || names.stream().anyMatch(Objects::isNull)) {
                throw new IllegalArgumentException("classes must be a non-empty list of names, got " + names);
            }
            this.classes = List.copyOf(names);
            return this;
        }

        /**
         * The image shape {@code C x H x W} each request's pixels have (row-major); default 1x28x28.
         *
         * @throws IllegalArgumentException if a size is not positive
         */
        public Builder inputShape(int c, int h, int w) {
            if (c < 1 || h < 1 || w < 1) {
                throw new IllegalArgumentException("input shape must be positive, got " + c + "x" + h + "x" + w);
            }
            this.channels = c;
            this.height = h;
            this.width = w;
            this.shapeSet = true;
            return this;
        }

        /**
         * Declares the model's inputs and makes this a predictor of named tensors ({@link
         * Predictor#infer}): no probe forward, no image classification. A Java module takes one
         * input; a TorchScript module as many as its {@code forward} declares, in this order.
         *
         * @throws IllegalArgumentException if empty or two inputs share a name
         */
        public Builder signature(List<TensorSpec> inputs) {
            if (inputs == null || inputs.isEmpty()) {
                throw new IllegalArgumentException("a signature needs at least one input");
            }
            if (inputs.stream().map(TensorSpec::name).distinct().count() != inputs.size()) {
                throw new IllegalArgumentException("two inputs share a name in " + inputs);
            }
            this.signature = List.copyOf(inputs);
            return this;
        }

        /**
         * Puts the model in eval mode, moves it to the device, and starts the workers. Without
         * {@link #classes} one probe forward on a zero image learns the number of classes and checks
         * the input shape.
         *
         * @throws IllegalStateException if this builder has no model or was already built
         * @throws IllegalArgumentException if the probe forward fails or does not return {@code [1, K]}
         *     scores; the model is closed then
         */
        public Predictor build() {
            if (model == null) {
                throw new IllegalStateException("Predictor.builder(null) has no model to build with");
            }
            if (built) {
                throw new IllegalStateException("Predictor.Builder.build() called twice: the first predictor owns the model");
            }
            built = true;
            Module m = model;
            try {
                Cuda.requireAvailable(device);
                m.eval();
                m.to(device);
                if (signature != null && signature.size() > 1 && !(m instanceof ScriptModule)) {
                    throw new IllegalArgumentException("a Java module takes one input; the signature declares "
                            + signature.size() + " (" + signature + ")");
                }
                List<String> names = signature != null ? List.of() : classes != null ? classes : probeClasses(m);
                Predictor p = new Predictor(this, m, names);
                for (Thread w : p.workers) {
                    w.start();
                }
                return p;
            } catch (RuntimeException | Error e) {
                m.close();
                throw e;
            }
        }

        private List<String> probeClasses(Module m) {
            Shape in = Shape.of(1, channels, height, width);
            try (NoGrad g = NoGrad.enter(); TensorScope s = TensorScope.open()) {
                Shape out;
                try {
                    out = m.forward(Tensor.zeros(in, DType.FLOAT32, device)).shape();
                } catch (TorchException e) {
                    throw new IllegalArgumentException("the model does not accept " + channels + "x" + height + "x"
                            + width + " images (" + in + "): " + e.getMessage(), e);
                }
                if (out.rank() != 2 || out.size(0) != 1 || out.size(1) < 1) {
                    throw new IllegalArgumentException("the model maps " + in + " to " + out + ", not to [1, K] class scores");
                }
                List<String> names = new ArrayList<>();
                for (int i = 0; i < out.size(1); i++) {
                    names.add(String.valueOf(i));
                }
                return List.copyOf(names);
            }
        }
    }

    // ================================================================ results and statistics

    /**
     * The prediction for one image.
     *
     * @param probabilities softmax probability of every class, in class order
     * @param top the {@code topK} most probable classes, most probable first (ties: lower index first)
     */
    public record Result(double[] probabilities, List<Prediction.Top> top) {}

    /**
     * Latencies from submission to result, in milliseconds.
     *
     * @param count requests completed successfully
     * @param meanMs mean over all of them
     * @param maxMs maximum over all of them
     * @param p50Ms median over the latest 4096
     * @param p90Ms 90th percentile over the latest 4096
     * @param p99Ms 99th percentile over the latest 4096
     */
    public record Latency(long count, double meanMs, double maxMs, double p50Ms, double p90Ms, double p99Ms) {}

    /**
     * Counters since build.
     *
     * @param requests requests accepted into the queue (a {@link #predictAll} is one)
     * @param images images in those requests
     * @param batches forward passes run
     * @param completed requests answered with results
     * @param errors requests failed by their forward pass
     * @param rejected requests refused because the queue was full or the predictor closed
     * @param timeouts requests that ran past the timeout
     * @param invalid requests refused for bad input
     * @param queueDepth requests waiting now
     * @param batchSizes number of forward passes per batch size (images), sizes with none left out
     * @param latency latency summary of completed requests
     */
    public record Stats(long requests, long images, long batches, long completed, long errors, long rejected,
                        long timeouts, long invalid, int queueDepth, SortedMap<Integer, Long> batchSizes,
                        Latency latency) {}

    /** A snapshot of the counters; cheap, callable from any thread. */
    public Stats stats() {
        SortedMap<Integer, Long> sizes = new TreeMap<>();
        for (int i = 1; i < batchSizes.length(); i++) {
            long n = batchSizes.get(i);
            if (n > 0) {
                sizes.put(i, n);
            }
        }
        Latency lat;
        synchronized (latencies) {
            int n = (int) Math.min(latencyCount, LATENCY_WINDOW);
            long[] window = Arrays.copyOf(latencies, n);
            Arrays.sort(window);
            lat = new Latency(latencyCount, latencyCount == 0 ? 0 : latencyTotal / 1e6 / latencyCount,
                    latencyMax / 1e6, percentile(window, 0.50), percentile(window, 0.90), percentile(window, 0.99));
        }
        return new Stats(requests.get(), images.get(), batches.get(), completed.get(), errors.get(), rejected.get(),
                timeouts.get(), invalid.get(), queue.size(), Collections.unmodifiableSortedMap(sizes), lat);
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private void recordLatency(long nanos) {
        synchronized (latencies) {
            latencies[(int) (latencyCount % LATENCY_WINDOW)] = nanos;
            latencyCount++;
            latencyTotal += nanos;
            latencyMax = Math.max(latencyMax, nanos);
        }
    }

    // ================================================================ accessors

    /** Number of values per image: {@code C * H * W}. */
    public int inputSize() {
        return inputSize;
    }

    /** The image shape {@code [C, H, W]}. */
    public Shape inputShape() {
        return Shape.of(channels, height, width);
    }

    /** Class names, in output order. */
    public List<String> classes() {
        return classes;
    }

    /** The device batches run on. */
    public Device device() {
        return device;
    }

    /** The most images per forward pass. */
    public int maxBatch() {
        return maxBatch;
    }

    /** The longest the worker waits to fill a batch (the wait itself adapts to the arrival rate). */
    public Duration maxWait() {
        return Duration.ofNanos(maxWaitNanos);
    }

    /** Worker threads running batches on the model. */
    public int workers() {
        return workers.length;
    }

    /** The most requests waiting in the queue. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** How long a request may take. */
    public Duration timeout() {
        return timeout;
    }

    /** Whether requests are batched together. */
    public boolean batching() {
        return batching;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    // ================================================================ requests

    /**
     * Classifies one image, blocking until done.
     *
     * @param pixels {@code C*H*W} values, row-major, used as given (no scaling)
     * @param topK how many classes {@link Result#top} lists, in [1, classes]
     * @throws InvalidInputException naming the problem (length, index and value of a NaN/infinite pixel, topK)
     * @throws RejectedException if the queue is full or the predictor closed
     * @throws PredictionTimeoutException if no result came within the timeout
     * @throws TorchException if the forward pass of its batch failed
     */
    public Result predict(float[] pixels, int topK) {
        return await(enqueue(List.of(checkedImage(pixels, -1)), topK)).get(0);
    }

    /**
     * Classifies several images as one request: queued together, run in one or more consecutive
     * batches, answered together.
     *
     * @return one result per image, in order
     * @throws InvalidInputException naming the image and the problem, or if {@code images} is empty
     * @throws RejectedException if the queue is full or the predictor closed
     * @throws PredictionTimeoutException if not done within the timeout
     * @throws TorchException if a forward pass failed
     */
    public List<Result> predictAll(List<float[]> images, int topK) {
        if (images == null || images.isEmpty()) {
            invalid.incrementAndGet();
            throw new InvalidInputException("no images to predict");
        }
        List<float[]> checked = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            checked.add(checkedImage(images.get(i), i));
        }
        return await(enqueue(checked, topK));
    }

    /**
     * Queues one image and returns at once. The future completes on the worker thread with the
     * result, or exceptionally with {@link PredictionTimeoutException} or the forward's
     * {@link TorchException}.
     *
     * @throws InvalidInputException naming the problem (thrown here, not through the future)
     * @throws RejectedException if the queue is full or the predictor closed (thrown here)
     */
    public CompletableFuture<Result> submit(float[] pixels, int topK) {
        return enqueue(List.of(checkedImage(pixels, -1)), topK).future.thenApply(l -> ((List<?>) l).get(0))
                .thenApply(Result.class::cast);
    }

    /**
     * Runs the model on named tensors and returns its result as named tensors: any model, any
     * dtypes and shapes its {@link #signature()} allows. The request queues with the others; when
     * batching is on and every input's first size is declared {@code -1}, requests that queued
     * meanwhile with the same dtypes and other sizes run in one forward, stacked along dim 0, and
     * each gets its own rows back (a stacked forward that fails runs them one by one).
     *
     * <p>Outputs: a tensor result is {@code "output"}; a tuple or list of tensors
     * {@code "output0"}, {@code "output1"}...; a dict of tensors keeps its keys.
     *
     * @param inputs one entry per input of the signature, by name
     * @throws InvalidInputException naming the input, the expected dtype or shape and the one
     *     received, a missing input or an unknown one (thrown here, before queueing)
     * @throws RejectedException if the queue is full or the predictor closed
     * @throws PredictionTimeoutException if no result came within the timeout
     * @throws TorchException if the model fails or returns something other than tensors
     */
    public Map<String, TensorData> infer(Map<String, TensorData> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        for (TensorSpec spec : this.inputs) {
            TensorData t = inputs.get(spec.name());
            if (t == null) {
                invalid.incrementAndGet();
                throw new InvalidInputException("missing input '" + spec.name() + "' (the model's inputs: "
                        + this.inputs + ")");
            }
            String why = spec.mismatch(t);
            if (why != null) {
                invalid.incrementAndGet();
                throw new InvalidInputException(why);
            }
        }
        if (inputs.size() != this.inputs.size()) {
            for (String name : inputs.keySet()) {
                if (this.inputs.stream().noneMatch(s -> s.name().equals(name))) {
                    invalid.incrementAndGet();
                    throw new InvalidInputException("unknown input '" + name + "' (the model's inputs: " + this.inputs
                            + ")");
                }
            }
        }
        Request r = submitRequest(new Request(new float[0][], 0, Map.copyOf(inputs), System.nanoTime()), 0);
        @SuppressWarnings("unchecked")
        Map<String, TensorData> out = (Map<String, TensorData>) awaitAny(r);
        return out;
    }

    /** The inputs {@link #infer} takes, in the order the model receives them. */
    public List<TensorSpec> signature() {
        return inputs;
    }

    /** Whether this predictor classifies images ({@link #predict}); else it serves tensors only. */
    public boolean isClassifier() {
        return classifier;
    }

    private void requireClassifier() {
        if (!classifier) {
            throw new IllegalStateException("this predictor serves named tensors (it was built with a signature);"
                    + " call infer(...), not the image classifier's predict");
        }
    }

    private float[] checkedImage(float[] px, int image) {
        requireClassifier();
        String which = image < 0 ? "" : "image " + image + ": ";
        if (px == null) {
            invalid.incrementAndGet();
            throw new InvalidInputException(which + "no pixels (null)");
        }
        if (px.length != inputSize) {
            invalid.incrementAndGet();
            throw new InvalidInputException(which + "expected " + inputSize + " values (" + channels + "x" + height
                    + "x" + width + "), got " + px.length);
        }
        for (int i = 0; i < px.length; i++) {
            float v = px[i];
            if (Float.isNaN(v) || Float.isInfinite(v)) {
                invalid.incrementAndGet();
                throw new InvalidInputException(which + "value " + i + " is " + v + " (pixels must be finite)");
            }
        }
        return px;
    }

    private Request enqueue(List<float[]> imgs, int topK) {
        requireClassifier();
        if (topK < 1 || topK > classes.size()) {
            invalid.incrementAndGet();
            throw new InvalidInputException("topK must be in [1, " + classes.size() + "], got " + topK);
        }
        // copy: the caller may reuse its arrays while the request waits
        float[][] copies = new float[imgs.size()][];
        for (int i = 0; i < copies.length; i++) {
            copies[i] = imgs.get(i).clone();
        }
        return submitRequest(new Request(copies, topK, null, System.nanoTime()), copies.length);
    }

    private Request submitRequest(Request r, int imageCount) {
        ReentrantReadWriteLock.ReadLock lock = closing.readLock();
        lock.lock();
        try {
            if (closed) {
                rejected.incrementAndGet();
                throw new RejectedException("the predictor is closed", true);
            }
            if (!slots.tryAcquire()) {
                rejected.incrementAndGet();
                throw new RejectedException("the request queue is full (" + queueCapacity
                        + " requests waiting); retry later", false);
            }
            requests.incrementAndGet();
            images.addAndGet(imageCount);
            long last = lastArrivalNanos;
            lastArrivalNanos = r.submitted;
            if (last != 0) {
                long gap = Math.max(0, r.submitted - last);
                long mean = arrivalGapNanos;
                arrivalGapNanos = mean == Long.MAX_VALUE ? gap : mean + (gap - mean) / 4;
            }
            // scheduled under the lock: the worker, which shuts the timer down, cannot have exited yet
            ScheduledFuture<?> t = timer.schedule(() -> expire(r), timeout.toNanos(), TimeUnit.NANOSECONDS);
            r.future.whenComplete((v, e) -> t.cancel(false));
            queue.add(r);
        } finally {
            lock.unlock();
        }
        return r;
    }

    /** Fails {@code r} with a timeout and, if it has not started, takes it out of the queue. */
    private void expire(Request r) {
        boolean dropped = r.state.compareAndSet(State.QUEUED, State.CANCELLED);
        if (dropped && queue.remove(r)) {
            slots.release(); // the worker never saw it: its slot is freed here
        }
        String msg = "no result within the timeout of " + timeout.toMillis() + " ms ("
                + (dropped ? "dropped from the queue before it started" : "the forward pass had started") + ")";
        if (!r.future.isDone()) {
            timeouts.incrementAndGet(); // first, so that the woken caller already sees it in stats()
            if (!r.future.completeExceptionally(new PredictionTimeoutException(msg, !dropped))) {
                timeouts.decrementAndGet(); // its result or failure came first
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Result> await(Request r) {
        return (List<Result>) awaitAny(r);
    }

    private static Object awaitAny(Request r) {
        try {
            return r.future.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new TorchException("prediction failed: " + c, null, null, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a prediction", e);
        }
    }

    // ================================================================ the worker

    /** One caller's images; {@code offset} (worker only) counts the images already put in batches. */
    private static final class Request {
        final float[][] images;
        final int topK;
        /** Named tensors for {@link #infer}; null for images. Such requests stack only with each other. */
        final Map<String, TensorData> tensors;
        final long submitted;
        final java.util.concurrent.atomic.AtomicReference<State> state =
                new java.util.concurrent.atomic.AtomicReference<>(State.QUEUED);
        /** {@code List<Result>} for images, {@code Map<String, TensorData>} for tensors. */
        final CompletableFuture<Object> future = new CompletableFuture<>();
        final Result[] results;
        int offset;

        Request(float[][] images, int topK, Map<String, TensorData> tensors, long submitted) {
            this.images = images;
            this.topK = topK;
            this.tensors = tensors;
            this.submitted = submitted;
            this.results = new Result[images.length];
        }

        int remaining() {
            return images.length - offset;
        }
    }

    /** Images {@code [from, from + count)} of a request, placed in a batch. */
    private record Slice(Request request, int from, int count) {}

    /**
     * The next request that may run, waiting at most {@code nanos} (forever if negative): null on
     * timeout, {@link #POISON} at close. Requests dropped by their timeout are skipped.
     */
    private Request next(long nanos) throws InterruptedException {
        while (true) {
            Request r = nanos < 0 ? queue.take() : queue.poll(nanos, TimeUnit.NANOSECONDS);
            if (r == null || r == POISON) {
                return r;
            }
            slots.release();
            if (r.state.compareAndSet(State.QUEUED, State.RUNNING)) {
                return r;
            }
            nanos = 0; // a dropped request: look at what is already queued, without waiting again
        }
    }

    /**
     * One worker thread: takes requests from the queue, groups them into batches and runs them,
     * until the stop signal. {@code carry} is a request taken but left for the next batch.
     */
    private final class Worker implements Runnable {
        private Request carry;
        private boolean stopping;

        @Override
        public void run() {
            try {
                while (true) {
                    List<Slice> batch = new ArrayList<>();
                    int n = 0;
                    Request r = carry;
                    carry = null;
                    if (r == null) {
                        if (stopping) {
                            break;
                        }
                        r = next(-1);
                        if (r == POISON) {
                            stopping = true;
                            break;
                        }
                    }
                    if (r.tensors != null) {
                        List<Request> group = new ArrayList<>();
                        group.add(r);
                        if (stackable) {
                            // as for images: what queued meanwhile and stacks along dim 0 joins this forward
                            long rows = rows(r);
                            long deadline = System.nanoTime() + waitBudget();
                            while (rows < maxBatch && !stopping) {
                                Request q = joiner(deadline);
                                if (q == null) {
                                    break;
                                }
                                if (q.tensors == null || !stacksWith(r, q) || rows + rows(q) > maxBatch) {
                                    carry = q; // runs next, on its own terms
                                    break;
                                }
                                group.add(q);
                                rows += rows(q);
                            }
                        }
                        runTensors(group);
                        continue;
                    }
                    int take = Math.min(r.remaining(), maxBatch);
                    batch.add(new Slice(r, r.offset, take));
                    r.offset += take;
                    n += take;
                    if (r.remaining() > 0) {
                        carry = r;
                    }
                    long deadline = System.nanoTime() + waitBudget();
                    while (batching && n < maxBatch && carry == null && !stopping) {
                        Request q = joiner(deadline);
                        if (q == null) {
                            break;
                        }
                        if (q.tensors != null) {
                            carry = q; // runs after this batch
                            break;
                        }
                        take = Math.min(q.remaining(), maxBatch - n);
                        batch.add(new Slice(q, q.offset, take));
                        q.offset += take;
                        n += take;
                        if (q.remaining() > 0) {
                            carry = q;
                        }
                    }
                    runImages(batch, n);
                    if (carry != null && carry.tensors == null && carry.future.isDone()) {
                        carry = null; // failed or timed out: its remaining images need no forward
                    }
                }
                // the other workers stop at the same pill
                queue.add(POISON);
            } catch (InterruptedException e) {
                LOG.warn("predictor worker {} interrupted; {}", Thread.currentThread().getName(),
                        running.get() > 1 ? "the other workers go on" : "failing what is queued");
                if (carry != null) {
                    carry.future.completeExceptionally(new RejectedException("the predictor worker was interrupted", true));
                }
            } finally {
                if (running.decrementAndGet() == 0) {
                    stopLast();
                }
            }
        }

        /**
         * The next request to join the batch before {@code deadline}, or null when none came or the
         * stop signal did (this worker then stops after the batch).
         */
        private Request joiner(long deadline) throws InterruptedException {
            Request q = nextWithin(deadline);
            if (q == POISON) {
                stopping = true;
                return null;
            }
            return q;
        }
    }

    /**
     * The adaptive part of the wait for company: none when no limit is set or requests have been
     * arriving further apart than the limit (nobody is likely to come); otherwise about two mean
     * gaps, within the limit. The wait ends as soon as the batch is full, so it is never spent
     * while requests are already queued.
     */
    private long waitBudget() {
        if (maxWaitNanos == 0) {
            return 0;
        }
        long gap = arrivalGapNanos;
        if (gap > maxWaitNanos) {
            return 0;
        }
        // waits that found nobody (a client waiting for each answer before it sends the next) are
        // not repeated, except as an occasional probe whether company has come back
        if (fruitlessWaits.get() >= FRUITLESS_LIMIT && (batches.get() & PROBE_EVERY) != 0) {
            return 0;
        }
        return Math.min(maxWaitNanos, 2 * gap);
    }

    /**
     * The next request to join a batch before {@code deadline}: what is queued is taken at once;
     * only an empty queue is waited on, and whether that wait found company is remembered.
     */
    private Request nextWithin(long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !queue.isEmpty()) {
            return next(0);
        }
        Request q = next(left);
        if (q == null) {
            fruitlessWaits.incrementAndGet();
        } else {
            fruitlessWaits.set(0);
        }
        return q;
    }

    /** Run by the last worker to stop: fails what is still queued, stops the timer, closes the model. */
    private void stopLast() {
        // close() holds no more submissions; anything still queued (only after an interrupt) is failed
        for (Request q; (q = queue.poll()) != null; ) {
            if (q != POISON) {
                slots.release();
                q.future.completeExceptionally(new RejectedException("the predictor is closed", true));
            }
        }
        timer.shutdownNow();
        try {
            model.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the served model failed", e);
        }
    }

    private boolean onWorker() {
        Thread me = Thread.currentThread();
        for (Thread w : workers) {
            if (w == me) {
                return true;
            }
        }
        return false;
    }

    /** One forward pass over the slices' images; completes each request whose last image it holds. */
    private void runImages(List<Slice> batch, int n) {
        float[] px = new float[n * inputSize];
        int at = 0;
        for (Slice s : batch) {
            for (int i = 0; i < s.count; i++) {
                System.arraycopy(s.request.images[s.from + i], 0, px, at, inputSize);
                at += inputSize;
            }
        }
        int k = classes.size();
        double[] p;
        batches.incrementAndGet();
        batchSizes.incrementAndGet(n);
        try (InferenceMode g = InferenceMode.enter(); TensorScope scope = TensorScope.open()) {
            Tensor x = Tensor.of(px, Shape.of(n, channels, height, width), DType.FLOAT32, device);
            Tensor out = forward(x);
            Shape s = out.shape();
            if (s.rank() != 2 || s.size(0) != n || s.size(1) != k) {
                throw new TorchException("the model mapped a batch " + x.shape() + " to " + s + ", not to [" + n
                        + ", " + k + "] scores (one per class name)");
            }
            p = F.softmax(out.to(DType.FLOAT64), 1).toDoubleArray();
        } catch (Throwable e) {
            LOG.warn("forward pass of a batch of {} images failed: {}", n, e.toString());
            for (Slice s : batch) {
                fail(s.request, e);
            }
            if (e instanceof VirtualMachineError vme && !(e instanceof OutOfMemoryError)) {
                throw vme;
            }
            return;
        }
        at = 0;
        long now = System.nanoTime();
        for (Slice s : batch) {
            Request r = s.request;
            for (int i = 0; i < s.count; i++) {
                double[] probs = Arrays.copyOfRange(p, at * k, (at + 1) * k);
                r.results[s.from + i] = new Result(probs, Prediction.top(probs, classes, r.topK));
                at++;
            }
            if (s.from + s.count == r.images.length) {
                complete(r, List.<Result>of(r.results), now);
            }
        }
    }

    /** The first input's size along dim 0 (the rows a stacked forward gives this request). */
    private long rows(Request r) {
        return r.tensors.get(inputs.get(0).name()).shape()[0];
    }

    /** Whether {@code q}'s inputs have {@code r}'s dtypes and sizes after dim 0. */
    private boolean stacksWith(Request r, Request q) {
        for (TensorSpec spec : inputs) {
            TensorData a = r.tensors.get(spec.name());
            TensorData b = q.tensors.get(spec.name());
            long[] sa = a.shape();
            long[] sb = b.shape();
            if (a.dtype() != b.dtype() || sa.length != sb.length
                    || !Arrays.equals(sa, 1, sa.length, sb, 1, sb.length)) {
                return false;
            }
        }
        return true;
    }

    /**
     * One forward over a group of tensor requests stacked along dim 0 (row-major arrays stack by
     * concatenation), its outputs split back by rows. If the stacked forward fails, or an output
     * does not have the stacked rows along dim 0, every request runs alone instead, so one bad
     * request fails only itself and a model that mixes rows is never split wrongly.
     */
    private void runTensors(List<Request> group) {
        if (group.size() == 1) {
            runTensors(group.get(0));
            return;
        }
        long total = 0;
        for (Request r : group) {
            total += rows(r);
        }
        Map<String, TensorData> stacked = new LinkedHashMap<>();
        for (TensorSpec spec : inputs) {
            TensorData first = group.get(0).tensors.get(spec.name());
            int length = 0;
            for (Request r : group) {
                length += r.tensors.get(spec.name()).numel();
            }
            Object values = java.lang.reflect.Array.newInstance(first.values().getClass().getComponentType(), length);
            int at = 0;
            for (Request r : group) {
                TensorData t = r.tensors.get(spec.name());
                System.arraycopy(t.values(), 0, values, at, t.numel());
                at += t.numel();
            }
            long[] shape = first.shape();
            shape[0] = total;
            stacked.put(spec.name(), new TensorData(first.dtype(), shape, values));
        }
        Map<String, TensorData> out;
        batches.incrementAndGet();
        try (InferenceMode g = InferenceMode.enter(); TensorScope scope = TensorScope.open()) {
            out = forwardTensors(stacked);
        } catch (RuntimeException e) {
            LOG.debug("a stacked forward of {} tensor requests failed ({}); running them one by one", group.size(),
                    e.toString());
            group.forEach(this::runTensors);
            return;
        }
        for (TensorData t : out.values()) {
            long[] s = t.shape();
            if (s.length == 0 || s[0] != total) {
                group.forEach(this::runTensors);
                return;
            }
        }
        long now = System.nanoTime();
        long row = 0;
        for (Request r : group) {
            long n = rows(r);
            Map<String, TensorData> mine = new LinkedHashMap<>();
            for (Map.Entry<String, TensorData> e : out.entrySet()) {
                TensorData t = e.getValue();
                int perRow = (int) (t.numel() / total);
                Object slice = java.lang.reflect.Array.newInstance(t.values().getClass().getComponentType(),
                        (int) (n * perRow));
                System.arraycopy(t.values(), (int) (row * perRow), slice, 0, (int) (n * perRow));
                long[] shape = t.shape();
                shape[0] = n;
                mine.put(e.getKey(), new TensorData(t.dtype(), shape, slice));
            }
            row += n;
            complete(r, Collections.unmodifiableMap(mine), now);
        }
    }

    /** The model on named tensors, in the signature's order; call inside a scope. */
    private Map<String, TensorData> forwardTensors(Map<String, TensorData> in) {
        Tensor[] xs = new Tensor[inputs.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = in.get(inputs.get(i).name()).toTensor(device);
        }
        Object y = model instanceof ScriptModule sm ? sm.forwardValue((Object[]) xs) : forward(xs[0]);
        return outputs(y);
    }

    /**
     * The model's forward; for an eager model on the CPU, on the intra-op threads or the worker's
     * thread alone, whichever its input shape runs faster on.
     */
    private Tensor forward(Tensor x) {
        if (model instanceof ScriptModule || device.type() != Device.Type.CPU) {
            return model.forward(x);
        }
        Shape shape = x.shape();
        Optional<ThreadChoice> choice = threadChoices.get(shape);
        if (choice == null) {
            if (threadChoices.size() >= MAX_THREAD_CHOICES) {
                return model.forward(x);
            }
            choice = threadChoices.computeIfAbsent(shape, k -> Optional.ofNullable(ThreadChoice.unseeded()));
        }
        return ThreadChoice.call(choice.orElse(null), () -> model.forward(x));
    }

    /** One forward pass over a request's named tensors, in the signature's order. */
    private void runTensors(Request r) {
        Map<String, TensorData> out;
        batches.incrementAndGet();
        try (InferenceMode g = InferenceMode.enter(); TensorScope scope = TensorScope.open()) {
            out = forwardTensors(r.tensors);
        } catch (Throwable e) {
            LOG.warn("forward pass of a tensor request failed: {}", e.toString());
            fail(r, e);
            if (e instanceof VirtualMachineError vme && !(e instanceof OutOfMemoryError)) {
                throw vme;
            }
            return;
        }
        complete(r, out, System.nanoTime());
    }

    /**
     * Answers {@code r} unless its timeout came first. Counted before completing, so that a caller
     * woken by its result already sees it in {@link #stats()}; uncounted if the race was lost.
     */
    private void complete(Request r, Object value, long now) {
        if (!r.future.isDone()) {
            completed.incrementAndGet();
            recordLatency(now - r.submitted);
            if (!r.future.complete(value)) {
                completed.decrementAndGet();
            }
        }
    }

    /** Fails {@code r} with its forward's error unless its timeout came first; counted as {@link #complete}. */
    private void fail(Request r, Throwable e) {
        if (!r.future.isDone()) {
            errors.incrementAndGet();
            if (!r.future.completeExceptionally(e)) {
                errors.decrementAndGet();
            }
        }
    }

    /**
     * A model's result as named tensors: a tensor is {@code "output"}, a tuple or list of tensors
     * {@code "output0"}, {@code "output1"}..., a dict of tensors keeps its keys.
     */
    static Map<String, TensorData> outputs(Object y) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        if (y instanceof Tensor t) {
            out.put("output", TensorData.of(t));
        } else if (y instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                out.put("output" + i, TensorData.of(tensor(l.get(i), "element " + i)));
            }
        } else if (y instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), TensorData.of(tensor(e.getValue(), "key '" + e.getKey() + "'")));
            }
        } else {
            throw new TorchException("the model returned " + (y == null ? "None" : y.getClass().getSimpleName())
                    + ", not a tensor, a tuple or list of tensors, or a dict of tensors");
        }
        return Collections.unmodifiableMap(out);
    }

    private static Tensor tensor(Object v, String where) {
        if (v instanceof Tensor t) {
            return t;
        }
        throw new TorchException("the model's result holds " + (v == null ? "None" : v.getClass().getSimpleName())
                + " at " + where + ", not a tensor (nested results are not converted)");
    }

    // ================================================================ lifetime

    /**
     * Stops accepting requests (they get {@link RejectedException}), lets the workers finish every
     * queued request, waits for them, and closes the model; idempotent. Called from a worker
     * thread itself (a future's callback), it returns without waiting; the last worker closes the
     * model when it is done.
     */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock lock = closing.writeLock();
        lock.lock();
        try {
            if (closed) {
                if (!onWorker()) {
                    joinWorkers();
                }
                return;
            }
            closed = true;
            queue.add(POISON);
        } finally {
            lock.unlock();
        }
        if (onWorker()) {
            return;
        }
        joinWorkers();
    }

    private void joinWorkers() {
        boolean interrupted = false;
        for (Thread w : workers) {
            while (true) {
                try {
                    w.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

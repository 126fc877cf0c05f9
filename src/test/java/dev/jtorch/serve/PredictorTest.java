package dev.jtorch.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.io.StateDicts;
import dev.jtorch.models.Architecture;
import dev.jtorch.models.SimpleNN;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The dynamic batcher: correctness under concurrency, limits, back-pressure, timeouts, failures and leaks. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PredictorTest {
    private static final List<String> ABC = List.of("a", "b", "c");

    @TempDir
    Path tmp;
    private long baseline;

    @BeforeEach
    void before() {
        Torch.manualSeed(7);
        baseline = Torch.liveHandles();
    }

    @AfterEach
    void after() {
        assertEquals(baseline, Torch.liveHandles(), "native handles leaked");
    }

    /**
     * A 3-class model on 1x2x2 images: the scores are the first three pixels. It can block until
     * released (to fill the queue), sleep, and fail any batch holding an image whose first pixel is
     * 666.
     */
    static final class Fake extends Module {
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile long sleepMs;
        final AtomicInteger imagesSeen = new AtomicInteger();
        final AtomicInteger forwards = new AtomicInteger();
        /** libtorch's thread counts seen inside the forwards. */
        final java.util.Set<Integer> threadCounts = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public Tensor forward(Tensor x) {
            forwards.incrementAndGet();
            threadCounts.add(Torch.numThreads());
            entered.countDown();
            try {
                gate.await();
                if (sleepMs > 0) {
                    Thread.sleep(sleepMs);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            Tensor flat = x.reshape(x.size(0), 4);
            float[] v = flat.toFloatArray();
            imagesSeen.addAndGet((int) x.size(0));
            for (int i = 0; i < v.length; i += 4) {
                if (v[i] == 666f) {
                    throw new TorchException("boom: image with pixel 666");
                }
            }
            return flat.narrow(1, 0, 3);
        }
    }

    private static Predictor.Builder fake(Fake m) {
        return Predictor.builder(m).classes(ABC).inputShape(1, 2, 2);
    }

    private static float[] img(float a, float b, float c) {
        return new float[] {a, b, c, 0};
    }

    private static double[] softmax(double... s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Math.exp(s[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < s.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    private static float[] randomImage(Random rnd, int size) {
        float[] px = new float[size];
        for (int i = 0; i < size; i++) {
            px[i] = rnd.nextFloat();
        }
        return px;
    }

    /** The reference: a single-image forward of {@code model}, softmax in float64. */
    private static double[] reference(Module model, float[] px) {
        try (NoGrad g = NoGrad.enter(); TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(px, Shape.of(1, 1, 28, 28), DType.FLOAT32, Device.CPU);
            return F.softmax(model.forward(x).to(DType.FLOAT64), 1).toDoubleArray();
        }
    }

    @Test
    void concurrentCallersGetTheirOwnSingleImageAnswer() throws Exception {
        int threads = 16;
        int perThread = 50;
        Random rnd = new Random(1);
        float[][] images = new float[threads * perThread][];
        double[][] expected = new double[images.length][];
        SimpleNN model = new SimpleNN();
        model.eval();
        for (int i = 0; i < images.length; i++) {
            images[i] = randomImage(rnd, 784);
            expected[i] = reference(model, images[i]);
        }
        try (Predictor p = Predictor.builder(model).maxBatch(8).maxWait(Duration.ofMillis(5)).build()) {
            assertEquals(784, p.inputSize());
            assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), p.classes());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        for (int j = 0; j < perThread; j++) {
                            int i = thread * perThread + j;
                            Predictor.Result r = p.predict(images[i], 3);
                            assertArrayEquals(expected[i], r.probabilities(), 1e-6, "image " + i);
                            assertEquals(3, r.top().size());
                            assertTrue(r.top().get(0).probability() >= r.top().get(1).probability());
                            assertEquals(argmax(expected[i]), r.top().get(0).classIndex());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            Predictor.Stats s = p.stats();
            assertEquals(800, s.requests());
            assertEquals(800, s.completed());
            assertEquals(0, s.errors());
            assertTrue(s.batchSizes().lastKey() <= 8, "batch above maxBatch: " + s.batchSizes());
            assertEquals(800, s.batchSizes().entrySet().stream().mapToLong(e -> e.getKey() * e.getValue()).sum());
            assertEquals(s.batches(), s.batchSizes().values().stream().mapToLong(Long::longValue).sum());
            assertTrue(s.batches() < 800, "16 concurrent callers should share batches: " + s.batchSizes());
            assertEquals(800, s.latency().count());
            assertTrue(s.latency().p50Ms() > 0 && s.latency().p99Ms() <= s.latency().maxMs() + 1e-9);
        }
        assertTrue(model.isClosed(), "the predictor closes its model");
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void predictAllSplitsLargeRequestsAtMaxBatchAndKeepsOrder() {
        Fake m = new Fake();
        try (Predictor p = fake(m).maxBatch(4).build()) {
            List<float[]> imgs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                imgs.add(img(i, 0, 0));
            }
            List<Predictor.Result> rs = p.predictAll(imgs, 1);
            assertEquals(10, rs.size());
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(softmax(i, 0, 0), rs.get(i).probabilities(), 1e-12);
                assertEquals("a", rs.get(i).top().get(0).label()); // ties: lower index first
            }
            Predictor.Stats s = p.stats();
            assertEquals(1, s.requests());
            assertEquals(10, s.images());
            assertEquals(3, s.batches());
            assertEquals(4, s.batchSizes().lastKey());
            assertEquals(2L, s.batchSizes().get(4));
            assertEquals(1L, s.batchSizes().get(2));
        }
    }

    @Test
    void topIsSortedWithLabels() {
        try (Predictor p = fake(new Fake()).build()) {
            Predictor.Result r = p.predict(img(1, 3, 2), 3);
            assertEquals(List.of("b", "c", "a"), r.top().stream().map(t -> t.label()).toList());
            assertEquals(List.of(1, 2, 0), r.top().stream().map(t -> t.classIndex()).toList());
            assertArrayEquals(softmax(1, 3, 2), r.probabilities(), 1e-12);
        }
    }

    @Test
    void aLoneRequestWaitsNoLongerThanMaxWait() {
        try (Predictor p = fake(new Fake()).maxWait(Duration.ofMillis(100)).build()) {
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                p.predict(img(1, 2, 3), 1);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 100 + 400, "a lone request must not wait much past maxWait, took " + ms + " ms");
            }
        }
    }

    @Test
    void aClientThatWaitsForEachAnswerIsNotMadeToWaitForCompany() {
        // one caller in a loop: nobody can join its batches, so waiting would only add maxWait each
        // time (the old fixed wait: 40 x 100 ms); the adaptive wait gives up after fruitless tries
        try (Predictor p = fake(new Fake()).maxWait(Duration.ofMillis(100)).build()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 40; i++) {
                p.predict(img(1, 2, 3), 1);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 1_500, "40 requests of one sequential caller took " + ms + " ms");
        }
    }

    @Test
    void requestsSpacedWiderThanMaxWaitRunAtOnce() throws Exception {
        try (Predictor p = fake(new Fake()).maxWait(Duration.ofMillis(100)).build()) {
            List<Long> ms = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread.sleep(150);
                long t0 = System.nanoTime();
                p.predict(img(1, 2, 3), 1);
                ms.add((System.nanoTime() - t0) / 1_000_000);
            }
            ms.sort(null);
            assertTrue(ms.get(1) < 80, "arrivals 150 ms apart are not waited for (maxWait 100 ms): " + ms);
        }
    }

    @Test
    void requestsArrivingCloserThanMaxWaitShareBatches() throws Exception {
        Fake m = new Fake();
        try (Predictor p = fake(m).maxBatch(8).maxWait(Duration.ofMillis(60)).build()) {
            List<CompletableFuture<Predictor.Result>> fs = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                fs.add(p.submit(img(i, 0, 0), 1)); // an open-loop client: one request every 10 ms
                Thread.sleep(10);
            }
            for (int i = 0; i < 24; i++) {
                assertArrayEquals(softmax(i, 0, 0), fs.get(i).get().probabilities(), 1e-12);
            }
            long batches = p.stats().batches();
            assertTrue(batches <= 16, "waiting for company should have joined requests: " + batches
                    + " batches for 24 requests, sizes " + p.stats().batchSizes());
        }
    }

    @Test
    void severalWorkersRunForwardsAtTheSameTimeOnTheOneModel() throws Exception {
        Fake m = new Fake();
        try (Predictor p = fake(m).maxBatch(1).workers(3).build()) {
            assertEquals(3, p.workers());
            m.gate = new CountDownLatch(1);
            List<CompletableFuture<Predictor.Result>> fs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                fs.add(p.submit(img(i, 0, 0), 1));
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (m.forwards.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(3, m.forwards.get(), "three workers each entered a forward while the gate was shut");
            m.gate.countDown();
            for (int i = 0; i < 12; i++) {
                assertArrayEquals(softmax(i, 0, 0), fs.get(i).get().probabilities(), 1e-12);
            }
            assertEquals(12, p.stats().completed());
        }
        assertTrue(m.isClosed(), "the last worker out closes the model");
    }

    @Test
    void closeWithSeveralWorkersDrainsTheQueueAndStopsThemAll() throws Exception {
        Fake m = new Fake();
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        Predictor p = fake(m).maxBatch(2).workers(4).build();
        List<Thread> mine = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.getName().startsWith("jtorch-predictor-")).toList();
        assertTrue(mine.size() >= 4, "four workers started: " + mine);
        m.gate = new CountDownLatch(1);
        List<CompletableFuture<Predictor.Result>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fs.add(p.submit(img(i, 0, 0), 1));
        }
        Thread closer = new Thread(p::close);
        closer.start();
        while (!p.isClosed()) {
            Thread.sleep(1);
        }
        assertThrows(RejectedException.class, () -> p.predict(img(9, 0, 0), 1));
        m.gate.countDown();
        closer.join(10_000);
        assertFalse(closer.isAlive());
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(softmax(i, 0, 0), fs.get(i).get().probabilities(), 1e-12);
        }
        assertTrue(m.isClosed());
        for (Thread w : mine) {
            assertFalse(w.isAlive(), w.getName() + " outlived close()");
        }
    }

    @Test
    void workersMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Predictor.builder(null).workers(0));
        assertTrue(e.getMessage().contains("workers"), e.getMessage());
    }

    @Test
    void byDefaultBatchesAreWhatQueuedUpAndNothingWaits() throws Exception {
        Fake m = new Fake();
        try (Predictor p = fake(m).maxBatch(4).build()) {
            assertEquals(Duration.ZERO, p.maxWait());
            // what queues while a forward runs forms the next batches, without any wait
            m.gate = new CountDownLatch(1);
            List<CompletableFuture<Predictor.Result>> fs = new ArrayList<>();
            fs.add(p.submit(img(0, 0, 0), 1));
            assertTrue(m.entered.await(10, TimeUnit.SECONDS));
            for (int i = 1; i < 9; i++) {
                fs.add(p.submit(img(i, 0, 0), 1));
            }
            m.gate.countDown();
            for (int i = 0; i < 9; i++) {
                assertArrayEquals(softmax(i, 0, 0), fs.get(i).get().probabilities(), 1e-12);
            }
            assertEquals(java.util.Map.of(1, 1L, 4, 2L), p.stats().batchSizes());
        }
    }

    @Test
    void fullFirstRequestDoesNotWait() {
        try (Predictor p = fake(new Fake()).maxBatch(2).maxWait(Duration.ofSeconds(5)).build()) {
            long t0 = System.nanoTime();
            p.predictAll(List.of(img(1, 2, 3), img(3, 2, 1)), 1);
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "a full batch runs at once");
        }
    }

    @Test
    void withoutBatchingEveryRequestRunsAlone() throws Exception {
        Fake m = new Fake();
        try (Predictor p = fake(m).batching(false).maxWait(Duration.ofMillis(50)).build()) {
            m.gate = new CountDownLatch(1);
            List<CompletableFuture<Predictor.Result>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fs.add(p.submit(img(i, 0, 0), 1));
            }
            m.gate.countDown();
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(softmax(i, 0, 0), fs.get(i).get().probabilities(), 1e-12);
            }
            Predictor.Stats s = p.stats();
            assertEquals(6, s.batches());
            assertEquals(List.of(1), List.copyOf(s.batchSizes().keySet()));
        }
    }

    @Test
    void batchingGathersQueuedRequests() throws Exception {
        Fake m = new Fake();
        try (Predictor p = fake(m).maxBatch(4).maxWait(Duration.ofMillis(20)).build()) {
            m.gate = new CountDownLatch(1);
            List<CompletableFuture<Predictor.Result>> fs = new ArrayList<>();
            fs.add(p.submit(img(0, 0, 0), 1));
            assertTrue(m.entered.await(10, TimeUnit.SECONDS));
            for (int i = 1; i < 9; i++) {
                fs.add(p.submit(img(i, 0, 0), 1)); // queued behind the blocked first batch
            }
            m.gate.countDown();
            for (int i = 0; i < 9; i++) {
                assertArrayEquals(softmax(i, 0, 0), fs.get(i).get().probabilities(), 1e-12);
            }
            assertEquals(java.util.Map.of(1, 1L, 4, 2L), p.stats().batchSizes());
        }
    }

    @Test
    void badInputIsRejectedOnTheCallersThreadNamingTheProblem() {
        try (Predictor p = fake(new Fake()).build()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> p.predict(new float[5], 1));
            assertTrue(e.getMessage().contains("expected 4 values") && e.getMessage().contains("got 5"), e.getMessage());
            e = assertThrows(InvalidInputException.class, () -> p.predict(new float[] {0, 0, Float.NaN, 0}, 1));
            assertTrue(e.getMessage().contains("value 2") && e.getMessage().contains("NaN"), e.getMessage());
            e = assertThrows(InvalidInputException.class,
                    () -> p.predict(new float[] {0, Float.NEGATIVE_INFINITY, 0, 0}, 1));
            assertTrue(e.getMessage().contains("value 1") && e.getMessage().contains("Infinity"), e.getMessage());
            e = assertThrows(InvalidInputException.class,
                    () -> p.predictAll(List.of(img(0, 0, 0), new float[] {0, 0, 0, Float.POSITIVE_INFINITY}), 1));
            assertTrue(e.getMessage().contains("image 1") && e.getMessage().contains("value 3"), e.getMessage());
            e = assertThrows(InvalidInputException.class, () -> p.predict(null, 1));
            assertTrue(e.getMessage().contains("null"), e.getMessage());
            e = assertThrows(InvalidInputException.class, () -> p.predict(img(0, 0, 0), 4));
            assertTrue(e.getMessage().contains("topK") && e.getMessage().contains("[1, 3]"), e.getMessage());
            assertThrows(InvalidInputException.class, () -> p.predictAll(List.of(), 1));
            assertThrows(InvalidInputException.class, () -> p.submit(new float[3], 1));
            Predictor.Stats s = p.stats();
            assertEquals(8, s.invalid());
            assertEquals(0, s.requests());
            assertEquals(0, s.batches());
        }
    }

    @Test
    void fullQueueRejectsAtOnce() throws Exception {
        Fake m = new Fake();
        try (Predictor p = fake(m).maxBatch(1).queueCapacity(2).build()) {
            m.gate = new CountDownLatch(1);
            CompletableFuture<Predictor.Result> running = p.submit(img(1, 0, 0), 1);
            assertTrue(m.entered.await(10, TimeUnit.SECONDS), "the worker took the first request");
            CompletableFuture<Predictor.Result> q1 = p.submit(img(2, 0, 0), 1);
            CompletableFuture<Predictor.Result> q2 = p.submit(img(3, 0, 0), 1);
            long t0 = System.nanoTime();
            RejectedException e = assertThrows(RejectedException.class, () -> p.predict(img(4, 0, 0), 1));
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "rejection is immediate");
            assertFalse(e.closed());
            assertTrue(e.getMessage().contains("full") && e.getMessage().contains("2"), e.getMessage());
            assertEquals(2, p.stats().queueDepth());
            m.gate.countDown();
            assertArrayEquals(softmax(1, 0, 0), running.get().probabilities(), 1e-12);
            assertArrayEquals(softmax(2, 0, 0), q1.get().probabilities(), 1e-12);
            assertArrayEquals(softmax(3, 0, 0), q2.get().probabilities(), 1e-12);
            assertEquals(1, p.stats().rejected());
            p.predict(img(5, 0, 0), 1); // slots are free again
        }
    }

    @Test
    void timeoutFailsTheCallerAndDropsUnstartedRequests() throws Exception {
        Fake m = new Fake();
        try (Predictor p = fake(m).maxBatch(1).timeout(Duration.ofMillis(200)).build()) {
            m.gate = new CountDownLatch(1);
            CompletableFuture<Predictor.Result> running = p.submit(img(1, 0, 0), 1);
            assertTrue(m.entered.await(10, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            PredictionTimeoutException e = assertThrows(PredictionTimeoutException.class,
                    () -> p.predict(img(2, 0, 0), 1));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 190 && ms < 2000, "timed out after " + ms + " ms");
            assertInstanceOf(TimeoutException.class, e.getCause());
            assertFalse(e.started());
            assertTrue(e.getMessage().contains("200 ms") && e.getMessage().contains("dropped"), e.getMessage());
            ExecutionException ee = assertThrows(ExecutionException.class, running::get);
            assertTrue(((PredictionTimeoutException) ee.getCause()).started());
            assertEquals(0, p.stats().queueDepth(), "the dropped request left the queue");
            m.gate.countDown();
            assertArrayEquals(softmax(3, 0, 0), p.predict(img(3, 0, 0), 1).probabilities(), 1e-12);
            assertEquals(2, m.imagesSeen.get(), "the dropped request never ran");
            assertEquals(2, p.stats().timeouts());
        }
    }

    @Test
    void failingForwardFailsOnlyItsBatch() throws Exception {
        Fake m = new Fake();
        try (Predictor p = fake(m).maxBatch(4).maxWait(Duration.ofMillis(20)).build()) {
            m.gate = new CountDownLatch(1);
            CompletableFuture<Predictor.Result> first = p.submit(img(1, 0, 0), 1);
            assertTrue(m.entered.await(10, TimeUnit.SECONDS));
            CompletableFuture<Predictor.Result> good = p.submit(img(2, 0, 0), 1);
            CompletableFuture<Predictor.Result> bad = p.submit(img(666, 0, 0), 1);
            m.gate.countDown();
            assertArrayEquals(softmax(1, 0, 0), first.get().probabilities(), 1e-12);
            for (CompletableFuture<Predictor.Result> f : List.of(good, bad)) {
                ExecutionException e = assertThrows(ExecutionException.class, f::get);
                assertInstanceOf(TorchException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("boom"));
            }
            TorchException direct = assertThrows(TorchException.class, () -> p.predict(img(666, 0, 0), 1));
            assertTrue(direct.getMessage().contains("boom"));
            assertArrayEquals(softmax(4, 0, 0), p.predict(img(4, 0, 0), 1).probabilities(), 1e-12);
            assertEquals(3, p.stats().errors());
        }
    }

    /**
     * An eager model on the CPU with more than one intra-op thread: each input shape's forward is
     * timed on the threads and on the worker's thread alone (the first call on the threads, the
     * second on one thread), and the worker's thread count is put back after every call.
     */
    @Test
    void eagerForwardsTryTheThreadsAndTheWorkerAlone() throws Exception {
        int saved = Torch.numThreads();
        Torch.setNumThreads(2);
        try {
            Fake counting = new Fake();
            try (Predictor p = fake(counting).maxBatch(1).build()) {
                for (int i = 0; i < 4; i++) {
                    Predictor.Result r = p.predict(img(3, 1, 2), 3);
                    assertEquals("a", r.top().get(0).label());
                }
            }
            assertEquals(java.util.Set.of(1, 2), counting.threadCounts, "counts seen inside the forwards");
        } finally {
            Torch.setNumThreads(saved);
        }
    }

    @Test
    void wrongOutputShapeFailsWithAClearMessage() {
        Fake m = new Fake();
        try (Predictor p = Predictor.builder(m).classes(List.of("x", "y")).inputShape(1, 2, 2).build()) {
            TorchException e = assertThrows(TorchException.class, () -> p.predict(img(1, 0, 0), 1));
            assertTrue(e.getMessage().contains("[1, 2]"), e.getMessage());
        }
    }

    @Test
    void closeDrainsQueuedRequestsThenRejects() throws Exception {
        Fake m = new Fake();
        Predictor p = fake(m).maxBatch(2).build();
        m.gate = new CountDownLatch(1);
        List<CompletableFuture<Predictor.Result>> fs = new ArrayList<>();
        fs.add(p.submit(img(0, 0, 0), 1));
        assertTrue(m.entered.await(10, TimeUnit.SECONDS));
        for (int i = 1; i < 7; i++) {
            fs.add(p.submit(img(i, 0, 0), 1));
        }
        Thread closer = new Thread(p::close);
        closer.start();
        while (!p.isClosed()) {
            Thread.sleep(1);
        }
        RejectedException e = assertThrows(RejectedException.class, () -> p.predict(img(9, 0, 0), 1));
        assertTrue(e.closed());
        assertTrue(closer.isAlive(), "close waits for the queued work");
        m.gate.countDown();
        closer.join(10_000);
        assertFalse(closer.isAlive());
        for (int i = 0; i < 7; i++) {
            assertTrue(fs.get(i).isDone());
            assertArrayEquals(softmax(i, 0, 0), fs.get(i).get().probabilities(), 1e-12);
        }
        assertTrue(m.isClosed());
        p.close(); // idempotent
        assertThrows(RejectedException.class, () -> p.submit(img(1, 0, 0), 1));
    }

    @Test
    void closeFromACallbackOnTheWorkerDoesNotDeadlock() throws Exception {
        Fake m = new Fake();
        Predictor p = fake(m).build();
        CountDownLatch closedInCallback = new CountDownLatch(1);
        p.submit(img(1, 0, 0), 1).thenRun(() -> {
            p.close();
            closedInCallback.countDown();
        });
        assertTrue(closedInCallback.await(10, TimeUnit.SECONDS));
        p.close(); // from this thread: waits for the worker, which closes the model
        assertTrue(m.isClosed());
    }

    @Test
    void buildProbesClassesAndInputShape() {
        SimpleNN model = new SimpleNN();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Predictor.builder(model).inputShape(3, 32, 32).build());
        assertTrue(e.getMessage().contains("3x32x32"), e.getMessage());
        assertTrue(model.isClosed(), "a failed build closes the model it owned");
        assertThrows(IllegalStateException.class, () -> Predictor.builder(null).build());
        Predictor.Builder b = Predictor.builder(new Fake()).inputShape(1, 2, 2);
        try (Predictor p = b.build()) {
            assertEquals(List.of("0", "1", "2"), p.classes());
            assertThrows(IllegalStateException.class, b::build);
        }
        assertThrows(IllegalArgumentException.class, () -> Predictor.builder(null).maxBatch(0));
        assertThrows(IllegalArgumentException.class, () -> Predictor.builder(null).timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Predictor.builder(null).queueCapacity(0));
    }

    @Test
    void openLoadsAModelFileWithItsArchitecture() throws Exception {
        Path file = tmp.resolve("model.pt");
        float[] px = randomImage(new Random(3), 784);
        double[] expected;
        try (SimpleNN model = new SimpleNN()) {
            model.eval();
            StateDicts.save(model.stateDict(), file);
            expected = reference(model, px);
        }
        try (Predictor p = Predictor.open(file, Architecture.MLP,
                Predictor.builder(null).maxBatch(4).timeout(Duration.ofSeconds(5)))) {
            assertEquals(784, p.inputSize());
            assertEquals(10, p.classes().size());
            assertEquals(4, p.maxBatch());
            assertEquals(Duration.ofSeconds(5), p.timeout());
            assertArrayEquals(expected, p.predict(px, 2).probabilities(), 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> Predictor.open(file, Architecture.MLP,
                Predictor.builder(null).classes(List.of("only", "two"))));
    }

    @Test
    void nothingPerRequestSurvivesABatch() {
        try (Predictor p = fake(new Fake()).build()) {
            p.predict(img(1, 2, 3), 1);
            long handles = Torch.liveHandles();
            for (int i = 0; i < 200; i++) {
                p.predict(img(i, 2, 3), 2);
            }
            assertEquals(handles, Torch.liveHandles());
        }
    }
}

package dev.jtorch.train;

import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.data.Batch;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One training step's forward and backward with the batch cut into contiguous parts, each part
 * run on its own thread with one libtorch thread (PyTorch's {@code DataParallel}, on CPU cores).
 *
 * <p>Why: on 2 cores, libtorch's own pool splits a convolution's per-sample loops but runs the
 * whole-batch matrix products (the channels-last weight gradients, the stem convolution, the
 * dense layers) on one thread, so the MNIST CNN gained little from a second core while its
 * helper spun (docs/benchmarks.md). Parts share nothing but the read-only weights and run every op in parallel.
 *
 * <p>Semantics: part k of n_k samples contributes {@code crossEntropy(part) * n_k / N}, so the
 * summed loss and gradients are the full batch's mean (up to float rounding). Part 0 runs on the
 * calling thread and accumulates into the parameters' {@code grad}; the other parts compute their
 * gradients with {@link Autograd#grad} and are added afterwards in part order, so a run is
 * reproducible for a given number of parts. Only for models whose forward keeps no state and draws
 * no random numbers (batch norm would see part statistics, dropout a thread-dependent stream),
 * as every {@link dev.jtorch.models.Architecture} is.
 */
final class SplitStep implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Module model;
    private final int parts;
    private final ExecutorService workers;

    /**
     * @param parts how many threads share each batch, at least 2 (parts - 1 are started here)
     */
    SplitStep(Module model, int parts) {
        if (parts < 2) {
            throw new IllegalArgumentException("a split step needs at least 2 parts, got " + parts);
        }
        this.model = model;
        this.parts = parts;
        this.workers = Executors.newFixedThreadPool(parts - 1, r -> {
            Thread t = new Thread(r, "jtorch-split-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A loss and a count of correct predictions: a part's ({@link #score}) or, detached, the batch's ({@link #run}). */
    record Outcome(Tensor loss, Tensor correct) {}

    /** What a helper thread hands back: outermost-scope tensors the calling thread must close. */
    private record Part(Tensor loss, Tensor correct, List<Tensor> grads) {
        void close() {
            loss.close();
            correct.close();
            grads.forEach(Tensor::close);
        }
    }

    /**
     * Forward, loss and backward of {@code b}: adds the batch's mean cross-entropy gradient to each
     * trainable parameter's {@code grad}, as {@code loss.backward()} on the whole batch would.
     *
     * @return the loss and the number correct, scalars owned by the current scope
     * @throws dev.jtorch.TorchException from any part, once every part has finished
     */
    Outcome run(Batch b, Precision amp) {
        int n = b.size();
        int k = Math.min(parts, n);
        List<Tensor> params = trainable();
        List<Future<Part>> futures = new ArrayList<>(k - 1);
        RuntimeException failure = null;
        Tensor loss = null;
        Tensor correct = null;
        try {
            for (int i = 1; i < k; i++) {
                long start = (long) n * i / k;
                long len = (long) n * (i + 1) / k - start;
                futures.add(workers.submit(() -> helperPart(b, start, len, n, amp, params)));
            }
            Outcome part = score(b, 0, n / k, n, amp);
            correct = part.correct();
            part.loss().backward();
            loss = part.loss().detach();
        } catch (RuntimeException e) {
            failure = e;
        }
        List<Part> done = awaitAll(futures, failure, Part::close);
        try {
            for (Part p : done) {
                loss.add_(p.loss());
                correct.add_(p.correct());
                for (int i = 0; i < params.size(); i++) {
                    params.get(i).grad().add_(p.grads().get(i));
                }
            }
            return new Outcome(loss, correct);
        } finally {
            done.forEach(Part::close);
        }
    }

    /**
     * {@code model.forward(x)} under {@code amp} with the batch split as in {@link #run}, in the
     * caller's grad mode (evaluation runs it under {@link NoGrad}).
     *
     * @return the logits of all of {@code x}, in order, owned by the current scope
     * @throws dev.jtorch.TorchException from any part, once every part has finished
     */
    Tensor forward(Tensor x, Precision amp) {
        long n = x.size(0);
        int k = (int) Math.min(parts, n);
        if (k <= 1) {
            return amp.forward(model, x);
        }
        boolean grad = NoGrad.isGradEnabled(); // thread-local: the helpers must follow the caller
        List<Future<Tensor>> futures = new ArrayList<>(k - 1);
        RuntimeException failure = null;
        List<Tensor> logits = new ArrayList<>(k);
        try {
            for (int i = 1; i < k; i++) {
                long start = n * i / k;
                long len = n * (i + 1) / k - start;
                futures.add(workers.submit(() -> {
                    try (TensorScope s = TensorScope.open(); NoGrad g = grad ? null : NoGrad.enter()) {
                        return s.keep(amp.forward(model, x.narrow(0, start, len)));
                    }
                }));
            }
            logits.add(amp.forward(model, x.narrow(0, 0, n / k)));
        } catch (RuntimeException e) {
            failure = e;
        }
        List<Tensor> rest = awaitAll(futures, failure, Tensor::close);
        try {
            logits.addAll(rest);
            return Tensor.cat(logits, 0);
        } finally {
            rest.forEach(Tensor::close);
        }
    }

    /**
     * Waits for every helper (they read the caller's tensors, which die with its scope), then
     * throws the first failure, the caller's own first, closing what the others returned.
     */
    private static <T> List<T> awaitAll(List<Future<T>> futures, RuntimeException failure, Consumer<T> close) {
        List<T> done = new ArrayList<>(futures.size());
        for (Future<T> f : futures) {
            try {
                done.add(await(f));
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r
                            : new IllegalStateException("a split batch's helper thread failed", e.getCause());
                }
            }
        }
        if (failure != null) {
            done.forEach(close);
            throw failure;
        }
        return done;
    }

    /** {@code f.get()}, waiting through interrupts (which are passed on afterwards). */
    private static <T> T await(Future<T> f) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<Tensor> trainable() {
        List<Tensor> ps = new ArrayList<>();
        for (Tensor p : model.parameters()) {
            if (p.requiresGrad()) {
                ps.add(p);
            }
        }
        return ps;
    }

    private Part helperPart(Batch b, long start, long len, int n, Precision amp, List<Tensor> params) {
        try (TensorScope s = TensorScope.open()) {
            Outcome part = score(b, start, len, n, amp);
            Tensor detached = part.loss().detach();
            List<Tensor> grads = Autograd.grad(part.loss(), params);
            s.keep(detached);
            s.keep(part.correct());
            grads.forEach(s::keep);
            return new Part(detached, part.correct(), grads);
        }
    }

    /**
     * Forward of rows {@code [start, start + len)} of {@code b}: their cross-entropy weighted by
     * {@code len / n} (still in the graph) and their count of correct predictions.
     */
    private Outcome score(Batch b, long start, long len, int n, Precision amp) {
        Tensor y = b.labels().narrow(0, start, len);
        Tensor logits = amp.forward(model, b.images().narrow(0, start, len));
        return new Outcome(F.crossEntropy(logits, y).mul((double) len / n), logits.argmax(1).eq(y).sum());
    }

    /** Stops the helper threads (idempotent). */
    @Override
    public void close() {
        workers.shutdownNow();
    }
}

package dev.jtorch.train;

import dev.jtorch.DType;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.data.Batch;
import dev.jtorch.data.Loader;
import dev.jtorch.nn.Loss;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.LRScheduler;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorOwner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The training loop for any model, optimizer and data: epochs of {@code zeroGrad}, forward,
 * loss, {@code backward} and {@code step} over a training {@link Loader}, an optional evaluation
 * loader after each epoch, an optional per-epoch schedule, and {@link Callback}s for everything
 * else (logging, checkpoints, early stopping, progress).
 *
 * <pre>{@code
 * Fit.History h = Fit.builder(model, optimizer)
 *         .train(trainLoader).validation(valLoader).epochs(20)
 *         .callbacks(new EarlyStopping(EarlyStopping.Monitor.VALIDATION_LOSS, 3, 0.0), myCallback)
 *         .run();
 * }</pre>
 *
 * <p><b>Loss.</b> By default cross-entropy of the model's output against the batch's targets (class
 * indices); {@link Builder#loss(Loss)} takes any loss module, {@link Builder#objective} any function
 * of the output and the batch. Losses are assumed to be means over the batch: the epoch's loss is
 * their sample-weighted mean. Accuracy (argmax of a {@code [n, C]} output against int64 targets) is
 * reported when the targets are class indices, else NaN.
 *
 * <p><b>Memory and devices.</b> Each step runs in its loader's scope, so nothing of a step
 * outlives it; the epoch's running sums stay on the device and are read once per epoch, so no
 * step waits for the device unless a callback reads the loss. The model, optimizer and loaders
 * belong to the caller, who moves them to one device and closes them; the loop closes nothing.
 *
 * <p><b>Divergence.</b> A non-finite epoch loss throws {@link TrainingDivergedException} after the
 * epoch's callbacks saw nothing of it (before {@link Callback#epochEnd}).
 */
public final class Fit {
    private Fit() {}

    /** The loss of one step, from the model's output and the batch. */
    @FunctionalInterface
    public interface Objective {
        /**
         * The scalar loss to minimise, owned by the current scope.
         *
         * @param output what the model returned for {@code batch.inputs()}
         */
        Tensor loss(Tensor output, Batch batch);
    }

    /**
     * What a run did.
     *
     * @param epochs one entry per epoch completed, in order
     * @param stopReason why a callback stopped the run early, or null if it ran every epoch
     */
    public record History(List<EpochMetrics> epochs, String stopReason) {
        /** Whether a callback stopped the run before its last epoch. */
        public boolean stoppedEarly() {
            return stopReason != null;
        }

        /** The last epoch's figures, or null if none completed. */
        public EpochMetrics last() {
            return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
        }
    }

    /** The loop as callbacks see it. */
    public static final class State {
        private final Module model;
        private final Optimizer optimizer;
        private final int epochs;
        private final int stepsPerEpoch;
        private int epoch;
        private int step;
        private String stopReason;

        State(Module model, Optimizer optimizer, int epochs, int stepsPerEpoch) {
            this.model = model;
            this.optimizer = optimizer;
            this.epochs = epochs;
            this.stepsPerEpoch = stepsPerEpoch;
        }

        /** The model being trained. */
        public Module model() {
            return model;
        }

        /** The optimizer. */
        public Optimizer optimizer() {
            return optimizer;
        }

        /** The current epoch, 1-based. */
        public int epoch() {
            return epoch;
        }

        /** Steps taken in the current epoch (1-based in {@link Callback#batchEnd}). */
        public int step() {
            return step;
        }

        /** The last epoch the run will reach unless stopped. */
        public int epochs() {
            return epochs;
        }

        /** Steps in one epoch. */
        public int stepsPerEpoch() {
            return stepsPerEpoch;
        }

        /**
         * Asks the loop to stop: requested during a step, it stops after that step (the epoch is
         * still evaluated and reported); during {@link Callback#epochEnd}, before the next epoch.
         * The first reason given is kept.
         */
        public void requestStop(String reason) {
            if (stopReason == null) {
                stopReason = Objects.requireNonNull(reason, "reason");
            }
        }

        /** Whether a stop was requested. */
        public boolean stopRequested() {
            return stopReason != null;
        }
    }

    /**
     * A loop over {@code model} and {@code optimizer} (which must hold the model's parameters).
     *
     * @throws NullPointerException if either is null
     */
    public static Builder builder(Module model, Optimizer optimizer) {
        return new Builder(Objects.requireNonNull(model, "model"), Objects.requireNonNull(optimizer, "optimizer"));
    }

    /** Settings of a run; every setter returns this builder. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private Loader train;
        private Loader validation;
        private int epochs = 1;
        private int firstEpoch = 1;
        private Objective objective = (out, b) -> F.crossEntropy(out, b.targets());
        private LRScheduler scheduler;
        private final List<Callback> callbacks = new ArrayList<>();

        private Builder(Module model, Optimizer optimizer) {
            this.model = model;
            this.optimizer = optimizer;
        }

        /** The training batches (required). */
        public Builder train(Loader loader) {
            this.train = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /** Batches evaluated after each epoch (loss, accuracy); none by default. */
        public Builder validation(Loader loader) {
            this.validation = loader;
            return this;
        }

        /**
         * The last epoch to run (1-based); default 1.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder epochs(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + n);
            }
            this.epochs = n;
            return this;
        }

        /**
         * The epoch to start at (1-based; default 1), for a run resumed after epoch
         * {@code firstEpoch - 1}: the loaders' shuffle orders and the schedule's learning rates
         * then continue where they were.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder firstEpoch(int epoch) {
            if (epoch < 1) {
                throw new IllegalArgumentException("firstEpoch must be at least 1, got " + epoch);
            }
            this.firstEpoch = epoch;
            return this;
        }

        /** The loss module applied as {@code loss.forward(output, batch.targets())}. */
        public Builder loss(Loss loss) {
            Objects.requireNonNull(loss, "loss");
            this.objective = (out, b) -> loss.forward(out, b.targets());
            return this;
        }

        /** Any loss: a function of the model's output and the batch. */
        public Builder objective(Objective objective) {
            this.objective = Objects.requireNonNull(objective, "objective");
            return this;
        }

        /** A learning-rate schedule stepped once after each epoch; none by default. */
        public Builder scheduler(LRScheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** Callbacks, called in this order (added to those given before). */
        public Builder callbacks(Callback... cs) {
            for (Callback c : cs) {
                callbacks.add(Objects.requireNonNull(c, "callback"));
            }
            return this;
        }

        /**
         * Runs the loop on this thread.
         *
         * @return what each epoch measured, and why it stopped early if it did
         * @throws IllegalStateException if no training loader was given, or {@code firstEpoch} is
         *     past {@code epochs}
         * @throws TrainingDivergedException if an epoch's training or validation loss is NaN or infinite
         * @throws dev.jtorch.TorchException if a step fails (shapes the model or loss refuses...)
         */
        public History run() {
            if (train == null) {
                throw new IllegalStateException("Fit needs a training loader: call train(loader)");
            }
            if (firstEpoch > epochs) {
                throw new IllegalStateException("firstEpoch " + firstEpoch + " is past the last epoch " + epochs);
            }
            State state = new State(model, optimizer, epochs, train.numBatches());
            List<EpochMetrics> done = new ArrayList<>();
            callbacks.forEach(c -> c.fitStart(state));
            for (int epoch = firstEpoch; epoch <= epochs && !state.stopRequested(); epoch++) {
                state.epoch = epoch;
                state.step = 0;
                callbacks.forEach(c -> c.epochStart(state));
                double lr = optimizer.lr();
                long t0 = System.nanoTime();
                Sums trained = trainEpoch(state, epoch - 1);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Sums validated = validation == null ? null : evaluate(epoch - 1);
                EpochMetrics m = new EpochMetrics(epoch, trained.loss(), trained.accuracy(),
                        validated == null ? Double.NaN : validated.loss(),
                        validated == null ? Double.NaN : validated.accuracy(), lr, trained.samples / seconds, seconds);
                if (!Double.isFinite(m.trainLoss())) {
                    throw new TrainingDivergedException(epoch, state.step, "training loss", m.trainLoss(), "");
                }
                if (validated != null && !Double.isFinite(m.testLoss())) {
                    throw new TrainingDivergedException(epoch, state.step, "validation loss", m.testLoss(), "");
                }
                done.add(m);
                callbacks.forEach(c -> c.epochEnd(state, m));
                if (scheduler != null) {
                    scheduler.step();
                }
            }
            History h = new History(List.copyOf(done), state.stopReason);
            callbacks.forEach(c -> c.fitEnd(state, h));
            return h;
        }

        private Sums trainEpoch(State state, int epochIndex) {
            model.train();
            try (TensorOwner sums = TensorOwner.ofConfined()) {
                Sums s = new Sums(sums);
                try {
                    train.forEachBatch(epochIndex, b -> step(state, s, b));
                } catch (StopSignal stop) {
                    // a callback asked to stop after its step: the epoch ends here
                }
                if (s.samples == 0) {
                    throw new IllegalStateException("the training loader gave no batch in epoch " + state.epoch);
                }
                return s.read();
            }
        }

        private void step(State state, Sums s, Batch b) {
            optimizer.zeroGrad();
            Tensor out = model.forward(b.inputs());
            Tensor loss = objective.loss(out, b);
            loss.backward();
            optimizer.step();
            Tensor detached = loss.detach();
            s.add(detached, out, b);
            state.step++;
            callbacks.forEach(c -> c.batchEnd(state, b, detached));
            if (state.stopRequested()) {
                throw StopSignal.INSTANCE;
            }
        }

        private Sums evaluate(int epochIndex) {
            model.eval();
            try (TensorOwner sums = TensorOwner.ofConfined(); NoGrad g = NoGrad.enter()) {
                Sums s = new Sums(sums);
                validation.forEachBatch(epochIndex, b -> {
                    Tensor out = model.forward(b.inputs());
                    s.add(objective.loss(out, b), out, b);
                });
                return s.read();
            } finally {
                model.train();
            }
        }
    }

    /** Ends a loader's pass from inside a step (loaders stop a pass when the step throws). */
    private static final class StopSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final StopSignal INSTANCE = new StopSignal();

        private StopSignal() {
            super("stop requested", null, false, false);
        }
    }

    /** An epoch's sample-weighted loss and correct counts, summed on the device, read once. */
    private static final class Sums {
        private final TensorOwner owner;
        private Tensor loss;
        private Tensor correct;
        private boolean classes = true;
        long samples;
        private double lossValue = Double.NaN;
        private double accuracyValue = Double.NaN;

        Sums(TensorOwner owner) {
            this.owner = owner;
        }

        void add(Tensor batchLoss, Tensor out, Batch b) {
            Tensor weighted = batchLoss.to(DType.FLOAT64).mul(b.size());
            if (loss == null) {
                loss = owner.adopt(weighted);
            } else {
                loss.add_(weighted);
            }
            classes &= b.targets().dtype() == DType.INT64 && b.targets().dim() == 1 && out.dim() == 2
                    && out.size(0) == b.size();
            if (classes) {
                Tensor hits = out.argmax(1).eq(b.targets()).sum();
                if (correct == null) {
                    correct = owner.adopt(hits);
                } else {
                    correct.add_(hits);
                }
            }
            samples += b.size();
        }

        Sums read() {
            if (samples > 0) {
                lossValue = loss.item() / samples;
                accuracyValue = classes && correct != null ? correct.item() / samples : Double.NaN;
            }
            return this;
        }

        double loss() {
            return lossValue;
        }

        double accuracy() {
            return accuracyValue;
        }
    }
}

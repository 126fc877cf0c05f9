package dev.jtorch.train;

import dev.jtorch.DType;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.data.Batch;
import dev.jtorch.data.Loader;
import dev.jtorch.nn.Loss;
import dev.jtorch.nn.Module;
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
 * indices); {@link Builder#loss(Loss)} takes any loss module,
 * {@link Builder#objective(Objective) Fit.Builder.objective} any function of the output and the
 * batch. Losses are assumed to be means over the batch: the epoch's loss is their sample-weighted
 * mean. Accuracy (argmax of a {@code [n, C]} output against int64 targets) is reported when the
 * targets are class indices, else NaN.
 *
 * <p><b>Memory and devices.</b> Each step runs in its loader's scope, so nothing of a step
 * outlives it; the epoch's running sums stay on the device and are read once per epoch, so no
 * step waits for the device unless a callback reads the loss. The model, optimizer and loaders
 * belong to the caller, who moves them to one device and closes them; the loop closes nothing.
 *
 * <p><b>Divergence.</b> A non-finite epoch loss throws {@link TrainingDivergedException} after the
 * epoch's callbacks saw nothing of it (before {@link Callback#epochEnd}).
 *
 * <p><b>Strategies.</b> {@link Builder#step(Step) Fit.Builder.step(Step)} replaces the autograd
 * step (and the epoch's running figures) by another, e.g. one that splits the batch over threads,
 * scales the loss or reduces gradients across processes;
 * {@link Builder#validation(Validation) Fit.Builder.validation(Validation)} replaces the evaluation
 * after each epoch. {@code jtorch train} is this loop with its own of both.
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
     * What one pass over a loader measured.
     *
     * @param loss the sample-weighted mean loss
     * @param accuracy the fraction of argmax hits, or NaN when the targets are not class indices
     * @param samples the samples seen
     * @param seconds the time the pass took
     */
    public record Figures(double loss, double accuracy, long samples, double seconds) {}

    /**
     * How the loop trains on a batch and sums up an epoch; by default zeroGrad, forward, the
     * objective, backward and the optimizer's step, with the running sums kept on the device.
     */
    @FunctionalInterface
    public interface Step {
        /** Starts an epoch's steps and running figures; the loop closes what it returns after the epoch. */
        Epoch startEpoch(State state);

        /** One epoch of steps. */
        interface Epoch extends AutoCloseable {
            /**
             * Trains on {@code batch} (called inside the batch's scope) and adds it to the epoch's figures.
             *
             * @return the step's scalar loss, detached and owned by the step's scope, or null where the
             *     step knows it only on the host (the callbacks then get null)
             */
            Tensor train(Batch batch);

            /**
             * The epoch's training figures, after its last step.
             *
             * @param seconds the time the loop measured for the epoch's steps
             */
            Figures figures(double seconds);

            /** Frees the epoch's running sums; also called when a step threw. */
            @Override
            void close();
        }
    }

    /** The evaluation after each epoch. */
    @FunctionalInterface
    public interface Validation {
        /**
         * Loss and accuracy of the model after epoch {@link State#epoch()}.
         *
         * @throws TrainingDivergedException where the validation itself checks for divergence
         */
        Figures evaluate(State state);
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
    public sealed interface State permits Loop {
        /** The model being trained. */
        Module model();

        /** The optimizer. */
        Optimizer optimizer();

        /** The current epoch, 1-based. */
        int epoch();

        /** Steps taken in the current epoch (1-based in {@link Callback#batchEnd}). */
        int step();

        /** The last epoch the run will reach unless stopped. */
        int epochs();

        /** Steps in one epoch. */
        int stepsPerEpoch();

        /**
         * Asks the loop to stop: requested during a step, it stops after that step (the epoch is
         * still evaluated and reported); during {@link Callback#epochEnd}, before the next epoch.
         * The first reason given is kept.
         */
        void requestStop(String reason);

        /** Whether a stop was requested. */
        boolean stopRequested();
    }

    /** Where the loop is: the epoch, the step and the first stop reason. */
    private static final class Position {
        int epoch;
        int step;
        String stopReason;
    }

    /** The {@link State} of one run: its fixed settings as components, its {@link Position} updated by the loop. */
    private record Loop(Module model, Optimizer optimizer, int epochs, int stepsPerEpoch, Position at) implements State {
        @Override
        public int epoch() {
            return at.epoch;
        }

        @Override
        public int step() {
            return at.step;
        }

        @Override
        public void requestStop(String reason) {
            if (at.stopReason == null) {
                at.stopReason = Objects.requireNonNull(reason, "reason");
            }
        }

        @Override
        public boolean stopRequested() {
            return at.stopReason != null;
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
    public static final class Builder extends FitBuilderSetters {
        // the plain setters (train, validation of a Validation, step, epochs, firstEpoch, objective,
        // scheduler) and their fields are generated into FitBuilderSetters from
        // src/generator/resources/builder_setters.tsv
        private final Module model;
        private final Optimizer optimizer;
        private final List<Callback> callbacks = new ArrayList<>();

        private Builder(Module model, Optimizer optimizer) {
            this.model = model;
            this.optimizer = optimizer;
        }

        /** Batches evaluated after each epoch (loss, accuracy); none by default. */
        public Builder validation(Loader loader) {
            this.validation = loader == null ? null : state -> evaluate(loader, state.epoch() - 1);
            return this;
        }

        /** The loss module applied as {@code loss.forward(output, batch.targets())}. */
        public Builder loss(Loss loss) {
            Objects.requireNonNull(loss, "loss");
            this.objective = (out, b) -> loss.forward(out, b.targets());
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
            Step strategy = step != null ? step : new AutogradStep(model, optimizer, objective);
            Position at = new Position();
            Loop state = new Loop(model, optimizer, epochs, train.numBatches(), at);
            List<EpochMetrics> done = new ArrayList<>();
            callbacks.forEach(c -> c.fitStart(state));
            // ends at the break below: with epochs == Integer.MAX_VALUE, "epoch <= epochs" would never turn false
            for (int epoch = firstEpoch; !state.stopRequested(); epoch++) {
                at.epoch = epoch;
                at.step = 0;
                callbacks.forEach(c -> c.epochStart(state));
                double lr = optimizer.lr();
                Figures trained = trainEpoch(strategy, state, epoch - 1);
                Figures validated = validation == null ? null : validation.evaluate(state);
                EpochMetrics m = new EpochMetrics(epoch, trained.loss(), trained.accuracy(),
                        validated == null ? Double.NaN : validated.loss(),
                        validated == null ? Double.NaN : validated.accuracy(), lr,
                        trained.samples() / trained.seconds(), trained.seconds());
                if (!Double.isFinite(m.trainLoss())) {
                    throw new TrainingDivergedException(epoch, at.step, "training loss", m.trainLoss(), "");
                }
                if (validated != null && !Double.isFinite(m.testLoss())) {
                    throw new TrainingDivergedException(epoch, at.step, "validation loss", m.testLoss(), "");
                }
                done.add(m);
                callbacks.forEach(c -> c.epochEnd(state, m));
                if (scheduler != null) {
                    scheduler.step();
                }
                if (epoch >= epochs) {
                    break;
                }
            }
            History h = new History(List.copyOf(done), at.stopReason);
            callbacks.forEach(c -> c.fitEnd(state, h));
            return h;
        }

        private Figures trainEpoch(Step strategy, Loop state, int epochIndex) {
            model.train();
            long t0 = System.nanoTime();
            try (Step.Epoch e = strategy.startEpoch(state)) {
                try {
                    train.forEachBatch(epochIndex, b -> step(state, e, b));
                } catch (StopSignal stop) {
                    // a callback asked to stop after its step: the epoch ends here
                }
                Figures f = e.figures((System.nanoTime() - t0) / 1e9);
                if (f.samples() == 0) {
                    throw new IllegalStateException("the training loader gave no batch in epoch " + state.epoch());
                }
                return f;
            }
        }

        private void step(Loop state, Step.Epoch e, Batch b) {
            Tensor loss = e.train(b);
            state.at().step++;
            // an indexed loop: no lambda allocated per step
            for (int i = 0; i < callbacks.size(); i++) {
                callbacks.get(i).batchEnd(state, b, loss);
            }
            if (state.stopRequested()) {
                throw StopSignal.INSTANCE;
            }
        }

        private Figures evaluate(Loader loader, int epochIndex) {
            model.eval();
            long t0 = System.nanoTime();
            try (TensorOwner sums = TensorOwner.ofConfined(); NoGrad g = NoGrad.enter()) {
                Sums s = new Sums(sums);
                loader.forEachBatch(epochIndex, b -> {
                    Tensor out = model.forward(b.inputs());
                    s.add(objective.loss(out, b), out, b);
                });
                return s.figures((System.nanoTime() - t0) / 1e9);
            } finally {
                model.train();
            }
        }
    }

    /** The default step: zeroGrad, forward, objective, backward, the optimizer's step. */
    private record AutogradStep(Module model, Optimizer optimizer, Objective objective) implements Step {
        @Override
        public Epoch startEpoch(State state) {
            TensorOwner owner = TensorOwner.ofConfined();
            Sums sums = new Sums(owner);
            return new Epoch() {
                @Override
                public Tensor train(Batch b) {
                    optimizer.zeroGrad();
                    Tensor out = model.forward(b.inputs());
                    Tensor loss = objective.loss(out, b);
                    loss.backward();
                    optimizer.step();
                    Tensor detached = loss.detach();
                    sums.add(detached, out, b);
                    return detached;
                }

                @Override
                public Figures figures(double seconds) {
                    return sums.figures(seconds);
                }

                @Override
                public void close() {
                    owner.close();
                }
            };
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
        private long samples;

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

        Figures figures(double seconds) {
            if (samples == 0) {
                return new Figures(Double.NaN, Double.NaN, 0, seconds);
            }
            return new Figures(loss.item() / samples, classes && correct != null ? correct.item() / samples : Double.NaN,
                    samples, seconds);
        }
    }
}

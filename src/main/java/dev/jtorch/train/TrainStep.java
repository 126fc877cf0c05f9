package dev.jtorch.train;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.amp.GradScaler;
import dev.jtorch.data.Batch;
import dev.jtorch.internal.NativeDenseStep;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.function.BooleanSupplier;

/**
 * {@code jtorch train}'s {@link Fit.Step}: the hand-written dense step ({@link DenseStep}) where it
 * applies, else the autograd step, its batch split over threads ({@link SplitStep}), under
 * autocast ({@link Precision}) with float16 loss scaling, and with the gradients averaged over the
 * ranks of a distributed run; and the epoch's running sums ({@link PartialEpoch}), continued from
 * an interrupted epoch's checkpoint.
 *
 * <p>The sums stay on the device and are read every {@value #SYNC_EVERY} steps, at the epoch's
 * last step and when stopping, so a CUDA step never waits for the device just to report a number;
 * the running training loss is checked for divergence where it is read.
 */
final class TrainStep implements Fit.Step {
    /** Steps between reads of the running loss/accuracy sums kept on the device (each read syncs). */
    static final int SYNC_EVERY = 50;

    private final Parts parts;
    private PartialEpoch partial;
    private PartialEpoch resumed;
    private int epoch;
    private boolean stopping;
    private boolean stopAll;

    /**
     * What the step is made of, fixed for the run.
     *
     * @param model the model trained
     * @param opt its optimizer
     * @param amp the precision of the forward pass
     * @param scaler the float16 loss scaler, or null
     * @param split the batch split over threads, or null
     * @param dense the hand-written dense step, or null; used in place of the autograd step where given
     * @param dist the distributed run, or null
     * @param stop polled after every step
     * @param diverged the divergence checks
     * @param device where the running sums live: the loader's device
     * @param steps steps in a whole epoch
     */
    record Parts(Module model, Optimizer opt, Precision amp, GradScaler scaler, SplitStep split, DenseStep dense,
                 DistributedRun dist, BooleanSupplier stop, Divergence diverged, Device device, int steps) {}

    /** @param resumed the running sums of the interrupted epoch the run resumes (empty ones if none) */
    TrainStep(Parts parts, PartialEpoch resumed) {
        this.parts = parts;
        this.resumed = resumed;
        this.partial = resumed;
    }

    /** The running sums of the epoch in progress (or just ended). */
    PartialEpoch partial() {
        return partial;
    }

    /**
     * Whether the last step was asked to stop: this process's request, or in a distributed run
     * the decision all ranks agreed on in that step's gradient all-reduce.
     */
    boolean stopping() {
        return stopping;
    }

    /**
     * Whether the run was asked to stop by the end of the epoch: this process's request, or in a
     * distributed run any rank's (summed in {@link #endEpoch()}).
     */
    boolean stopAfterEpoch() {
        return parts.dist() == null ? parts.stop().getAsBoolean() : stopAll;
    }

    @Override
    public Fit.Step.Epoch startEpoch(Fit.State state) {
        epoch = state.epoch();
        partial = resumed != null ? resumed : new PartialEpoch();
        resumed = null;
        return new Running();
    }

    /**
     * Closes the epoch's figures, whole or interrupted: sums them over the ranks, then checks the
     * training loss and the parameters, before anything of the epoch is written.
     *
     * @throws TrainingDivergedException if either is no longer finite
     */
    void endEpoch() {
        if (parts.dist() != null) {
            stopAll = reduce(parts.dist());
        }
        parts.diverged().checkLoss(epoch, partial.steps, "training loss", partial.meanLoss());
        parts.diverged().checkParameters(epoch, partial.steps, parts.model());
    }

    /**
     * Sums the epoch's running figures over the ranks (seconds: their mean) and tells whether any
     * rank asked to stop; every rank calls it after every epoch, interrupted or not.
     */
    private boolean reduce(DistributedRun dist) {
        PartialEpoch p = partial;
        double[] s = dist.sum(p.lossSum, p.correct, p.seen, p.seconds, parts.stop().getAsBoolean() ? 1 : 0);
        p.lossSum = s[0];
        p.correct = Math.round(s[1]);
        p.seen = Math.round(s[2]);
        p.seconds = s[3] / dist.worldSize();
        return s[4] > 0;
    }

    /** One epoch's steps; its scope owns the sums kept on the device. */
    private final class Running implements Fit.Step.Epoch {
        private final TensorScope scope = TensorScope.open();
        private final Tensor lossSum = Tensor.zeros(Shape.of(), DType.FLOAT64, parts.device());
        private final Tensor correct = Tensor.zeros(Shape.of(), DType.INT64, parts.device());
        private final double lossBase = partial.lossSum;
        private final long correctBase = partial.correct;
        // the dense step's figures come back to the host anyway: summed here, not on the device
        private double hostLoss;
        private long hostCorrect;
        private long t0 = System.nanoTime();

        @Override
        public Tensor train(Batch b) {
            Parts r = parts;
            PartialEpoch p = partial;
            Tensor detached = null;
            if (r.dense() != null) {
                NativeDenseStep.Outcome o = r.dense().run(b); // overwrites the gradients: no zeroGrad
                r.opt().step();
                hostLoss += o.meanLoss() * b.size();
                hostCorrect += o.correct();
            } else {
                detached = autograd(r, b);
            }
            p.seen += b.size();
            p.steps++;
            stopping = r.dist() == null ? r.stop().getAsBoolean() : r.dist().stopAgreed();
            if (p.steps == r.steps() || stopping || p.steps % SYNC_EVERY == 0) {
                p.lossSum = lossBase + lossSum.item() + hostLoss;
                p.correct = correctBase + correct.itemLong() + hostCorrect;
                if (r.dist() == null) {
                    // distributed ranks check the sum they agree on, after the epoch
                    r.diverged().checkLoss(epoch, p.steps, "training loss", p.lossSum / p.seen);
                }
            }
            long now = System.nanoTime();
            p.seconds += (now - t0) / 1e9;
            t0 = now;
            return detached;
        }

        /** The autograd step, its sums added on the device; returns the detached loss. */
        private Tensor autograd(Parts r, Batch b) {
            Tensor loss;
            Tensor right;
            r.opt().zeroGrad();
            if (r.split() != null) { // CPU only, so never a float16 scaler
                SplitStep.Outcome o = r.split().run(b, r.amp());
                loss = o.loss();
                right = o.correct();
            } else {
                Tensor logits = r.amp().forward(r.model(), b.images());
                loss = F.crossEntropy(logits, b.labels());
                (r.scaler() != null ? r.scaler().scale(loss) : loss).backward();
                right = logits.argmax(1).eq(b.labels()).sum();
            }
            if (r.dist() != null) {
                // the mean (for float16 still scaled) gradient of all ranks; the ranks agree on stopping
                r.dist().afterBackward(r.stop());
            }
            if (r.scaler() != null) {
                r.scaler().step(r.opt()); // skipped when float16 gradients overflowed
                r.scaler().update();
            } else {
                r.opt().step();
            }
            Tensor detached = loss.detach();
            lossSum.add_(detached, b.size());
            correct.add_(right);
            return detached;
        }

        @Override
        public Fit.Figures figures(double seconds) {
            endEpoch();
            PartialEpoch p = partial;
            return new Fit.Figures(p.lossSum / p.seen, (double) p.correct / p.seen, p.seen, p.seconds);
        }

        @Override
        public void close() {
            scope.close();
        }
    }
}

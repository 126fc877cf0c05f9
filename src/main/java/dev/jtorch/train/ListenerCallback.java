package dev.jtorch.train;

import dev.jtorch.data.Batch;
import dev.jtorch.data.Dataset;
import dev.jtorch.models.Architecture;
import dev.jtorch.tensor.Tensor;

/**
 * Reports a {@code jtorch train} run's progress to its {@link Trainer.Listener} (the CLI's progress bar).
 *
 * @param listener where the progress goes
 * @param step the run's step, whose running sums are reported after each step
 * @param arch the architecture trained
 * @param train the training set
 * @param test the test set
 * @param firstEpoch the first epoch of this invocation (after a resume, the one it continues)
 */
record ListenerCallback(Trainer.Listener listener, TrainStep step, Architecture arch, Dataset train, Dataset test,
                        int firstEpoch) implements Callback {
    @Override
    public void fitStart(Fit.State state) {
        listener.start(arch, train, test, firstEpoch, state.epochs(), state.stepsPerEpoch());
    }

    @Override
    public void batchEnd(Fit.State state, Batch batch, Tensor loss) {
        PartialEpoch p = step.partial();
        listener.step(state.epoch(), p.steps, state.stepsPerEpoch(), p.lossSum / p.seen, (double) p.correct / p.seen,
                p.seen / p.seconds);
    }

    @Override
    public void epochEnd(Fit.State state, EpochMetrics metrics) {
        listener.epochEnd(metrics);
    }
}

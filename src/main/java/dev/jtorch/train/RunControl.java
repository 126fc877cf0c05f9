package dev.jtorch.train;

import dev.jtorch.data.Batch;
import dev.jtorch.tensor.Tensor;
import java.util.Locale;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each epoch of a {@code jtorch train} run and carries out a stop request: during an epoch it
 * ends the run after the current step ({@link Interrupted}, no evaluation: the caller saves the
 * interrupted epoch's checkpoint), after an epoch's files it ends the run before the next epoch
 * ({@link Fit.History#stoppedEarly()}).
 *
 * @param step the run's step, which knows whether a stop was requested
 * @param writer whether this process writes the run's files and log
 * @param checkpoint the checkpoint file, for the log
 */
record RunControl(TrainStep step, boolean writer, Path checkpoint) implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** @throws Interrupted if a stop was requested before the epoch's last step */
    @Override
    public void batchEnd(Fit.State state, Batch batch, Tensor loss) {
        if (step.stopping() && step.partial().steps < state.stepsPerEpoch()) {
            throw Interrupted.INSTANCE;
        }
    }

    @Override
    public void epochEnd(Fit.State state, EpochMetrics m) {
        if (writer) {
            LOG.info("epoch {}/{}: train loss {} acc {}, test loss {} acc {}, {} samples/s", m.epoch(), state.epochs(),
                    fmt(m.trainLoss()), fmt(m.trainAccuracy()), fmt(m.testLoss()), fmt(m.testAccuracy()),
                    Math.round(m.samplesPerSecond()));
        }
        if (step.stopAfterEpoch() && m.epoch() < state.epochs()) {
            LOG.info("interrupted after epoch {}: checkpoint saved in {}", m.epoch(), checkpoint);
            state.requestStop("interrupted");
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Ends the run's loop mid-epoch; thrown by {@link #batchEnd}, caught by {@link Trainer}. */
    static final class Interrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Interrupted INSTANCE = new Interrupted();

        private Interrupted() {
            super("stop requested", null, false, false);
        }
    }
}

package dev.jtorch.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * After each epoch of a {@code jtorch train} run: its line in {@code metrics.jsonl}, the
 * schedule's step and {@code checkpoint.pt}, in that order, so that the checkpoint holds the
 * schedule of the next epoch and a crash between the two writes is repaired on resume
 * ({@link MetricsFile#reconcile}). Only the writing rank writes; every rank steps its schedule.
 */
final class EpochFiles implements Callback {
    private final RunCheckpoint checkpoint;
    private final boolean writer;
    private final List<EpochMetrics> done = new ArrayList<>();
    private EpochMetrics last;

    /** @param last the metrics line of the resumed checkpoint's last epoch, or null */
    EpochFiles(RunCheckpoint checkpoint, boolean writer, EpochMetrics last) {
        this.checkpoint = checkpoint;
        this.writer = writer;
        this.last = last;
    }

    /** The epochs this run completed, in order. */
    List<EpochMetrics> done() {
        return done;
    }

    /**
     * {@inheritDoc}
     *
     * @throws WriteFailed if a file cannot be written; {@link Trainer} rethrows its cause
     */
    @Override
    public void epochEnd(Fit.State state, EpochMetrics m) {
        try {
            if (writer) {
                MetricsFile.append(MetricsFile.of(checkpoint.out()), m);
            }
            done.add(m);
            last = m;
            if (checkpoint.schedule() != null) {
                checkpoint.schedule().step();
            }
            if (writer) {
                checkpoint.save(m.epoch(), null, m);
            }
        } catch (IOException e) {
            throw new WriteFailed(e);
        }
    }

    /** A file of the epoch could not be written: carries the {@link IOException} out of the loop. */
    static final class WriteFailed extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        WriteFailed(IOException cause) {
            super(cause);
        }
    }

    /** Saves the checkpoint of an epoch interrupted after {@code partial.steps} steps. */
    void saveInterrupted(int epoch, PartialEpoch partial) throws IOException {
        checkpoint.save(epoch - 1, partial, last);
    }
}

package dev.jtorch.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Appends one JSON line per epoch to a file, in the CLI's {@code metrics.jsonl} format
 * ({@link EpochMetrics}), so the same tools read both. Each line is written and flushed at the
 * end of its epoch.
 */
public final class MetricsLog implements Callback {
    private final Path file;

    /** Logs to {@code file}, appending if it exists (a resumed run continues its log). */
    public MetricsLog(Path file) {
        this.file = java.util.Objects.requireNonNull(file, "file");
    }

    /**
     * {@inheritDoc}
     *
     * @throws UncheckedIOException naming the file if it cannot be written
     */
    @Override
    public void epochEnd(Fit.State state, EpochMetrics m) {
        try {
            MetricsFile.append(file, m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics log " + file + ": " + e.getMessage(), e);
        }
    }
}

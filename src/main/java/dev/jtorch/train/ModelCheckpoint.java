package dev.jtorch.train;

import dev.jtorch.io.StateDicts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Saves the model's state dict ({@link StateDicts#save}, a file Python's {@code torch.load}
 * reads) after every epoch, or only after epochs that improve a figure. The file is written to a
 * temporary name and renamed, so a crash never leaves half a file.
 */
public final class ModelCheckpoint implements Callback {
    private final Path file;
    private final EarlyStopping.Monitor monitor;
    private double best = Double.NaN;
    private int savedEpoch;

    /** Saves after every epoch to {@code file}. */
    public ModelCheckpoint(Path file) {
        this(file, null);
    }

    /**
     * Saves to {@code file} after each epoch whose {@code monitor} figure is the best so far;
     * every epoch if {@code monitor} is null.
     */
    public ModelCheckpoint(Path file, EarlyStopping.Monitor monitor) {
        this.file = java.util.Objects.requireNonNull(file, "file");
        this.monitor = monitor;
    }

    /**
     * {@inheritDoc}
     *
     * @throws UncheckedIOException naming the file if it cannot be written
     */
    @Override
    public void epochEnd(Fit.State state, EpochMetrics m) {
        if (monitor != null) {
            double v = monitor.of(m);
            boolean better = !Double.isNaN(v) && (Double.isNaN(best) || (monitor.higherIsBetter() ? v > best : v < best));
            if (!better) {
                return;
            }
            best = v;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            StateDicts.save(state.model().stateDict(), tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + file + ": " + e.getMessage(), e);
        }
        savedEpoch = m.epoch();
    }

    /** The epoch last saved, or 0. */
    public int savedEpoch() {
        return savedEpoch;
    }
}

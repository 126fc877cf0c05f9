package dev.jtorch.train;

import dev.jtorch.data.Batch;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.Loader;
import dev.jtorch.tensor.TensorScope;
import java.util.function.Consumer;

/**
 * A {@code jtorch train} run's training batches as {@link Fit} asks for them: Fit's epoch index
 * e is the loader's epoch e + 1 (checkpoints record the shuffle of 1-based epochs), and the first
 * pass leaves out the steps an interrupted epoch trained before its checkpoint. Closing it leaves
 * the loader open: the run owns it.
 */
final class ResumedBatches implements Loader {
    private final DataLoader loader;
    private int skip;

    /** @param skip batches of the first pass already trained on before the interruption */
    ResumedBatches(DataLoader loader, int skip) {
        this.loader = loader;
        this.skip = skip;
    }

    @Override
    public int numBatches() {
        return loader.numBatches();
    }

    @Override
    public void forEachBatch(int epoch, Consumer<Batch> step) {
        try (DataLoader.BatchIterator it = loader.epoch(epoch + 1).iterator()) {
            for (; skip > 0 && it.hasNext(); skip--) {
                try (TensorScope s = TensorScope.open()) {
                    it.next(); // already trained on before the interruption
                }
            }
            while (it.hasNext()) {
                try (TensorScope s = TensorScope.open()) {
                    step.accept(it.next());
                }
            }
        }
    }

    @Override
    public void close() {
        // the run closes the loader
    }
}

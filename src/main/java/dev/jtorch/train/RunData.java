package dev.jtorch.train;

import dev.jtorch.data.DataSets;
import dev.jtorch.data.Dataset;
import dev.jtorch.data.Split;
import dev.jtorch.models.Architecture;

/**
 * The data of a {@code jtorch train} run: the training set after {@code --limit}, less the
 * {@code --val} samples held out at its end for calibration, and the test set.
 *
 * @param train the samples trained on
 * @param val the held-out samples, or null
 * @param test the test split
 */
record RunData(Dataset train, Dataset val, Dataset test) {
    /**
     * Loads the data of {@code cfg} at the input size of {@code arch}.
     *
     * @throws dev.jtorch.data.DataException naming the file if the data is missing or malformed
     * @throws IllegalArgumentException if the images do not fit {@code arch}, or {@code --val}
     *     leaves no training data
     */
    static RunData load(TrainConfig cfg, Architecture arch) {
        java.nio.file.Path dir = Trainer.dataDir(cfg.data());
        Dataset train = DataSets.load(dir, Split.TRAIN, arch.channels(), arch.height(), arch.width());
        Dataset test = DataSets.load(dir, Split.TEST, arch.channels(), arch.height(), arch.width());
        Trainer.checkFits(arch, train);
        Trainer.checkFits(arch, test);
        if (cfg.limit() > 0 && cfg.limit() < train.size()) {
            train = train.head((int) cfg.limit());
        }
        if (cfg.val() == 0) {
            return new RunData(train, null, test);
        }
        if (cfg.val() >= train.size()) {
            throw new IllegalArgumentException("--val " + cfg.val() + " leaves no training data (" + train.size()
                    + " samples after --limit)");
        }
        int n = train.size();
        return new RunData(train.slice(0, n - (int) cfg.val()), train.slice(n - (int) cfg.val(), n), test);
    }
}

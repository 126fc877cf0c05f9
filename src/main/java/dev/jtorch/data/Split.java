package dev.jtorch.data;

/** Which part of a data set: the training samples or the held-out test samples. */
public enum Split {
    /** The training samples ({@code train-*} IDX files, {@code data_batch_1..5.bin}). */
    TRAIN,
    /** The test samples ({@code t10k-*} IDX files, {@code test_batch.bin}). */
    TEST
}

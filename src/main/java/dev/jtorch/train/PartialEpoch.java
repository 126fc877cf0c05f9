package dev.jtorch.train;

/**
 * Running sums of the epoch in progress of a {@code jtorch train} run, on the host: what an
 * interrupted run's checkpoint saves and a resumed run continues from.
 */
final class PartialEpoch {
    /** Steps taken in the epoch, including those before a resume. */
    int steps;
    /** Samples trained on in the epoch. */
    long seen;
    /** Argmax hits among them. */
    long correct;
    /** Sum over the steps of the mean loss times the batch size. */
    double lossSum;
    /** Seconds spent in the epoch's steps. */
    double seconds;

    /** The mean loss so far (the bare sum where nothing was seen: a distributed rank's empty share). */
    double meanLoss() {
        return seen == 0 ? lossSum : lossSum / seen;
    }
}

package dev.jtorch.metrics;

import dev.jtorch.DType;
import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;

/**
 * Batch metrics of classifier logits: top-k accuracy, mean negative log-likelihood and expected
 * calibration error.
 *
 * <p>Inputs: logits {@code [N, C]} (any floating dtype, any device; never modified) and integer
 * class indices {@code [N]} (moved to the logits' device and converted to int64 if needed).
 * Probabilities and losses are computed in float64 so that results do not depend on the logits'
 * dtype beyond its rounding. Each method opens a private {@link TensorScope} for its intermediates
 * and returns a Java value, so it needs no open scope and leaves nothing behind.
 *
 * <p>Every method throws {@link IllegalArgumentException} naming the shapes if logits are not
 * {@code [N, C]}, targets not {@code [N]} integers, or a target is outside {@code [0, C)}.
 */
public final class Metrics {
    /** Number of equal-width confidence bins of {@link #ece}. */
    public static final int ECE_BINS = 15;

    private static final double[] UPPER = new double[ECE_BINS];

    static {
        for (int b = 0; b < ECE_BINS; b++) {
            UPPER[b] = (b + 1) / (double) ECE_BINS;
        }
    }

    private Metrics() {}

    /** Fraction of samples whose largest logit is at the target (top-1 accuracy); 0 when N = 0. */
    public static double accuracy(Tensor logits, Tensor targets) {
        return topKAccuracy(logits, targets, 1);
    }

    /**
     * Fraction of samples whose target is among the {@code k} largest logits; {@code k} larger than
     * C counts as C (every sample is a hit), as scikit-learn's {@code top_k_accuracy_score}.
     * 0 when N = 0.
     *
     * @throws IllegalArgumentException if {@code k < 1}
     */
    public static double topKAccuracy(Tensor logits, Tensor targets, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("topKAccuracy: k must be >= 1, got " + k);
        }
        try (TensorScope s = TensorScope.open()) {
            Checks.logitsAndTargets("topKAccuracy", logits, targets, -1);
            long n = logits.size(0);
            return n == 0 ? 0.0 : (double) topKHits(logits, Checks.targetsFor(logits, targets), k) / n;
        }
    }

    /** Hits of the targets among the top-k logits; needs an open scope, inputs already checked. */
    static long topKHits(Tensor logits, Tensor targets64, int k) {
        int kk = (int) Math.min(k, logits.size(1));
        return logits.topk(kk, 1).indices().eq(targets64.unsqueeze(1)).to(DType.INT64).sum().itemLong();
    }

    /**
     * Mean cross-entropy of the logits at the targets ({@code F.cross_entropy}, mean reduction),
     * computed in float64; NaN when N = 0.
     */
    public static double nll(Tensor logits, Tensor targets) {
        try (TensorScope s = TensorScope.open()) {
            Checks.logitsAndTargets("nll", logits, targets, -1);
            long n = logits.size(0);
            if (n == 0) {
                return Double.NaN;
            }
            return F.crossEntropy(logits.to(DType.FLOAT64), Checks.targetsFor(logits, targets), Reduction.SUM).item() / n;
        }
    }

    /**
     * Expected calibration error of the logits' top-1 softmax confidence (computed in float64) and
     * top-1 correctness; see {@link #ece(double[], boolean[])} for the binning. 0 when N = 0.
     */
    public static double ece(Tensor logits, Tensor targets) {
        try (TensorScope s = TensorScope.open()) {
            Checks.logitsAndTargets("ece", logits, targets, -1);
            Tensor t = Checks.targetsFor(logits, targets);
            double[] conf = F.softmax(logits.to(DType.FLOAT64), 1).max(1, false).values().toDoubleArray();
            boolean[] correct = logits.argmax(1).eq(t).toBooleanArray();
            return ece(conf, correct);
        }
    }

    /**
     * Expected calibration error with {@value #ECE_BINS} equal-width bins of confidence.
     *
     * <p>Binning rule (exactly): sample i goes to the first bin {@code b} in {@code 0..14} whose
     * upper edge {@code (b + 1) / 15.0} (a double division) is {@code >= confidence[i]}; that is,
     * bin b is {@code (b/15, (b+1)/15]}, bin 0 also takes 0 (and anything below), and bin 14 is
     * closed at 1.0 (and also takes anything above 1.0 from rounding). Then
     * {@code ECE = sum over non-empty bins b of (n_b / N) * |accuracy_b - confidence_b|}, where
     * accuracy_b and confidence_b are the means of correctness (1/0) and confidence over the bin.
     * This is numpy's {@code searchsorted(uppers, conf, side="left")} with
     * {@code uppers = [(b+1)/15 for b in range(15)]}, which {@code scripts/fixtures_metrics.py}
     * spells out.
     *
     * @return the ECE in [0, 1]; 0 when there are no samples
     * @throws IllegalArgumentException if the arrays differ in length or a confidence is NaN
     */
    public static double ece(double[] confidence, boolean[] correct) {
        if (confidence.length != correct.length) {
            throw new IllegalArgumentException("ece: " + confidence.length + " confidences but " + correct.length
                    + " correctness flags");
        }
        int n = confidence.length;
        if (n == 0) {
            return 0.0;
        }
        long[] count = new long[ECE_BINS];
        double[] confSum = new double[ECE_BINS];
        long[] hits = new long[ECE_BINS];
        for (int i = 0; i < n; i++) {
            double c = confidence[i];
            if (Double.isNaN(c)) {
                throw new IllegalArgumentException("ece: confidence[" + i + "] is NaN");
            }
            int b = eceBin(c);
            count[b]++;
            confSum[b] += c;
            if (correct[i]) {
                hits[b]++;
            }
        }
        double total = 0.0;
        for (int b = 0; b < ECE_BINS; b++) {
            if (count[b] > 0) {
                double acc = (double) hits[b] / count[b];
                double conf = confSum[b] / count[b];
                total += ((double) count[b] / n) * Math.abs(acc - conf);
            }
        }
        return total;
    }

    /**
     * The ECE bin of a confidence: the first {@code b} with {@code c <= (b+1)/15.0}, else the
     * last; {@link #ece} and the trainer's reliability plot bin through this one rule.
     */
    public static int eceBin(double c) {
        // a first guess from the product, then corrected against the exact edges, so that values
        // on an edge fall where the comparison rule (not the rounding of c * 15) puts them
        int b = (int) Math.ceil(c * ECE_BINS) - 1;
        b = Math.max(0, Math.min(ECE_BINS - 1, b));
        while (b > 0 && c <= UPPER[b - 1]) {
            b--;
        }
        while (b < ECE_BINS - 1 && c > UPPER[b]) {
            b++;
        }
        return b;
    }
}

package dev.jtorch.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Accuracy and per-class and averaged precision/recall/F1 computed from a confusion matrix, equal
 * to scikit-learn's {@code accuracy_score} and
 * {@code precision_recall_fscore_support(labels=range(C), zero_division=0)}.
 *
 * <p>Per class: precision = TP / predicted (0 when the class is never predicted), recall = TP /
 * support (0 when the class never occurs), F1 = 2PR / (P + R) (0 when P + R = 0). Macro averages
 * the C per-class values unweighted, so a class that never occurs still counts, with recall 0;
 * weighted averages them by support; micro divides the summed TP by the summed predictions and
 * supports (equal to the accuracy here, since every sample has one of the C labels).
 *
 * @param samples the number of samples (the matrix's total)
 * @param accuracy the fraction on the diagonal
 * @param perClass one entry per class, in class order
 */
public record ClassificationReport(long samples, double accuracy, List<ClassMetrics> perClass, Averages macro,
        Averages weighted, Averages micro) {

    /** Copies {@code perClass} into an unmodifiable list. */
    public ClassificationReport {
        perClass = List.copyOf(perClass);
    }

    /**
     * The report of {@code confusion} ({@code confusion[t][p]}: samples of true class t predicted
     * as p, as from {@link ConfusionMatrix#counts()}).
     *
     * @param labels one name per class, or null for "0", "1", ...
     * @throws IllegalArgumentException if the matrix is not square and non-empty, holds a negative
     *     count, counts no sample, or {@code labels} has the wrong size
     */
    public static ClassificationReport of(long[][] confusion, List<String> labels) {
        if (confusion == null || confusion.length == 0) {
            throw new IllegalArgumentException("ClassificationReport: the confusion matrix is empty (0 classes)");
        }
        int c = confusion.length;
        for (int t = 0; t < c; t++) {
            if (confusion[t] == null || confusion[t].length != c) {
                throw new IllegalArgumentException("ClassificationReport: the confusion matrix must be " + c + "x" + c
                        + ", row " + t + " has " + (confusion[t] == null ? "no" : confusion[t].length) + " entries");
            }
        }
        List<String> names = labels == null ? defaultLabels(c) : labels;
        if (names.size() != c) {
            throw new IllegalArgumentException("ClassificationReport: " + names.size() + " labels for a " + c + "x" + c
                    + " confusion matrix");
        }
        long[] tp = new long[c];
        long[] support = new long[c];
        long[] predicted = new long[c];
        long total = 0;
        for (int t = 0; t < c; t++) {
            for (int p = 0; p < c; p++) {
                long v = confusion[t][p];
                if (v < 0) {
                    throw new IllegalArgumentException("ClassificationReport: negative count " + v + " at confusion[" + t
                            + "][" + p + "]");
                }
                support[t] += v;
                predicted[p] += v;
                total += v;
            }
            tp[t] = confusion[t][t];
        }
        if (total == 0) {
            throw new IllegalArgumentException("ClassificationReport: the confusion matrix counts no sample");
        }
        List<ClassMetrics> per = new ArrayList<>(c);
        double[] pr = new double[c], rc = new double[c], f1 = new double[c];
        long tpSum = 0;
        for (int k = 0; k < c; k++) {
            pr[k] = divide(tp[k], predicted[k]);
            rc[k] = divide(tp[k], support[k]);
            f1[k] = f1(pr[k], rc[k]);
            tpSum += tp[k];
            per.add(new ClassMetrics(k, names.get(k), pr[k], rc[k], f1[k], support[k]));
        }
        Averages macro = new Averages(mean(pr), mean(rc), mean(f1));
        Averages weighted = new Averages(weightedMean(pr, support), weightedMean(rc, support), weightedMean(f1, support));
        // summed predictions and supports both equal the total: every sample has one of the C labels
        double mp = divide(tpSum, total), mr = divide(tpSum, total);
        Averages micro = new Averages(mp, mr, f1(mp, mr));
        return new ClassificationReport(total, (double) tpSum / total, per, macro, weighted, micro);
    }

    /** "0", "1", ..., "c-1". */
    static List<String> defaultLabels(int c) {
        List<String> out = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            out.add(Integer.toString(i));
        }
        return Collections.unmodifiableList(out);
    }

    /** scikit-learn's {@code _prf_divide} with {@code zero_division=0}. */
    private static double divide(long num, long den) {
        return den == 0 ? 0.0 : (double) num / den;
    }

    /** scikit-learn's F-beta with beta = 1, written in its operation order: (1+1)*P*R / (1*P + R). */
    private static double f1(double p, double r) {
        double den = p + r;
        return den == 0.0 ? 0.0 : 2.0 * p * r / den;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double weightedMean(double[] v, long[] w) {
        double s = 0, ws = 0;
        for (int i = 0; i < v.length; i++) {
            s += v[i] * w[i];
            ws += w[i];
        }
        return s / ws;
    }

    /** The number of classes. */
    public int numClasses() {
        return perClass.size();
    }
}

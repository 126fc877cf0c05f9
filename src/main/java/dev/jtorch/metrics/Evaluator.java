package dev.jtorch.metrics;

import dev.jtorch.DType;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Streams batches of classifier logits and targets into an {@link EvalReport}: accuracy, top-5
 * accuracy, mean NLL, ECE, scikit-learn-compatible precision/recall/F1 and the confusion matrix,
 * and, when built with a temperature, the {@link Calibration} it achieves on these batches.
 *
 * <pre>{@code
 * double t = TemperatureScaling.fit(valLogits, valLabels);          // held-out data
 * try (Evaluator ev = new Evaluator(labels, t)) {
 *     for (Batch b : test) {
 *         try (TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
 *             ev.update(model.forward(b.images()), b.labels());
 *         }
 *     }
 *     System.out.println(ev.report().toJson());
 * }
 * }</pre>
 *
 * <p>Per batch it keeps, on the host, each sample's top-1 softmax confidence (float64; also at the
 * temperature, if any) and correctness (16 or 24 bytes a sample), and running sums of the NLL and
 * top-5 hits; the confusion matrix accumulates on the logits' device ({@link ConfusionMatrix}).
 * Top-1 predictions are the argmax of the logits as given; probabilities and losses are computed
 * in float64, without autograd. <b>Ownership:</b> {@link #close()} frees the device counts; the
 * batches are only read and every intermediate dies in a private scope. Not thread-safe.
 */
public final class Evaluator extends Accumulator {
    /** The k of {@code top5_accuracy}; with fewer classes every sample is a top-k hit. */
    public static final int TOP_K = 5;

    private final List<String> labels;
    private final int numClasses;
    private final double temperature; // NaN: none
    private final ConfusionMatrix confusion;
    private double nllSum;
    private double nllSumAtTemperature;
    private long topKHits;
    private int size;
    private double[] confidence = new double[1024];
    private double[] confidenceAtTemperature;
    private boolean[] correct = new boolean[1024];

    /**
     * An evaluator for classes {@code 0..numClasses-1}, labelled "0", "1", ..., without calibration.
     *
     * @throws IllegalArgumentException if {@code numClasses < 1}
     */
    public Evaluator(int numClasses) {
        this(defaultLabels(numClasses), Double.NaN);
    }

    private static List<String> defaultLabels(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("Evaluator: numClasses must be >= 1, got " + numClasses);
        }
        return ClassificationReport.defaultLabels(numClasses);
    }

    /**
     * An evaluator with one label per class, without calibration.
     *
     * @throws IllegalArgumentException if {@code labels} is empty or holds null
     */
    public Evaluator(List<String> labels) {
        this(labels, Double.NaN);
    }

    /**
     * An evaluator that also reports the {@link Calibration} of the logits divided by
     * {@code temperature} (fitted beforehand on other data, e.g. by {@link TemperatureScaling#fit}).
     *
     * @param temperature finite and positive, or NaN for none
     * @throws IllegalArgumentException if {@code labels} is empty or holds null, or the temperature
     *     is neither NaN nor finite and positive
     */
    public Evaluator(List<String> labels, double temperature) {
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("Evaluator: needs at least one class label");
        }
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i) == null) {
                throw new IllegalArgumentException("Evaluator: class label " + i + " is null");
            }
        }
        if (!Double.isNaN(temperature)) {
            TemperatureScaling.checkTemperature(temperature);
            confidenceAtTemperature = new double[confidence.length];
        }
        this.labels = List.copyOf(labels);
        this.numClasses = labels.size();
        this.temperature = temperature;
        this.confusion = new ConfusionMatrix(numClasses);
    }

    /**
     * An evaluator whose temperature is fitted on {@code valLogits [N, C]} / {@code valLabels [N]}
     * (held-out data, not the batches to be evaluated); see {@link TemperatureScaling#fit}.
     *
     * @throws IllegalArgumentException naming the shapes if the validation data is malformed or has
     *     a number of classes other than {@code labels.size()}
     */
    public static Evaluator calibrated(List<String> labels, Tensor valLogits, Tensor valLabels) {
        if (labels != null && valLogits != null && valLogits.dim() == 2 && valLogits.size(1) != labels.size()) {
            throw new IllegalArgumentException("Evaluator.calibrated: validation logits " + valLogits.shape() + " have "
                    + valLogits.size(1) + " classes but " + labels.size() + " labels were given");
        }
        return new Evaluator(labels, TemperatureScaling.fit(valLogits, valLabels));
    }

    /** The number of classes C. */
    public int numClasses() {
        return numClasses;
    }

    /** The class labels, in class order. */
    public List<String> labels() {
        return labels;
    }

    /** The temperature whose calibration is reported, if any. */
    public OptionalDouble temperature() {
        return Double.isNaN(temperature) ? OptionalDouble.empty() : OptionalDouble.of(temperature);
    }

    /** Samples added so far. */
    public long samples() {
        return size;
    }

    /**
     * Adds one batch. Needs no open scope: intermediates live in a private one and autograd is off.
     *
     * @param logits {@code [B, C]} floating logits, any device
     * @param targets {@code [B]} integer class indices in {@code [0, C)} (moved to the logits'
     *     device if needed)
     * @throws IllegalArgumentException naming the shapes if the batch is malformed or C differs
     *     from {@link #numClasses()}
     * @throws IllegalStateException if closed
     */
    public void update(Tensor logits, Tensor targets) {
        checkOpen();
        try (TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
            Checks.logitsAndTargets("Evaluator.update", logits, targets, numClasses);
            int b = (int) logits.size(0);
            if (b == 0) {
                return;
            }
            if ((long) size + b > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("Evaluator.update: more than " + (Integer.MAX_VALUE - 8) + " samples");
            }
            Tensor t = Checks.targetsFor(logits, targets);
            Tensor pred = logits.argmax(1);
            Tensor z = logits.to(DType.FLOAT64);
            double nll = F.crossEntropy(z, t, Reduction.SUM).item();
            long hits = Metrics.topKHits(logits, t, TOP_K);
            double[] conf = F.softmax(z, 1).max(1, false).values().toDoubleArray();
            boolean[] ok = pred.eq(t).toBooleanArray();
            double nllT = 0;
            double[] confT = null;
            if (!Double.isNaN(temperature)) {
                Tensor zt = z.div(temperature);
                nllT = F.crossEntropy(zt, t, Reduction.SUM).item();
                confT = F.softmax(zt, 1).max(1, false).values().toDoubleArray();
            }
            confusion.update(pred, t);
            // commit only after every step succeeded, so a failed batch leaves no partial trace
            ensureCapacity(size + b);
            System.arraycopy(conf, 0, confidence, size, b);
            System.arraycopy(ok, 0, correct, size, b);
            if (confT != null) {
                System.arraycopy(confT, 0, confidenceAtTemperature, size, b);
            }
            nllSum += nll;
            nllSumAtTemperature += nllT;
            topKHits += hits;
            size += b;
        }
    }

    private void ensureCapacity(int n) {
        if (n > confidence.length) {
            int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(n, 2L * confidence.length));
            confidence = Arrays.copyOf(confidence, cap);
            correct = Arrays.copyOf(correct, cap);
            if (confidenceAtTemperature != null) {
                confidenceAtTemperature = Arrays.copyOf(confidenceAtTemperature, cap);
            }
        }
    }

    /**
     * The report of every batch added so far (the evaluator can keep accumulating afterwards).
     *
     * @throws IllegalStateException if no sample was added, or closed
     */
    public EvalReport report() {
        checkOpen();
        if (size == 0) {
            throw new IllegalStateException("Evaluator.report: no samples were added");
        }
        long[][] cm = confusion.counts();
        ClassificationReport cr = ClassificationReport.of(cm, labels);
        double[] conf = Arrays.copyOf(confidence, size);
        boolean[] ok = Arrays.copyOf(correct, size);
        double nll = nllSum / size;
        double ece = Metrics.ece(conf, ok);
        Calibration cal = null;
        if (!Double.isNaN(temperature)) {
            cal = new Calibration(temperature, nll, nllSumAtTemperature / size, ece,
                    Metrics.ece(Arrays.copyOf(confidenceAtTemperature, size), ok));
        }
        return new EvalReport(size, cr.accuracy(), (double) topKHits / size, nll, ece, cr.macro(), cr.weighted(),
                cr.micro(), cr.perClass(), cm, cal);
    }

    /** Frees the device-side confusion counts. */
    @Override
    void free() {
        confusion.close();
    }
}

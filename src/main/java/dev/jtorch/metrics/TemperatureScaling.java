package dev.jtorch.metrics;

import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temperature scaling (Guo et al., 2017): one scalar {@code T > 0} fitted on held-out logits so
 * that {@code softmax(logits / T)} has minimal negative log-likelihood; dividing by T never changes
 * the predicted class, only the confidence.
 *
 * <p><b>Fit.</b> The logits are copied to the host once (float64) and the NLL is minimised in
 * Java, deterministically: golden-section search on {@code log T} in [-4, 4] (the NLL is unimodal
 * in log T: it is convex in 1/T) narrows the minimum to a bracket of width 1e-3 in log T; then a
 * safeguarded Newton iteration (bisection whenever a step leaves the bracket) finds the root of the
 * analytic derivative {@code dNLL/d(1/T) = mean_i(E_softmax[z_i] - z_i[y_i])}, with second
 * derivative {@code mean_i Var_softmax[z_i] >= 0}, until the step is below 1e-14 relative: T is
 * then accurate to about 1e-12 relative (float64 rounding of the mean). When the minimum lies
 * beyond the search range, T is clamped to {@code e^-4} or {@code e^4} and a warning is logged.
 * When every sample's logits are all equal the NLL does not depend on T and 1 is returned.
 */
public final class TemperatureScaling {
    private static final Logger LOG = LoggerFactory.getLogger(TemperatureScaling.class);
    /** The search range of log T. */
    static final double LOG_T_MIN = -4, LOG_T_MAX = 4;
    private static final double GOLDEN_TOL = 1e-3;
    private static final double INV_PHI = (Math.sqrt(5) - 1) / 2;

    private TemperatureScaling() {}

    /**
     * The temperature minimising the mean NLL of {@code softmax(logits / T)} at {@code labels}.
     *
     * @param logits {@code [N, C]} floating logits on any device (not modified)
     * @param labels {@code [N]} integer class indices in {@code [0, C)}
     * @return T in {@code [e^-4, e^4]}
     * @throws IllegalArgumentException naming the shapes if they do not fit, N = 0, a label is out
     *     of range, or a logit is not finite
     */
    public static double fit(Tensor logits, Tensor labels) {
        double[] z;
        long[] y;
        int c;
        try (TensorScope s = TensorScope.open()) {
            Checks.logitsAndTargets("TemperatureScaling.fit", logits, labels, -1);
            if (logits.size(0) == 0) {
                throw new IllegalArgumentException("TemperatureScaling.fit: no samples (logits " + logits.shape() + ")");
            }
            z = logits.toDoubleArray();
            y = labels.toLongArray();
            c = (int) logits.size(1);
        }
        for (int i = 0; i < z.length; i++) {
            if (!Double.isFinite(z[i])) {
                throw new IllegalArgumentException("TemperatureScaling.fit: logit " + z[i] + " at sample " + (i / c)
                        + ", class " + (i % c) + " is not finite");
            }
        }
        return fit(z, y, c);
    }

    /**
     * {@link #fit(Tensor, Tensor)} on host data: {@code logits} row-major {@code [N, C]}, checked
     * already (finite, labels in range, N >= 1).
     */
    static double fit(double[] z, long[] y, int c) {
        Objective f = new Objective(z, y, c);
        if (f.constant()) {
            LOG.debug("TemperatureScaling.fit: every sample's logits are equal; the NLL does not depend on T, returning 1");
            return 1.0;
        }
        // golden-section on t = log T (minimising f(exp(-t)))
        double a = LOG_T_MIN, b = LOG_T_MAX;
        double x1 = b - INV_PHI * (b - a), x2 = a + INV_PHI * (b - a);
        double f1 = f.nll(Math.exp(-x1)), f2 = f.nll(Math.exp(-x2));
        while (b - a > GOLDEN_TOL) {
            if (f1 <= f2) {
                b = x2;
                x2 = x1;
                f2 = f1;
                x1 = b - INV_PHI * (b - a);
                f1 = f.nll(Math.exp(-x1));
            } else {
                a = x1;
                x1 = x2;
                f1 = f2;
                x2 = a + INV_PHI * (b - a);
                f2 = f.nll(Math.exp(-x2));
            }
        }
        // Newton on s = 1/T for the root of the increasing derivative g(s), safeguarded by a bracket
        double sMin = Math.exp(-LOG_T_MAX), sMax = Math.exp(-LOG_T_MIN);
        double lo = Math.exp(-b), hi = Math.exp(-a);
        if (!(f.gradient(lo) <= 0)) {
            lo = sMin;
        }
        if (!(f.gradient(hi) >= 0)) {
            hi = sMax;
        }
        if (f.gradient(lo) >= 0) {
            return clamped(lo, sMin, sMax);
        }
        if (f.gradient(hi) <= 0) {
            return clamped(hi, sMin, sMax);
        }
        double s = Math.exp(-(a + b) / 2);
        if (s <= lo || s >= hi) {
            s = (lo + hi) / 2;
        }
        for (int it = 0; it < 200; it++) {
            double[] gh = f.gradientAndCurvature(s);
            double g = gh[0], h = gh[1];
            if (g == 0) {
                break;
            }
            if (g < 0) {
                lo = s;
            } else {
                hi = s;
            }
            double next = h > 0 ? s - g / h : Double.NaN;
            if (!(next > lo && next < hi)) {
                next = (lo + hi) / 2; // bisection: Newton left the bracket (or the curvature vanished)
            }
            double step = Math.abs(next - s);
            s = next;
            if (step <= 1e-14 * s || hi - lo <= 1e-15 * s) {
                break;
            }
        }
        return 1.0 / s;
    }

    private static double clamped(double s, double sMin, double sMax) {
        double t = 1.0 / s;
        if (s <= sMin || s >= sMax) {
            LOG.warn("TemperatureScaling.fit: the NLL minimum lies beyond T in [e^-4, e^4]; using T = {}", t);
        }
        return t;
    }

    /**
     * {@code logits / temperature}, owned by the current scope.
     *
     * @throws IllegalArgumentException if {@code temperature} is not finite and positive
     * @throws IllegalStateException if no {@link TensorScope} is open
     */
    public static Tensor apply(Tensor logits, double temperature) {
        checkTemperature(temperature);
        return logits.div(temperature);
    }

    static void checkTemperature(double temperature) {
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
    }

    /** The NLL of softmax(s * z) and its derivatives in s = 1/T, on host data. */
    private static final class Objective {
        private final double[] z;
        private final long[] y;
        private final int c;
        private final int n;
        private final double[] e;

        Objective(double[] z, long[] y, int c) {
            this.z = z;
            this.y = y;
            this.c = c;
            this.n = y.length;
            this.e = new double[c];
        }

        boolean constant() {
            for (int i = 0; i < n; i++) {
                int o = i * c;
                for (int k = 1; k < c; k++) {
                    if (z[o + k] != z[o]) {
                        return false;
                    }
                }
            }
            return true;
        }

        private double rowMax(int o) {
            double m = z[o];
            for (int k = 1; k < c; k++) {
                m = Math.max(m, z[o + k]);
            }
            return m;
        }

        /** mean_i logsumexp(s z_i) - s z_i[y_i]. */
        double nll(double s) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                int o = i * c;
                double m = rowMax(o);
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += Math.exp(s * (z[o + k] - m));
                }
                total += Math.log(sum) - s * (z[o + (int) y[i]] - m);
            }
            return total / n;
        }

        double gradient(double s) {
            return gradientAndCurvature(s)[0];
        }

        /** {mean_i (E_p[z_i] - z_i[y_i]), mean_i Var_p[z_i]} with p = softmax(s z_i). */
        double[] gradientAndCurvature(double s) {
            double g = 0, h = 0;
            for (int i = 0; i < n; i++) {
                int o = i * c;
                double m = rowMax(o);
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    e[k] = Math.exp(s * (z[o + k] - m));
                    sum += e[k];
                }
                // moments of the shifted logits: variance is shift-invariant, the mean shifts back
                double mean = 0, sq = 0;
                for (int k = 0; k < c; k++) {
                    double p = e[k] / sum, d = z[o + k] - m;
                    mean += p * d;
                    sq += p * d * d;
                }
                g += mean - (z[o + (int) y[i]] - m);
                h += Math.max(0, sq - mean * mean);
            }
            return new double[] {g / n, h / n};
        }
    }
}

package dev.jtorch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/** {@link TemperatureScaling} on synthetic logits whose miscalibration is known. */
@ExtendWith(NoLeaks.class)
class TemperatureScalingTest {

    /** Logits of a ~70% accurate classifier, multiplied by {@code sharpness}; labels in the last n entries. */
    static double[][] synthetic(int n, int c, double sharpness, long seed) {
        Random rnd = new Random(seed);
        double[] z = new double[n * c];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int label = rnd.nextInt(c);
            y[i] = label;
            int boosted = rnd.nextDouble() < 0.7 ? label : rnd.nextInt(c);
            for (int k = 0; k < c; k++) {
                z[i * c + k] = sharpness * (1.5 * rnd.nextGaussian() + (k == boosted ? 2.0 : 0.0));
            }
        }
        return new double[][] {z, y};
    }

    static long[] labels(double[] y) {
        long[] out = new long[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (long) y[i];
        }
        return out;
    }

    @Test
    void overconfidentLogitsGetTGreaterThanOneAndBetterNllAndEce() {
        int n = 3000, c = 10;
        double[][] val = synthetic(n, c, 4.0, 1), test = synthetic(n, c, 4.0, 2);
        try (TensorScope s = TensorScope.open()) {
            Tensor vz = Tensor.of(val[0], Shape.of(n, c), DType.FLOAT32, Device.CPU), vy = Tensor.of(labels(val[1]), n);
            Tensor tz = Tensor.of(test[0], Shape.of(n, c), DType.FLOAT32, Device.CPU), ty = Tensor.of(labels(test[1]), n);
            double t = TemperatureScaling.fit(vz, vy);
            assertTrue(t > 2 && t < 8, "an overconfident model needs T well above 1, got " + t);
            double nllBefore = Metrics.nll(tz, ty), eceBefore = Metrics.ece(tz, ty);
            Tensor scaled = TemperatureScaling.apply(tz, t);
            double nllAfter = Metrics.nll(scaled, ty), eceAfter = Metrics.ece(scaled, ty);
            assertTrue(nllAfter < 0.8 * nllBefore, nllBefore + " -> " + nllAfter);
            assertTrue(eceAfter < 0.3 * eceBefore, eceBefore + " -> " + eceAfter);
            assertTrue(eceAfter < 0.05, "calibrated ECE " + eceAfter);
            assertEquals(Metrics.accuracy(tz, ty), Metrics.accuracy(scaled, ty), 0, "T never changes the argmax");
            // it is the minimum: nearby temperatures on the validation set are worse
            double at = Metrics.nll(TemperatureScaling.apply(vz, t), vy);
            assertTrue(at <= Metrics.nll(TemperatureScaling.apply(vz, t * 1.001), vy));
            assertTrue(at <= Metrics.nll(TemperatureScaling.apply(vz, t / 1.001), vy));
        }
    }

    @Test
    void underconfidentLogitsGetTBelowOne() {
        int n = 2000, c = 5;
        double[][] d = synthetic(n, c, 0.25, 3);
        try (TensorScope s = TensorScope.open()) {
            double t = TemperatureScaling.fit(Tensor.of(d[0], n, c), Tensor.of(labels(d[1]), n));
            assertTrue(t < 0.7, "an underconfident model needs T below 1, got " + t);
            // scaling the logits by a factor scales the fitted temperature by the same factor
            double t2 = TemperatureScaling.fit(Tensor.of(d[0], n, c).mul(3.0), Tensor.of(labels(d[1]), n));
            assertEquals(3 * t, t2, 1e-9 * t2);
        }
    }

    @Test
    void degenerateCases() {
        try (TensorScope s = TensorScope.open()) {
            Tensor y = Tensor.of(new long[] {0, 1, 2}, 3);
            assertEquals(1.0, TemperatureScaling.fit(Tensor.full(Shape.of(3, 3), 2.5), y), "flat logits: T is irrelevant");
            // perfectly separated with a huge margin: NLL keeps falling as T -> 0, so T is clamped
            Tensor sharp = Tensor.of(new float[] {9, 0, 0, 0, 9, 0, 0, 0, 9}, 3, 3);
            assertEquals(Math.exp(TemperatureScaling.LOG_T_MIN), TemperatureScaling.fit(sharp, y), 1e-12);
            // always wrong: confidence should vanish, T is clamped at the top
            Tensor wrong = Tensor.of(new float[] {0, 5, 0, 0, 0, 5, 5, 0, 0}, 3, 3);
            assertEquals(Math.exp(TemperatureScaling.LOG_T_MAX), TemperatureScaling.fit(wrong, y), 1e-9);
        }
    }

    @Test
    void errors() {
        try (TensorScope s = TensorScope.open()) {
            Tensor z = Tensor.zeros(4, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TemperatureScaling.fit(z, Tensor.of(new long[] {0, 1, 2}, 3)));
            assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[4, 3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> TemperatureScaling.fit(z, Tensor.of(new long[] {0, 1, 2, 3}, 4)));
            assertTrue(e.getMessage().contains("class 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> TemperatureScaling.fit(Tensor.zeros(0, 3), Tensor.zeros(Shape.of(0), DType.INT64, Device.CPU)));
            assertTrue(e.getMessage().contains("no samples"), e.getMessage());
            Tensor inf = Tensor.of(new float[] {0, Float.POSITIVE_INFINITY, 0}, 1, 3);
            e = assertThrows(IllegalArgumentException.class, () -> TemperatureScaling.fit(inf, Tensor.of(new long[] {0}, 1)));
            assertTrue(e.getMessage().contains("not finite") && e.getMessage().contains("class 1"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TemperatureScaling.fit(z.view(12), Tensor.zeros(12)));
            assertThrows(IllegalArgumentException.class, () -> TemperatureScaling.apply(z, 0));
            assertThrows(IllegalArgumentException.class, () -> TemperatureScaling.apply(z, Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> TemperatureScaling.apply(z, Double.POSITIVE_INFINITY));
            assertEquals(0.5, TemperatureScaling.apply(Tensor.full(Shape.of(2, 2), 1.0), 2).toDoubleArray()[3]);
        }
    }
}

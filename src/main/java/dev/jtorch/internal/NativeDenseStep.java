package dev.jtorch.internal;

import dev.jtorch.DType;
import dev.jtorch.Device;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A hand-written training step (forward, mean cross-entropy, backward) of a CPU float32 chain
 * {@code Linear -> ReLU -> ... -> Linear}, writing the parameters' gradients in place.
 *
 * <p>The same products, in the same layouts and transposes, as libtorch's autograd runs for that
 * chain ({@code addmm} forward; weight gradient {@code dz^T a} into a row-major {@code [out, in]}
 * buffer; bias gradient {@code dz.sum(0)}; input gradient {@code dz W} and
 * {@code threshold_backward} through each ReLU; no gradient for the data), with none of the
 * graph: about 10 native calls per step for two layers against ~35 plus the engine's bookkeeping.
 * The loss, its gradient ({@code softmax(z) / N - onehot(y) / N}) and the count of correct
 * predictions are computed on the host from one copy of the logits and of their softmax (they are
 * {@code N x classes} floats), so NLL, the backward of log-softmax and NLL, argmax and the running
 * sums cost no native op (libtorch 2.10's cross-entropy was a visible share of the step: docs/profile.md).
 * Gradients equal autograd's up to float rounding ({@code DenseStepTest}).
 *
 * <p>Gradients are overwritten, not accumulated: the caller must not rely on accumulation across
 * steps (the trainer zeroes before every step anyway). A parameter whose {@code grad} is undefined
 * or of another shape gets a fresh contiguous buffer that later steps reuse.
 */
public final class NativeDenseStep implements AutoCloseable {
    /** One step's figures: the mean loss (rounded to float32, as libtorch's loss) and the correct predictions. */
    public record Outcome(double meanLoss, long correct) {}

    private final NativeTensor[] weights;
    private final NativeTensor[] biases;
    private final Scalar zero = new Scalar(0.0);
    private float[] logits = new float[0];
    private float[] dlogits = new float[0];
    private long[] labels = new long[0];

    /**
     * @param weights each layer's {@code [out, in]} weight, in order (a layer's {@code in} is the previous {@code out})
     * @param biases each layer's {@code [out]} bias, or null for a layer without one
     */
    public NativeDenseStep(List<NativeTensor> weights, List<NativeTensor> biases) {
        if (weights.isEmpty() || weights.size() != biases.size()) {
            throw new IllegalArgumentException("a dense step needs one bias slot per weight, got " + weights.size()
                    + " weights and " + biases.size() + " biases");
        }
        this.weights = weights.toArray(NativeTensor[]::new);
        this.biases = biases.toArray(NativeTensor[]::new);
    }

    /**
     * Forward, loss and backward of one batch; the gradients land in the parameters' {@code grad}.
     *
     * @param images {@code [N, ...]} float32 on the CPU, contiguous, flattened to {@code [N, in]}
     * @param targets {@code [N]} int64 class indices
     * @throws IllegalArgumentException if a target is outside {@code [0, classes)}
     */
    public Outcome run(NativeTensor images, NativeTensor targets) {
        int layers = weights.length;
        Tensor[] w = new Tensor[layers];
        Tensor[] b = new Tensor[layers];
        // activations: a[0] the flattened input, a[l] the l-th ReLU output; each owned here
        Tensor[] a = new Tensor[layers];
        Tensor x = images.acquire();
        int held = 0;
        boolean targetsHeld = false;
        try (NoGradGuard g = new NoGradGuard()) {
            targets.acquire();
            targetsHeld = true;
            for (; held < layers; held++) {
                w[held] = weights[held].acquire();
                if (biases[held] != null) {
                    try {
                        b[held] = biases[held].acquire();
                    } catch (RuntimeException e) {
                        weights[held].release();
                        throw e;
                    }
                }
            }
            int n = (int) x.size(0);
            a[0] = x.reshape(n, w[0].size(1));
            Tensor z = null;
            try {
                for (int l = 0; l < layers; l++) {
                    try (Tensor wt = w[l].t()) {
                        boolean last = l == layers - 1;
                        Tensor out;
                        if (b[l] == null) {
                            out = a[l].mm(wt);
                            if (!last) {
                                out.relu_();
                            }
                        } else {
                            out = last ? b[l].addmm(a[l], wt) : b[l]._addmm_activation(a[l], wt);
                        }
                        if (last) {
                            z = out;
                        } else {
                            a[l + 1] = out;
                        }
                    }
                }
                int classes = (int) z.size(1);
                Outcome o = lossAndGradient(z, targets.held(), n, classes);
                Tensor dz = torch.empty(new long[] {n, classes}, Natives.options(DType.FLOAT32, Device.CPU), null);
                try (FloatPointer p = dz.data_ptr_float()) {
                    p.put(dlogits, 0, n * classes);
                }
                for (int l = layers - 1; l >= 0; l--) {
                    try (Tensor dzt = dz.t(); Tensor gw = gradBuffer(weights[l], w[l])) {
                        torch.mm_out(gw, dzt, a[l]).close();
                    }
                    if (b[l] != null) {
                        try (Tensor gb = gradBuffer(biases[l], b[l])) {
                            torch.sum_out(gb, dz, 0L).close();
                        }
                    }
                    if (l > 0) {
                        Tensor next;
                        try (Tensor da = dz.mm(w[l])) {
                            next = torch.threshold_backward(da, a[l], zero);
                        }
                        dz.close();
                        dz = next;
                    }
                }
                dz.close();
                return o;
            } finally {
                if (z != null) {
                    z.close();
                }
                for (Tensor t : a) {
                    if (t != null) {
                        t.close();
                    }
                }
            }
        } catch (RuntimeException e) {
            throw Errors.translate(e, "dense training step");
        } finally {
            for (int l = 0; l < held; l++) {
                weights[l].release();
                if (biases[l] != null) {
                    biases[l].release();
                }
            }
            if (targetsHeld) {
                targets.release();
            }
            images.release();
        }
    }

    /** The parameter's gradient buffer, made (contiguous, of its shape) when it has none or a mismatched one. */
    private static Tensor gradBuffer(NativeTensor owner, Tensor param) {
        Tensor grad = param.grad();
        if (grad.defined() && grad.is_contiguous() && sameShape(grad, param)) {
            return grad;
        }
        grad.close();
        Tensor fresh = torch.empty_like(param);
        param.mutable_grad().put(fresh); // a reference into the tensor, not an owned handle
        return fresh;
    }

    private static boolean sameShape(Tensor a, Tensor b) {
        long d = a.dim();
        if (d != b.dim()) {
            return false;
        }
        for (int i = 0; i < d; i++) {
            if (a.size(i) != b.size(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Mean cross-entropy of the logits {@code z} against {@code targets}, its gradient into
     * {@link #dlogits}, and the number of rows whose first maximum is the target.
     *
     * <p>The softmax is libtorch's (one vectorised op: a scalar {@code Math.exp} per logit was
     * slower); the host then needs one logarithm per row: the loss of row i is
     * {@code -log(p[i, y_i])}, which differs from log-softmax only by the rounding of {@code p}
     * (1e-7 absolute), except where {@code p} underflows, and there the row's log-sum-exp is
     * computed from the logits in double.
     */
    private Outcome lossAndGradient(Tensor z, Tensor targets, int n, int classes) {
        int size = n * classes;
        if (logits.length < size) {
            logits = new float[size];
            dlogits = new float[size];
        }
        if (labels.length < n) {
            labels = new long[n];
        }
        try (Tensor probs = z.softmax(1); FloatPointer pp = probs.data_ptr_float(); FloatPointer zp = z.data_ptr_float();
             LongPointer t = targets.data_ptr_long()) {
            pp.get(dlogits, 0, size);
            zp.get(logits, 0, size);
            t.get(labels, 0, n);
        }
        double loss = 0;
        long correct = 0;
        float inv = (float) (1.0 / n);
        for (int i = 0; i < n; i++) {
            int at = i * classes;
            long y = labels[i];
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("target " + y + " is out of bounds for " + classes + " classes");
            }
            int target = at + (int) y;
            float max = logits[at];
            int arg = 0;
            for (int j = 1; j < classes; j++) {
                float v = logits[at + j];
                if (v > max || Float.isNaN(v) && !Float.isNaN(max)) {
                    max = v;
                    arg = j;
                }
            }
            float py = dlogits[target];
            if (py >= Float.MIN_NORMAL) {
                loss -= Math.log(py);
            } else { // underflowed (or NaN): the exact log-sum-exp of the row
                double sum = 0;
                for (int j = 0; j < classes; j++) {
                    sum += Math.exp((double) logits[at + j] - max);
                }
                loss += Math.log(sum) + max - logits[target];
            }
            for (int j = 0; j < classes; j++) {
                dlogits[at + j] *= inv;
            }
            dlogits[target] -= inv;
            if (arg == y) {
                correct++;
            }
        }
        return new Outcome((float) (loss / n), correct);
    }

    @Override
    public void close() {
        zero.close();
    }
}

package dev.jtorch.nn.utils;

import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.ArrayList;
import java.util.List;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class ClipGrad {
    private ClipGrad() {}

    /** {@link #clipGradNorm(Iterable, double, double, boolean)} with the 2-norm and no finiteness check. */
    public static double clipGradNorm(Iterable<Tensor> parameters, double maxNorm) {
        return clipGradNorm(parameters, maxNorm, 2.0, false);
    }

    /**
     * Scales the gradients of {@code parameters} in place so that their joint norm is at most
     * {@code maxNorm}: each gradient is multiplied by {@code min(1, maxNorm / (total + 1e-6))}.
     * Parameters without a gradient are skipped.
     *
     * @param normType the p of the p-norm; {@code Double.POSITIVE_INFINITY} for the max norm
     * @param errorIfNonfinite throw if the total norm is NaN or infinite instead of scaling
     * @return the total norm of the gradients before clipping
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN
     * @throws dev.jtorch.TorchException if {@code errorIfNonfinite} and the norm is not finite
     */
    public static double clipGradNorm(Iterable<Tensor> parameters, double maxNorm, double normType,
                                      boolean errorIfNonfinite) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("maxNorm must be >= 0, got " + maxNorm);
        }
        List<NativeTensor> hs = new ArrayList<>();
        for (Tensor p : parameters) {
            hs.add(TensorAccess.handle(p));
        }
        return NativeTensor.clipGradNorm(hs.toArray(new NativeTensor[0]), maxNorm, normType, errorIfNonfinite);
    }
}

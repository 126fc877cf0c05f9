package dev.jtorch.train;

import dev.jtorch.DType;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Stops a {@code jtorch train} run whose loss or parameters are no longer finite, before anything
 * of the epoch is written, so that the files of the last good epoch stay as they are.
 */
final class Divergence {
    private final Path out;
    private final Optimizer opt;

    Divergence(Path out, Optimizer opt) {
        this.out = out;
        this.opt = opt;
    }

    /**
     * Throws if {@code value} (a loss) is NaN or infinite.
     *
     * @throws TrainingDivergedException naming {@code epoch}, {@code step} and {@code quantity}
     */
    void checkLoss(int epoch, int step, String quantity, double value) {
        if (!Double.isFinite(value)) {
            throw diverged(epoch, step, quantity, value);
        }
    }

    /**
     * Throws if a parameter holds NaN or an infinity: after the last step of an epoch, whose
     * loss was computed before its update. One device sync per call, once per epoch.
     *
     * @throws TrainingDivergedException naming the first such parameter
     */
    void checkParameters(int epoch, int step, Module model) {
        try (TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
            Tensor all = null;
            for (Tensor t : model.parameters()) {
                Tensor f = t.isfinite().all();
                all = all == null ? f : all.logicalAnd(f);
            }
            if (all == null || all.toBooleanArray()[0]) {
                return;
            }
            for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                Tensor t = e.getValue();
                Tensor bad = t.maskedSelect(t.isfinite().logicalNot());
                if (bad.numel() > 0) {
                    throw diverged(epoch, step, "parameter " + e.getKey(), bad.to(DType.FLOAT64).toDoubleArray()[0]);
                }
            }
        }
    }

    private TrainingDivergedException diverged(int epoch, int step, String quantity, double value) {
        Path ckpt = out.resolve("checkpoint.pt");
        String kept = Files.exists(ckpt) ? "the files in " + out + " were left as they were (" + ckpt
                + " holds the last good state)" : "no checkpoint was written";
        return new TrainingDivergedException(epoch, step, quantity, value, "the learning rate ("
                + opt.lr() + ") is probably too high; lower --lr and train again; " + kept);
    }
}

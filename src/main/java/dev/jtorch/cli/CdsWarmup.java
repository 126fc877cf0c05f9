package dev.jtorch.cli;

import dev.jtorch.autograd.NoGrad;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a command: the run from which {@code scripts/jtorch} writes its class-data-sharing archive,
 * once per build ({@code -XX:ArchiveClassesAtExit}, docs/design.md, "Start-up"). It runs
 * {@code jtorch info} (loading the natives) and then what every command's first steps need: a
 * tensor from a Java array, a small model's forward and backward, an optimizer step, a no-grad
 * forward read back into Java. A class in the archive is neither parsed nor verified at start-up;
 * one that is not (the tensor and op classes, with {@code info} alone) is verified on first use.
 */
public final class CdsWarmup {
    private CdsWarmup() {}

    public static void main(String[] args) {
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        int code = Main.run(List.of("info"), none, none);
        if (code != 0) {
            System.exit(code);
        }
        try (Linear fc1 = new Linear(784, 16); Linear fc2 = new Linear(16, 10)) {
            List<Tensor> params = new ArrayList<>(fc1.parameters());
            params.addAll(fc2.parameters());
            try (SGD sgd = new SGD(params, 0.01); TensorScope s = TensorScope.open()) {
                Tensor x = Tensor.of(new float[4 * 784], 4, 784);
                Tensor y = Tensor.of(new long[] {0, 1, 2, 3}, 4);
                sgd.zeroGrad();
                F.crossEntropy(fc2.forward(F.relu(fc1.forward(x))), y).backward();
                sgd.step();
                try (NoGrad g = NoGrad.enter()) {
                    F.softmax(fc2.forward(F.relu(fc1.forward(x))), 1).toFloatArray();
                }
            }
        }
    }
}

package dev.jtorch.models;

import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Conv2dOptions;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * A CIFAR-10 CNN: three padded 3x3 convolutions (32, 64, 128 channels), each followed by ReLU and
 * 2x2 max-pooling, then {@code fc1 = Linear(128*4*4, 256)} and {@code fc2 = Linear(256, 10)};
 * returns logits.
 *
 * <p>Input {@code [N, 3, 32, 32]}; output {@code [N, classes]} (10 by default). Keys {@code conv1..conv3, fc1, fc2}.
 */
public final class CifarCnn extends Module {
    private final Conv2d conv1 = register("conv1", new Conv2d(new Conv2dOptions(3, 32, 3).withPadding(1)));
    private final Conv2d conv2 = register("conv2", new Conv2d(new Conv2dOptions(32, 64, 3).withPadding(1)));
    private final Conv2d conv3 = register("conv3", new Conv2d(new Conv2dOptions(64, 128, 3).withPadding(1)));
    private final Linear fc1 = register("fc1", new Linear(128 * 4 * 4, 256));
    private final Linear fc2;

    /** 10 classes. */
    public CifarCnn() {
        this(10);
    }

    /**
     * {@code classes} outputs.
     *
     * @throws IllegalArgumentException if {@code classes} is below 1
     */
    public CifarCnn(int classes) {
        fc2 = register("fc2", new Linear(256, Architecture.checkClasses(classes)));
    }

    @Override
    public Tensor forward(Tensor x) {
        Architecture.CIFAR_CNN.checkInput(x);
        // relu(maxpool(c)) == maxpool(relu(c)) in values and gradients (ReLU is monotone; a window
        // whose maximum is <= 0 passes no gradient either way; NaN wins both), at a quarter of the ReLU work
        Tensor h = F.relu(F.maxPool2d(conv1.forward(x), 2));
        h = F.relu(F.maxPool2d(conv2.forward(h), 2));
        h = F.relu(F.maxPool2d(conv3.forward(h), 2));
        return fc2.forward(F.relu(fc1.forward(h.flatten(1, -1))));
    }
}

package dev.jtorch.models;

import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * The small MNIST CNN (the peers' reference CNN): {@code conv1 = Conv2d(1, 32, 3)}, {@code conv2 = Conv2d(32, 64, 3)},
 * {@code fc1 = Linear(64*5*5, 128)}, {@code fc2 = Linear(128, 10)}; returns logits.
 *
 * <p>Forward: {@code view(-1, 1, 28, 28) -> maxpool2(relu(conv1)) -> maxpool2(relu(conv2)) ->
 * flatten -> relu(fc1) -> fc2}, computed as {@code relu(maxpool2(conv))}: ReLU is monotone, so both
 * orders give the same values and the same gradients ({@code ReluPoolOrderTest}), and the ReLU then
 * touches a quarter of the elements. Input {@code [N, 1, 28, 28]}; output {@code [N, classes]} (10 by default).
 */
public final class MnistCnn extends Module {
    private final Conv2d conv1 = register("conv1", new Conv2d(1, 32, 3));
    private final Conv2d conv2 = register("conv2", new Conv2d(32, 64, 3));
    private final Linear fc1 = register("fc1", new Linear(64 * 5 * 5, 128));
    private final Linear fc2;

    /** 10 classes. */
    public MnistCnn() {
        this(10);
    }

    /**
     * {@code classes} outputs.
     *
     * @throws IllegalArgumentException if {@code classes} is below 1
     */
    public MnistCnn(int classes) {
        fc2 = register("fc2", new Linear(128, Architecture.checkClasses(classes)));
    }

    @Override
    public Tensor forward(Tensor x) {
        Architecture.CNN.checkInput(x);
        Tensor h = F.relu(F.maxPool2d(conv1.forward(x.view(-1, 1, 28, 28)), 2));
        h = F.relu(F.maxPool2d(conv2.forward(h), 2));
        return fc2.forward(F.relu(fc1.forward(h.flatten(1, -1))));
    }
}

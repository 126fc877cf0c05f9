package dev.jtorch.models;

import dev.jtorch.nn.Conv2d;
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
public final class MnistCnn extends Classifier {
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
        super(Architecture.CNN, classes, 64 * 5 * 5, 128, new Conv2d(1, 32, 3), new Conv2d(32, 64, 3));
    }

    @Override
    Tensor reshape(Tensor batch) {
        return batch.view(-1, 1, 28, 28);
    }
}

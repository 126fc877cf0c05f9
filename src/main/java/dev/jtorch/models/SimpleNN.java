package dev.jtorch.models;

import dev.jtorch.tensor.Tensor;

/**
 * The tutorial's classifier, {@code fc1 = Linear(784, 128) -> ReLU -> fc2 = Linear(128, 10)},
 * returning logits (softmax is for reading probabilities; cross-entropy applies log-softmax itself).
 *
 * <p>Input {@code [N, 1, 28, 28]} or {@code [N, 784]}; output {@code [N, classes]} (10 by default). State-dict keys
 * {@code fc1.weight, fc1.bias, fc2.weight, fc2.bias}, as the PyTorch tutorial's model.
 */
public final class SimpleNN extends Classifier {
    /** The tutorial's model: 10 classes. */
    public SimpleNN() {
        this(10);
    }

    /**
     * The same layers with {@code classes} outputs.
     *
     * @throws IllegalArgumentException if {@code classes} is below 1
     */
    public SimpleNN(int classes) {
        super(Architecture.MLP, classes, 784, 128);
    }

    @Override
    Tensor reshape(Tensor batch) {
        return batch.view(-1, 784);
    }
}

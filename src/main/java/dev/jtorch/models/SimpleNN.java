package dev.jtorch.models;

import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * The tutorial's classifier, {@code fc1 = Linear(784, 128) -> ReLU -> fc2 = Linear(128, 10)},
 * returning logits (softmax is for reading probabilities; cross-entropy applies log-softmax itself).
 *
 * <p>Input {@code [N, 1, 28, 28]} or {@code [N, 784]}; output {@code [N, classes]} (10 by default). State-dict keys
 * {@code fc1.weight, fc1.bias, fc2.weight, fc2.bias}, as the PyTorch tutorial's model.
 */
public final class SimpleNN extends Module {
    private final Linear fc1 = register("fc1", new Linear(784, 128));
    private final Linear fc2;

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
        fc2 = register("fc2", new Linear(128, Architecture.checkClasses(classes)));
    }

    @Override
    public Tensor forward(Tensor x) {
        Architecture.MLP.checkInput(x);
        return fc2.forward(F.relu(fc1.forward(x.view(-1, 784))));
    }
}

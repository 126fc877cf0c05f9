package dev.jtorch.models;

import dev.jtorch.TorchException;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The named architectures of the CLI's {@code --model} flag and of checkpoints, with the input each
 * expects.
 */
public enum Architecture {
    /** {@link SimpleNN}: 784 -> 128 -> 10 on 1x28x28 images. */
    MLP(Shape.of(1, 28, 28), SimpleNN::new),
    /** {@link MnistCnn}: two convolutions on 1x28x28 images. */
    CNN(Shape.of(1, 28, 28), MnistCnn::new),
    /** {@link CifarCnn}: three convolutions on 3x32x32 images. */
    CIFAR_CNN(Shape.of(3, 32, 32), CifarCnn::new);

    private final Shape input;
    private final IntFunction<Module> factory;

    Architecture(Shape input, IntFunction<Module> factory) {
        this.input = input;
        this.factory = factory;
    }

    /** The CLI name: the constant's name in lower case with dashes, e.g. {@code cifar-cnn}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The shape of one input image, {@code [C, H, W]}. */
    public Shape inputShape() {
        return input;
    }

    /** Input channels. */
    public int channels() {
        return (int) input.size(0);
    }

    /** Input height in pixels. */
    public int height() {
        return (int) input.size(1);
    }

    /** Input width in pixels. */
    public int width() {
        return (int) input.size(2);
    }

    /** A new 10-class model with PyTorch's default initialisation from the default generator; the caller closes it. */
    public Module create() {
        return create(10);
    }

    /**
     * A new model with {@code classes} outputs (the data set's classes), initialised as
     * {@link #create()}; the caller closes it.
     *
     * @throws IllegalArgumentException if {@code classes} is below 1
     */
    public Module create(int classes) {
        return factory.apply(checkClasses(classes));
    }

    static int checkClasses(int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("a model needs at least one class, got " + classes);
        }
        return classes;
    }

    /**
     * The architecture with CLI name {@code id}.
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static Architecture of(String id) {
        String k = id.trim().toLowerCase(Locale.ROOT);
        for (Architecture a : values()) {
            if (a.id().equals(k)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown model '" + id + "' (expected one of "
                + Arrays.stream(values()).map(Architecture::id).toList() + ")");
    }

    /**
     * Checks that a batch {@code [N, C, H, W]} (or {@code [N, C*H*W]} for the MLP) fits this
     * architecture.
     *
     * @throws TorchException naming the model, the expected and the actual shape
     */
    public void checkInput(Tensor batch) {
        Shape s = batch.shape();
        long[] dims = s.toArray();
        boolean images = dims.length == 4 && Arrays.equals(dims, 1, 4, input.toArray(), 0, 3);
        boolean rows = this == MLP && dims.length == 2 && dims[1] == input.numel();
        if (!images && !rows) {
            throw new TorchException(id() + " expects images of " + channels() + "x" + height() + "x" + width()
                    + " ([N, " + channels() + ", " + height() + ", " + width() + "]), got a batch of shape " + s);
        }
    }

    @Override
    public String toString() {
        return id();
    }
}

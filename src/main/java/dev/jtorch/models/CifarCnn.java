package dev.jtorch.models;

import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Conv2dOptions;

/**
 * A CIFAR-10 CNN: three padded 3x3 convolutions (32, 64, 128 channels), each followed by ReLU and
 * 2x2 max-pooling, then {@code fc1 = Linear(128*4*4, 256)} and {@code fc2 = Linear(256, 10)};
 * returns logits.
 *
 * <p>Input {@code [N, 3, 32, 32]}; output {@code [N, classes]} (10 by default). Keys {@code conv1..conv3, fc1, fc2}.
 */
public final class CifarCnn extends Classifier {
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
        super(Architecture.CIFAR_CNN, classes, 128 * 4 * 4, 256, padded(3, 32), padded(32, 64), padded(64, 128));
    }

    /** A 3x3 convolution padded to keep the image size. */
    private static Conv2d padded(long in, long out) {
        return new Conv2d(new Conv2dOptions(in, out, 3).withPadding(1));
    }
}

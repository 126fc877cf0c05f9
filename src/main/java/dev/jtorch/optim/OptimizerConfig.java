package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * The settings of one kind of optimizer, which can build it: the options record of each
 * optimizer ({@link SGDOptions}, {@link AdamOptions}, {@link AdamWOptions}, {@link RMSpropOptions},
 * {@link AdagradOptions}).
 *
 * <pre>{@code
 * OptimizerConfig config = SGDOptions.lr(0.1).withMomentum(0.9);
 * try (Optimizer opt = config.build(model.parameters())) { ... }
 * }</pre>
 *
 * <p>{@code config.build(params)} equals the optimizer's constructor, e.g.
 * {@code new SGD(params, options)}.
 */
public sealed interface OptimizerConfig permits SGDOptions, AdamSettings, RMSpropOptions, AdagradOptions {
    /** The learning rate the optimizer starts with. */
    double lr();

    /** The weight decay (an L2 penalty; {@link AdamW}'s is decoupled). */
    double weightDecay();

    /**
     * A new optimizer with these settings over {@code params} (usually
     * {@code model.parameters()}); the caller closes it.
     *
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor computed
     *     from others
     */
    Optimizer build(Iterable<Tensor> params);
}

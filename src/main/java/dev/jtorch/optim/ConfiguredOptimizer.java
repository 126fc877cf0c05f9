package dev.jtorch.optim;

import dev.jtorch.internal.NativeOptimizer;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * An optimizer built from its options record, which it keeps: the one construction of every
 * optimizer kind, so that each subclass only names its options type.
 *
 * @param <O> the options record of the kind
 */
abstract class ConfiguredOptimizer<O extends OptimizerConfig> extends Optimizer {
    private final O options;

    ConfiguredOptimizer(Iterable<Tensor> params, O options) {
        super(open(handles(params), Objects.requireNonNull(options, "options")));
        this.options = options;
    }

    /** libtorch's optimizer of the kind {@code options} names, with those settings. */
    private static NativeOptimizer open(List<NativeTensor> params, OptimizerConfig options) {
        if (options instanceof SGDOptions o) {
            return NativeOptimizer.sgd(params, o.lr(), o.momentum(), o.dampening(), o.weightDecay(), o.nesterov());
        }
        if (options instanceof AdamSettings<?> o) {
            return NativeOptimizer.adam(params, o instanceof AdamWOptions, o.lr(), o.beta1(), o.beta2(), o.eps(),
                    o.weightDecay(), o.amsgrad());
        }
        if (options instanceof RMSpropOptions o) {
            return NativeOptimizer.rmsprop(params, o.lr(), o.alpha(), o.eps(), o.weightDecay(), o.momentum(),
                    o.centered());
        }
        AdagradOptions o = (AdagradOptions) options; // the last kind OptimizerConfig permits
        return NativeOptimizer.adagrad(params, o.lr(), o.lrDecay(), o.weightDecay(), o.initialAccumulatorValue(),
                o.eps());
    }

    /** The settings this optimizer was built with (the learning rate may since have changed: {@link #lr()}). */
    public O options() {
        return options;
    }
}

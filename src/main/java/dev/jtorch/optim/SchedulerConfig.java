package dev.jtorch.optim;

/**
 * The settings of one kind of learning-rate schedule, which can attach it to an optimizer: the
 * options record of each schedule ({@link StepLROptions}, {@link MultiStepLROptions},
 * {@link CosineAnnealingLROptions}, {@link LinearLROptions}, {@link LinearWarmupOptions},
 * {@link SequentialLROptions}, {@link OneCycleLROptions}, {@link ReduceLROnPlateauOptions}).
 *
 * <pre>{@code
 * SchedulerConfig<? extends LRScheduler> config = new CosineAnnealingLROptions(epochs);
 * LRScheduler schedule = config.build(optimizer);
 * }</pre>
 *
 * <p>{@code config.build(optimizer)} equals the schedule's constructor, e.g.
 * {@code new StepLR(optimizer, options)}, including its effect on the optimizer (an
 * {@link LRScheduler} sets the rate of epoch 0). Every schedule but {@link ReduceLROnPlateau},
 * which follows a metric instead of the epoch, is an {@link LRScheduler}.
 *
 * @param <S> the schedule it builds
 */
public sealed interface SchedulerConfig<S> permits StepLROptions, MultiStepLROptions, CosineAnnealingLROptions,
        LinearLROptions, LinearWarmupOptions, SequentialLROptions, OneCycleLROptions, ReduceLROnPlateauOptions {
    /**
     * Attaches a new schedule with these settings to {@code optimizer}.
     *
     * @throws NullPointerException if {@code optimizer} is null
     * @throws IllegalArgumentException if the schedule cannot drive {@code optimizer} (e.g.
     *     {@link OneCycleLR} cycling the momentum of an optimizer without one)
     */
    S build(Optimizer optimizer);
}

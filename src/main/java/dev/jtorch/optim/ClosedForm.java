package dev.jtorch.optim;

/**
 * The settings of a schedule whose rate is a formula of the base rate and the epoch alone: they
 * compute the rate themselves, and {@link ConfiguredScheduler} applies it.
 */
sealed interface ClosedForm permits StepLROptions, MultiStepLROptions, CosineAnnealingLROptions, LinearLROptions,
        LinearWarmupOptions {
    /**
     * The rate at {@code epoch} (counted from 0, {@code >= 0}) for base rate {@code baseLr}: a
     * pure function, finite and non-negative for a finite non-negative {@code baseLr}.
     */
    double lr(double baseLr, int epoch);
}

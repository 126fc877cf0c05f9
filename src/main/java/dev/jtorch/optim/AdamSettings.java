package dev.jtorch.optim;

/**
 * The settings {@link Adam} and {@link AdamW} share (they differ only in how the weight decay
 * applies), checked by one rule for both.
 */
sealed interface AdamSettings extends OptimizerConfig permits AdamOptions, AdamWOptions {
    /** Decay of the first moment. */
    double beta1();

    /** Decay of the second moment. */
    double beta2();

    /** Term added to the denominator. */
    double eps();

    /** Whether the AMSGrad variant is used. */
    boolean amsgrad();

    /**
     * PyTorch's checks of Adam's and AdamW's settings (the same for both), refusing the infinities
     * PyTorch lets through as well.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    static void check(double lr, double beta1, double beta2, double eps, double weightDecay) {
        Optimizer.checkLr(lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("invalid betas: (" + beta1 + ", " + beta2 + "), each must be in [0, 1)");
        }
        Optimizer.checkNonNegativeFinite("eps", eps);
        Optimizer.checkNonNegativeFinite("weight decay", weightDecay);
    }
}

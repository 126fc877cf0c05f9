package dev.jtorch.optim;

/**
 * The settings {@link Adam} and {@link AdamW} share (they differ only in their defaults and in how
 * the weight decay applies): one validation and one set of copy methods for both records.
 *
 * @param <S> the record itself, which the copies are
 */
sealed interface AdamSettings<S extends AdamSettings<S>> extends OptimizerConfig permits AdamOptions, AdamWOptions {
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

    /** A copy with the two moment decays. */
    default S withBetas(double beta1, double beta2) {
        return copy(lr(), beta1, beta2, eps(), weightDecay(), amsgrad());
    }

    /** A copy with {@code eps}. */
    default S withEps(double eps) {
        return copy(lr(), beta1(), beta2(), eps, weightDecay(), amsgrad());
    }

    /** A copy with {@code weightDecay} (AdamW's is decoupled; there 0 makes it plain Adam). */
    default S withWeightDecay(double weightDecay) {
        return copy(lr(), beta1(), beta2(), eps(), weightDecay, amsgrad());
    }

    /** A copy with AMSGrad on or off. */
    default S withAmsgrad(boolean amsgrad) {
        return copy(lr(), beta1(), beta2(), eps(), weightDecay(), amsgrad);
    }

    @SuppressWarnings("unchecked") // S is the record's own class: the two permitted records say so
    private S copy(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return (S) (this instanceof AdamWOptions
                ? new AdamWOptions(lr, beta1, beta2, eps, weightDecay, amsgrad)
                : new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad));
    }
}

/**
 * Optimizers ({@link dev.jtorch.optim.SGD}, {@link dev.jtorch.optim.Adam},
 * {@link dev.jtorch.optim.AdamW}) backed by libtorch's {@code torch::optim}, long-lived and closed
 * explicitly, and learning-rate schedules ({@link dev.jtorch.optim.StepLR},
 * {@link dev.jtorch.optim.CosineAnnealingLR}, {@link dev.jtorch.optim.LinearWarmup},
 * {@link dev.jtorch.optim.SequentialLR}) computed in Java.
 *
 * <p>Both save and restore their state exactly ({@link dev.jtorch.optim.Optimizer#stateBytes()},
 * {@link dev.jtorch.optim.LRScheduler#state()}) so that a resumed run matches an uninterrupted one.
 */
package dev.jtorch.optim;

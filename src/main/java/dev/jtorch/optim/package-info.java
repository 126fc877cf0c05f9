/**
 * Optimizers ({@link dev.jtorch.optim.SGD}, {@link dev.jtorch.optim.Adam},
 * {@link dev.jtorch.optim.AdamW}, {@link dev.jtorch.optim.RMSprop}, {@link dev.jtorch.optim.Adagrad})
 * backed by libtorch's {@code torch::optim}, long-lived and closed explicitly, and learning-rate
 * schedules ({@link dev.jtorch.optim.StepLR}, {@link dev.jtorch.optim.MultiStepLR},
 * {@link dev.jtorch.optim.CosineAnnealingLR}, {@link dev.jtorch.optim.LinearLR},
 * {@link dev.jtorch.optim.LinearWarmup}, {@link dev.jtorch.optim.SequentialLR},
 * {@link dev.jtorch.optim.OneCycleLR}, and the metric-driven
 * {@link dev.jtorch.optim.ReduceLROnPlateau}) computed in Java.
 *
 * <p>Each optimizer and schedule has an options record holding its settings with PyTorch's
 * defaults; the records are {@link dev.jtorch.optim.OptimizerConfig}s or
 * {@link dev.jtorch.optim.SchedulerConfig}s, which build what they configure
 * ({@code SGDOptions.lr(0.1).withMomentum(0.9).build(model.parameters())}).
 *
 * <p>Both save and restore their state exactly ({@link dev.jtorch.optim.Optimizer#stateBytes()},
 * {@link dev.jtorch.optim.LRScheduler#state()}) so that a resumed run matches an uninterrupted one.
 */
package dev.jtorch.optim;

/**
 * Evaluation metrics for classifiers: a device-side {@link dev.jtorch.metrics.ConfusionMatrix},
 * scikit-learn-compatible precision/recall/F1 ({@link dev.jtorch.metrics.ClassificationReport}),
 * top-k accuracy, NLL and expected calibration error ({@link dev.jtorch.metrics.Metrics}),
 * {@link dev.jtorch.metrics.TemperatureScaling}, and the {@link dev.jtorch.metrics.Evaluator} that
 * streams batches of logits into the {@link dev.jtorch.metrics.EvalReport} printed by
 * {@code jtorch eval --json}.
 */
package dev.jtorch.metrics;

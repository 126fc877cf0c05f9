package dev.jtorch.metrics;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One averaged precision/recall/F1 triple (macro, weighted or micro), as scikit-learn's
 * {@code precision_recall_fscore_support(average=...)} returns it; each value is in [0, 1].
 */
@JsonPropertyOrder({"precision", "recall", "f1"})
public record Averages(double precision, double recall, double f1) {}

package dev.jtorch.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Precision, recall, F1 and support of one class; in JSON
 * {@code {"class", "label", "precision", "recall", "f1", "support"}}.
 *
 * @param classIndex the class index ({@code "class"} in JSON: {@code class} is a Java keyword)
 * @param label the class's human-readable name
 * @param support the number of samples whose true class this is
 */
@JsonPropertyOrder({"class", "label", "precision", "recall", "f1", "support"})
public record ClassMetrics(@JsonProperty("class") int classIndex, String label, double precision, double recall,
        double f1, long support) {}

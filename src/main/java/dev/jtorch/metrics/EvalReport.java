package dev.jtorch.metrics;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code jtorch eval --json} prints about a classifier on one data set (the CLI's contract; README, "The command line").
 *
 * <p>JSON ({@link #toJson()}): {@code samples, accuracy, top5_accuracy, nll, ece, macro, weighted,
 * micro} (each {@code {precision, recall, f1}}), {@code per_class} (list of
 * {@code {class, label, precision, recall, f1, support}}), {@code confusion_matrix} (rows = true
 * class, columns = predicted) and, only when a temperature was fitted, {@code calibration}
 * ({@code temperature, nll_before, nll_after, ece_before, ece_after}). Precision/recall/F1 follow
 * scikit-learn's {@code precision_recall_fscore_support(zero_division=0)}; {@code nll} is the mean
 * cross-entropy of the raw logits; {@code ece} uses {@link Metrics#ece(double[], boolean[])}'s 15
 * bins on the raw logits.
 *
 * @param calibration null when no temperature was fitted (then absent from the JSON)
 */
@JsonPropertyOrder({"samples", "accuracy", "top5_accuracy", "nll", "ece", "macro", "weighted", "micro", "per_class",
        "confusion_matrix", "calibration"})
public record EvalReport(
        long samples,
        double accuracy,
        @JsonProperty("top5_accuracy") double top5Accuracy,
        double nll,
        double ece,
        Averages macro,
        Averages weighted,
        Averages micro,
        @JsonProperty("per_class") List<ClassMetrics> perClass,
        @JsonProperty("confusion_matrix") long[][] confusionMatrix,
        @JsonInclude(JsonInclude.Include.NON_NULL) Calibration calibration) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Copies the list and the matrix so the record stays immutable. */
    public EvalReport {
        perClass = List.copyOf(perClass);
        long[][] copy = new long[confusionMatrix.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = confusionMatrix[i].clone();
        }
        confusionMatrix = copy;
    }

    /** A copy of the confusion matrix (the record's array is never handed out). */
    @Override
    @JsonProperty("confusion_matrix")
    public long[][] confusionMatrix() {
        long[][] copy = new long[confusionMatrix.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = confusionMatrix[i].clone();
        }
        return copy;
    }

    /** The calibration, if a temperature was fitted. */
    @JsonIgnore
    public Optional<Calibration> calibrationIfFitted() {
        return Optional.ofNullable(calibration);
    }

    /** The number of classes. */
    @JsonIgnore
    public int numClasses() {
        return perClass.size();
    }

    /** One line of JSON with the snake_case field names above. */
    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("EvalReport.toJson: " + e.getOriginalMessage(), e);
        }
    }

    /** The same JSON, indented for people. */
    public String toPrettyJson() {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("EvalReport.toPrettyJson: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Parses what {@link #toJson()} writes (e.g. a run's {@code eval.json}).
     *
     * @throws IllegalArgumentException naming the problem if the text is not such an object
     */
    public static EvalReport fromJson(String json) {
        try {
            return MAPPER.readValue(json, EvalReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an eval report: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EvalReport r)) {
            return false;
        }
        return samples == r.samples && Double.compare(accuracy, r.accuracy) == 0
                && Double.compare(top5Accuracy, r.top5Accuracy) == 0 && Double.compare(nll, r.nll) == 0
                && Double.compare(ece, r.ece) == 0 && macro.equals(r.macro) && weighted.equals(r.weighted)
                && micro.equals(r.micro) && perClass.equals(r.perClass)
                && java.util.Arrays.deepEquals(confusionMatrix, r.confusionMatrix)
                && java.util.Objects.equals(calibration, r.calibration);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(samples, accuracy, top5Accuracy, nll, ece, macro, weighted, micro, perClass,
                java.util.Arrays.deepHashCode(confusionMatrix), calibration);
    }

    @Override
    public String toString() {
        return "EvalReport[samples=" + samples + ", accuracy=" + accuracy + ", top5_accuracy=" + top5Accuracy
                + ", nll=" + nll + ", ece=" + ece + ", macro=" + macro + ", calibration=" + calibration + "]";
    }
}

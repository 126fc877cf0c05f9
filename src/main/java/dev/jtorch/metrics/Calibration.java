package dev.jtorch.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The effect of a fitted temperature on the evaluated set: its NLL and ECE with the raw logits
 * ({@code before}, T = 1) and with the logits divided by {@code temperature} ({@code after}). In
 * JSON: {@code temperature, nll_before, nll_after, ece_before, ece_after}.
 */
@JsonPropertyOrder({"temperature", "nll_before", "nll_after", "ece_before", "ece_after"})
public record Calibration(double temperature,
        @JsonProperty("nll_before") double nllBefore,
        @JsonProperty("nll_after") double nllAfter,
        @JsonProperty("ece_before") double eceBefore,
        @JsonProperty("ece_after") double eceAfter) {}

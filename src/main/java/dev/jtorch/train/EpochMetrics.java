package dev.jtorch.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of {@code metrics.jsonl}: what an epoch of training measured.
 *
 * @param epoch 1-based epoch number
 * @param trainLoss sample-weighted mean of the epoch's batch losses
 * @param trainAccuracy fraction of training samples classified right during the epoch
 * @param testLoss mean cross-entropy on the test split after the epoch
 * @param testAccuracy accuracy on the test split after the epoch
 * @param lr learning rate used during the epoch
 * @param samplesPerSecond training samples per second: the steps including the batch gather (not
 *     file reading, not evaluation)
 * @param seconds wall time of the epoch's training steps
 */
@JsonPropertyOrder({"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr",
        "samples_per_second", "seconds"})
public record EpochMetrics(int epoch,
                           @JsonProperty("train_loss") double trainLoss,
                           @JsonProperty("train_accuracy") double trainAccuracy,
                           @JsonProperty("test_loss") double testLoss,
                           @JsonProperty("test_accuracy") double testAccuracy,
                           double lr,
                           @JsonProperty("samples_per_second") double samplesPerSecond,
                           double seconds) {}

package dev.jtorch.train;

import dev.jtorch.Device;
import dev.jtorch.models.Architecture;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Everything a training run needs, with the CLI's defaults (README, "The command line").
 *
 * @param data folder with the data set, or null for Fashion-MNIST from its default places
 * @param model architecture, or null for the checkpoint's (when resuming) or {@code mlp}
 * @param epochs total epochs (with {@code resume}: up to this many in total)
 * @param batchSize samples per step
 * @param optimizer {@code sgd}, {@code adam} or {@code adamw}
 * @param lr learning rate
 * @param momentum SGD momentum
 * @param device where to train
 * @param seed seeds initialisation and the shuffle (the permutation of epoch e depends on (seed, e) only)
 * @param threads libtorch intra-op threads
 * @param limit train on the first {@code limit} training samples (0: all), before shuffling
 * @param val hold out the last {@code val} training samples (after {@code limit}) for temperature scaling
 * @param out output folder
 * @param resume checkpoint to continue from, or null
 * @param schedule learning-rate schedule per epoch: {@code none}, {@code cosine} (to 0 over the
 *     run) or {@code step} (x0.1 every third of the run)
 * @param amp mixed precision: {@code off}, {@code bf16} (bfloat16 autocast, CPU or CUDA) or
 *     {@code f16} (float16 autocast with a {@link dev.jtorch.amp.GradScaler}; CUDA only)
 */
public record TrainConfig(Path data, Architecture model, int epochs, int batchSize, String optimizer, double lr,
                          double momentum, Device device, long seed, int threads, long limit, long val, Path out,
                          Path resume, String schedule, String amp) {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public TrainConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        optimizer = optimizer.toLowerCase(Locale.ROOT);
        if (!optimizer.equals("sgd") && !optimizer.equals("adam") && !optimizer.equals("adamw")) {
            throw new IllegalArgumentException("--optimizer must be sgd, adam or adamw, got " + optimizer);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        }
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new IllegalArgumentException("--momentum must be a finite number >= 0, got " + momentum);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        schedule = schedule == null ? "none" : schedule.toLowerCase(Locale.ROOT);
        if (!List.of("none", "cosine", "step", "exp").contains(schedule)) {
            throw new IllegalArgumentException("--schedule must be exp, cosine, step or none, got " + schedule);
        }
        if (limit < 0 || val < 0) {
            throw new IllegalArgumentException("--limit and --val must be >= 0");
        }
        amp = amp == null ? "off" : amp.toLowerCase(Locale.ROOT);
        if (!List.of("off", "bf16", "f16").contains(amp)) {
            throw new IllegalArgumentException("--amp must be off, bf16 or f16, got " + amp);
        }
    }

    /** The settings without mixed precision ({@code amp = off}). */
    public TrainConfig(Path data, Architecture model, int epochs, int batchSize, String optimizer, double lr,
                       double momentum, Device device, long seed, int threads, long limit, long val, Path out,
                       Path resume, String schedule) {
        this(data, model, epochs, batchSize, optimizer, lr, momentum, device, seed, threads, limit, val, out, resume,
                schedule, "off");
    }

    /** A copy with mixed precision {@code amp} ({@code off}, {@code bf16} or {@code f16}). */
    public TrainConfig withAmp(String amp) {
        return new TrainConfig(data, model, epochs, batchSize, optimizer, lr, momentum, device, seed, threads, limit,
                val, out, resume, schedule, amp);
    }

    /** The default learning rate for an optimizer: 0.01 for SGD, 1e-3 otherwise. */
    public static double defaultLr(String optimizer) {
        return optimizer.equalsIgnoreCase("sgd") ? 0.01 : 1e-3;
    }

    /** {@code runs/<timestamp>} under the working directory. */
    public static Path defaultOut() {
        return Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /** The defaults: mlp, 5 epochs, batch 64, Adam 1e-3 with cosine annealing, seed 0, best device, every usable core. */
    public static TrainConfig defaults() {
        return new TrainConfig(null, null, 5, 64, "adam", 1e-3, 0, Device.best(), 0,
                Runtime.getRuntime().availableProcessors(), 0, 0, defaultOut(), null, "cosine");
    }
}

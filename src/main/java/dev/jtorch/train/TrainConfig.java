package dev.jtorch.train;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.models.Architecture;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.AdamOptions;
import dev.jtorch.optim.AdamW;
import dev.jtorch.optim.AdamWOptions;
import dev.jtorch.optim.CosineAnnealingLROptions;
import dev.jtorch.optim.LRScheduler;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.OptimizerConfig;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.optim.SchedulerConfig;
import dev.jtorch.optim.StepLROptions;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a training run needs, with the CLI's defaults (README, "The command line").
 *
 * @param data folder with the data set, or null for Fashion-MNIST from its default places
 * @param model architecture, or null for the checkpoint's (when resuming) or {@code mlp}
 * @param epochs total epochs (with {@code resume}: up to this many in total)
 * @param batchSize samples per step
 * @param optimizer the optimizer
 * @param lr learning rate
 * @param momentum SGD momentum (the other optimizers have none)
 * @param device where to train
 * @param seed seeds initialisation and the shuffle (the permutation of epoch e depends on (seed, e) only)
 * @param threads libtorch intra-op threads
 * @param limit train on the first {@code limit} training samples (0: all), before shuffling
 * @param val hold out the last {@code val} training samples (after {@code limit}) for temperature scaling
 * @param out output folder
 * @param resume checkpoint to continue from, or null
 * @param schedule learning-rate schedule per epoch; null means {@link Schedule#NONE}
 * @param amp mixed precision; null means {@link Amp#OFF}
 */
public record TrainConfig(Path data, Architecture model, int epochs, int batchSize, OptimizerKind optimizer,
                          double lr, double momentum, Device device, long seed, int threads, long limit, long val,
                          Path out, Path resume, Schedule schedule, Amp amp) {
    /**
     * The optimizers of {@code jtorch train --optimizer}; each builds its {@link OptimizerConfig}.
     * The lower-case name ({@link #toString()}) is the flag's value.
     */
    public enum OptimizerKind {
        /** {@link dev.jtorch.optim.SGD}, with {@code momentum}; default learning rate 0.01. */
        SGD(dev.jtorch.optim.SGD.class, 0.01) {
            @Override
            public OptimizerConfig options(double lr, double momentum) {
                return SGDOptions.lr(lr).withMomentum(momentum);
            }
        },
        /** {@link Adam} with PyTorch's defaults; default learning rate 1e-3. */
        ADAM(Adam.class, 1e-3) {
            @Override
            public OptimizerConfig options(double lr, double momentum) {
                return AdamOptions.lr(lr);
            }
        },
        /** {@link AdamW} with PyTorch's defaults (weight decay 1e-2); default learning rate 1e-3. */
        ADAMW(AdamW.class, 1e-3) {
            @Override
            public OptimizerConfig options(double lr, double momentum) {
                return AdamWOptions.lr(lr);
            }
        };

        private final Class<? extends Optimizer> type;
        private final double defaultLr;

        OptimizerKind(Class<? extends Optimizer> type, double defaultLr) {
            this.type = type;
            this.defaultLr = defaultLr;
        }

        /**
         * The settings of this optimizer with learning rate {@code lr} and, for SGD, {@code momentum}.
         *
         * @throws IllegalArgumentException if a setting is out of the optimizer's range
         */
        public abstract OptimizerConfig options(double lr, double momentum);

        /** The learning rate {@code jtorch train} uses when none is given: 0.01 for SGD, 1e-3 otherwise. */
        public double defaultLr() {
            return defaultLr;
        }

        /** The optimizer's class name, which a checkpoint records as its optimizer's kind ({@code "AdamW"}). */
        public String checkpointKind() {
            return type.getSimpleName();
        }

        /** The flag's value: {@code sgd}, {@code adam} or {@code adamw}. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The learning-rate schedules of {@code jtorch train --schedule}, stepped once per epoch; each
     * builds its {@link SchedulerConfig}. The lower-case name ({@link #toString()}) is the flag's value.
     */
    public enum Schedule {
        /** A constant learning rate. */
        NONE {
            @Override
            public Optional<SchedulerConfig<? extends LRScheduler>> options(int epochs) {
                return Optional.empty();
            }
        },
        /** Cosine annealing to 0 over the run's epochs. */
        COSINE {
            @Override
            public Optional<SchedulerConfig<? extends LRScheduler>> options(int epochs) {
                return Optional.of(new CosineAnnealingLROptions(epochs));
            }
        },
        /** x0.1 every third of the run's epochs. */
        STEP {
            @Override
            public Optional<SchedulerConfig<? extends LRScheduler>> options(int epochs) {
                return Optional.of(new StepLROptions(Math.max(1, epochs / 3), 0.1));
            }
        },
        /**
         * x0.5 every epoch: PyTorch's {@code ExponentialLR(gamma=0.5)}, independent of the run's
         * length, so runs extend with a resume.
         */
        EXP {
            @Override
            public Optional<SchedulerConfig<? extends LRScheduler>> options(int epochs) {
                return Optional.of(new StepLROptions(1, 0.5));
            }
        };

        /**
         * The settings of this schedule for a run of {@code epochs} epochs, or empty for
         * {@link #NONE}.
         *
         * @throws IllegalArgumentException if {@code epochs < 1}
         */
        public abstract Optional<SchedulerConfig<? extends LRScheduler>> options(int epochs);

        /** The flag's value: {@code none}, {@code cosine}, {@code step} or {@code exp}. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The mixed precision of {@code jtorch train --amp}: the dtype the forward pass autocasts to.
     * The lower-case name ({@link #toString()}) is the flag's value.
     */
    public enum Amp {
        /** float32 throughout. */
        OFF(null),
        /** bfloat16 autocast, on CPU or CUDA. */
        BF16(DType.BFLOAT16),
        /** float16 autocast with a {@link dev.jtorch.amp.GradScaler}; CUDA only. */
        F16(DType.FLOAT16);

        private final DType dtype;

        Amp(DType dtype) {
            this.dtype = dtype;
        }

        /** The dtype the forward pass autocasts to, or empty for {@link #OFF}. */
        public Optional<DType> dtype() {
            return Optional.ofNullable(dtype);
        }

        /** The flag's value: {@code off}, {@code bf16} or {@code f16}. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Checks the settings.
     *
     * @throws NullPointerException if {@code optimizer} is null
     * @throws IllegalArgumentException naming the bad setting
     */
    public TrainConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        Objects.requireNonNull(optimizer, "optimizer");
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        }
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new IllegalArgumentException("--momentum must be a finite number >= 0, got " + momentum);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        if (limit < 0 || val < 0) {
            throw new IllegalArgumentException("--limit and --val must be >= 0");
        }
        schedule = schedule == null ? Schedule.NONE : schedule;
        amp = amp == null ? Amp.OFF : amp;
    }

    /** The settings without mixed precision ({@code amp = OFF}). */
    public TrainConfig(Path data, Architecture model, int epochs, int batchSize, OptimizerKind optimizer, double lr,
                       double momentum, Device device, long seed, int threads, long limit, long val, Path out,
                       Path resume, Schedule schedule) {
        this(data, model, epochs, batchSize, optimizer, lr, momentum, device, seed, threads, limit, val, out, resume,
                schedule, Amp.OFF);
    }

    /** A copy with mixed precision {@code amp}. */
    public TrainConfig withAmp(Amp amp) {
        return new TrainConfig(data, model, epochs, batchSize, optimizer, lr, momentum, device, seed, threads, limit,
                val, out, resume, schedule, amp);
    }

    /** {@code runs/<timestamp>} under the working directory. */
    public static Path defaultOut() {
        return Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /** The defaults: mlp, 5 epochs, batch 64, Adam 1e-3 with cosine annealing, seed 0, best device, every usable core. */
    public static TrainConfig defaults() {
        return new TrainConfig(null, null, 5, 64, OptimizerKind.ADAM, OptimizerKind.ADAM.defaultLr(), 0,
                Device.best(), 0, Runtime.getRuntime().availableProcessors(), 0, 0, defaultOut(), null,
                Schedule.COSINE);
    }
}

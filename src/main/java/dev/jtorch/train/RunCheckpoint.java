package dev.jtorch.train;

import dev.jtorch.amp.GradScaler;
import dev.jtorch.io.Checkpoint;
import dev.jtorch.io.ModelFileException;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.LRScheduler;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.SchedulerState;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code jtorch train} run's {@code checkpoint.pt}: the model and optimizer state plus, in
 * {@code extra}, the class names, the last epoch's metrics line, the schedule, the loss scale,
 * the world size and an interrupted epoch's running sums; written here, read back by the static
 * methods for a resume.
 *
 * @param out the output folder
 * @param arch the architecture trained
 * @param classes the class names, in label order
 * @param seed the run's seed
 * @param model the model saved
 * @param opt its optimizer, saved too
 * @param schedule the learning-rate schedule, or null
 * @param scaler the float16 loss scaler, or null
 * @param dist the distributed run, or null
 */
record RunCheckpoint(Path out, Architecture arch, List<String> classes, long seed, Module model, Optimizer opt,
                     LRScheduler schedule, GradScaler scaler, DistributedRun dist) {
    /** Key of {@code extra} holding the {@link EpochMetrics} of the checkpoint's last completed epoch. */
    static final String EPOCH_METRICS = "epoch_metrics";

    /** The file written: {@code checkpoint.pt} in the output folder. */
    Path file() {
        return out.resolve("checkpoint.pt");
    }

    /**
     * Writes the checkpoint of {@code completedEpochs} epochs; {@code metrics} (the line of epoch
     * {@code completedEpochs}, or null if unknown) goes into it so that a resume can restore a
     * {@code metrics.jsonl} line lost to a crash between the two writes.
     *
     * @param partial the running sums of the interrupted epoch after them, or null at an epoch's end
     */
    void save(int completedEpochs, PartialEpoch partial, EpochMetrics metrics) throws IOException {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("classes", classes);
        if (metrics != null && metrics.epoch() == completedEpochs) {
            extra.put(EPOCH_METRICS, MetricsFile.toMap(metrics));
        }
        if (dist != null) {
            extra.put("world_size", dist.worldSize());
        }
        if (schedule != null) {
            SchedulerState st = schedule.state();
            extra.put("schedule", Map.of("name", st.schedule(), "epoch", st.epoch(), "base_lr", st.baseLr()));
        }
        if (scaler != null) {
            extra.put("grad_scaler", scaler.state().toMap());
        }
        if (partial != null && partial.steps > 0) {
            extra.put("partial_epoch", Map.of("steps", partial.steps, "seen", partial.seen, "correct", partial.correct,
                    "loss_sum", partial.lossSum, "seconds", partial.seconds));
        }
        try (TensorScope s = TensorScope.open()) {
            new Checkpoint(arch.id(), completedEpochs, seed, model.stateDict(), Checkpoint.OptimizerState.of(opt), extra)
                    .save(file());
        }
    }

    /**
     * Loads the resumed checkpoint's schedule into {@code schedule} and returns its interrupted
     * epoch's running sums (empty when it was saved at an epoch's end).
     *
     * @throws IllegalArgumentException if this run's schedule differs from the checkpoint's
     */
    static PartialEpoch restore(CheckpointFields resume, LRScheduler schedule) throws IOException {
        Map<String, Object> sch = resume.object("schedule");
        if (sch != null && schedule != null) {
            String name = resume.text(sch, "extra.schedule", "name");
            int epoch = (int) resume.integer(sch, "extra.schedule", "epoch", 0, Integer.MAX_VALUE);
            double baseLr = resume.finite(sch, "extra.schedule", "base_lr", 0);
            try {
                schedule.loadState(new SchedulerState(name, epoch, baseLr));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(resume.file() + " was trained with " + name + ", this run asks"
                        + " for " + schedule + "; a cosine or step schedule depends on --epochs, so a run that will be"
                        + " extended with --resume must use --schedule none or exp", e);
            }
        } else if (sch != null || schedule != null) {
            throw new IllegalArgumentException("the learning-rate schedule of " + resume.file() + " ("
                    + (sch == null ? "none" : sch.get("name")) + ") differs from --schedule "
                    + (schedule == null ? "none" : schedule));
        }
        PartialEpoch p = new PartialEpoch();
        Map<String, Object> part = resume.object("partial_epoch");
        if (part != null) {
            String at = "extra.partial_epoch";
            p.steps = (int) resume.integer(part, at, "steps", 1, Integer.MAX_VALUE);
            p.seen = resume.integer(part, at, "seen", 1, Long.MAX_VALUE);
            p.correct = resume.integer(part, at, "correct", 0, p.seen);
            p.lossSum = resume.finite(part, at, "loss_sum", 0);
            p.seconds = resume.finite(part, at, "seconds", 0);
        }
        return p;
    }

    /** A float16 run continues with the saved loss scale; other runs ignore it. */
    static void restoreScaler(CheckpointFields resume, GradScaler scaler) throws IOException {
        Map<String, Object> m = scaler == null ? null : resume.object("grad_scaler");
        if (m == null) {
            return;
        }
        // GradScaler.State.fromMap narrows with intValue(): check the ints' ranges first
        resume.integer(m, "extra.grad_scaler", "growth_interval", 1, Integer.MAX_VALUE);
        resume.integer(m, "extra.grad_scaler", "_growth_tracker", 0, Integer.MAX_VALUE);
        try {
            scaler.loadState(GradScaler.State.fromMap(m));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(resume.file(), Checkpoint.JSON_ENTRY + ": key \"extra.grad_scaler\": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The metrics line of the checkpoint's last completed epoch, or null when the checkpoint has
     * none (written before jtorch recorded it, or after no completed epoch).
     */
    static EpochMetrics recordedMetrics(CheckpointFields resume, int epochs) throws IOException {
        Map<String, Object> m = resume.object(EPOCH_METRICS);
        if (m == null || epochs == 0) {
            return null;
        }
        String at = "extra." + EPOCH_METRICS;
        int epoch = (int) resume.integer(m, at, "epoch", epochs, epochs);
        return new EpochMetrics(epoch, resume.finite(m, at, "train_loss", 0), resume.finite(m, at, "train_accuracy", 0),
                resume.finite(m, at, "test_loss", 0), resume.finite(m, at, "test_accuracy", 0),
                resume.finite(m, at, "lr", 0), resume.finite(m, at, "samples_per_second", 0),
                resume.finite(m, at, "seconds", 0));
    }

    /**
     * Refuses to resume an epoch interrupted in a run of another world size: its running sums and
     * shards belong to that size.
     */
    static void checkWorld(CheckpointFields resume, PartialEpoch partial, DistributedRun dist) throws IOException {
        if (resume == null || partial.steps == 0) {
            return;
        }
        int recorded = resume.extraInt("world_size", 1, Integer.MAX_VALUE, 1);
        if (recorded != dist.worldSize()) {
            throw new IllegalArgumentException("the checkpoint was interrupted mid-epoch in a run of " + recorded
                    + " process(es); resume it with the same number, not " + dist.worldSize());
        }
    }
}

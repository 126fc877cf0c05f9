package dev.jtorch.train;

import dev.jtorch.io.Checkpoint;
import dev.jtorch.io.ModelFileException;
import dev.jtorch.models.Architecture;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Typed, range-checked reads of the fields of a checkpoint the trainer resumes from.
 *
 * <p>{@link Checkpoint#load} checks the file's structure (entries, format, that {@code epoch} and
 * {@code seed} are JSON integers), but {@code extra} is free-form JSON and the trainer narrows
 * values to {@code int}: a cast there turned a wrong type into a raw {@link ClassCastException},
 * and an epoch of 2^32-1 into epoch 0. Each read here checks the type and the range the trainer
 * needs and otherwise throws a {@link ModelFileException} naming the file, the key (dotted, e.g.
 * {@code extra.partial_epoch.steps}), what was expected and what was found.
 */
final class CheckpointFields {
    /** The optimizer kinds {@link Trainer} builds, as {@link Checkpoint.OptimizerState#kind()} records them. */
    static final List<String> OPTIMIZER_KINDS = Stream.of(TrainConfig.OptimizerKind.values())
            .map(TrainConfig.OptimizerKind::checkpointKind).toList();

    private final Path file;
    private final Checkpoint checkpoint;

    CheckpointFields(Path file, Checkpoint checkpoint) {
        this.file = file;
        this.checkpoint = checkpoint;
    }

    /** The checkpoint file, for messages. */
    Path file() {
        return file;
    }

    /**
     * The completed epochs, as the {@code int} the epoch loop counts in.
     *
     * @throws ModelFileException if the epoch is above {@link Integer#MAX_VALUE}
     */
    int epoch() throws ModelFileException {
        long e = checkpoint.epoch();
        if (e < 0 || e > Integer.MAX_VALUE) {
            throw bad("epoch", "an integer in [0, " + Integer.MAX_VALUE + "]", e);
        }
        return (int) e;
    }

    /**
     * The recorded architecture.
     *
     * @throws ModelFileException if it names no architecture jtorch knows
     */
    Architecture architecture() throws ModelFileException {
        try {
            return Architecture.of(checkpoint.architecture());
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, Checkpoint.JSON_ENTRY + ": key \"architecture\": " + e.getMessage(), e);
        }
    }

    /**
     * Checks the optimizer entry against the optimizer this run built ({@code kind}, from
     * {@code --optimizer}).
     *
     * @throws ModelFileException if there is no optimizer entry, its kind is none the trainer
     *     builds, or its recorded {@code lr} is not a finite number >= 0
     * @throws IllegalArgumentException if it is another kind than {@code kind}: a mismatch of the
     *     command line, not of the file
     */
    void checkOptimizer(String kind, String flag) throws ModelFileException {
        Checkpoint.OptimizerState o = checkpoint.optimizer();
        if (o == null) {
            throw new ModelFileException(file, Checkpoint.JSON_ENTRY + ": key \"optimizer\" is null: the checkpoint"
                    + " holds no optimizer state, so training cannot resume from it (eval and predict can read it)");
        }
        if (!OPTIMIZER_KINDS.contains(o.kind())) {
            throw bad("optimizer.kind", "one of " + OPTIMIZER_KINDS, quoted(o.kind()));
        }
        Object lr = o.settings().get("lr");
        if (lr != null) {
            finite(lr, "optimizer.lr", 0);
        }
        if (!o.kind().equals(kind)) {
            throw new IllegalArgumentException(file + " holds the state of an " + o.kind() + " optimizer, but this run"
                    + " uses " + kind + " (" + flag + "); resume with --optimizer " + o.kind().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * {@code extra.<key>} as a JSON object, or null when absent or null.
     *
     * @throws ModelFileException if it is present and not an object
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> object(String key) throws ModelFileException {
        Object v = checkpoint.extra().get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?>)) {
            throw bad("extra." + key, "a JSON object", describe(v));
        }
        return (Map<String, Object>) v;
    }

    /**
     * {@code extra.<key>} as an int in [min, max], or {@code absent} when the key is missing.
     *
     * @throws ModelFileException if it is present and not such an integer
     */
    int extraInt(String key, int min, int max, int absent) throws ModelFileException {
        Object v = checkpoint.extra().get(key);
        return v == null ? absent : (int) integer(v, "extra." + key, min, max);
    }

    /**
     * The integer at {@code key} of {@code m} (found under {@code path}), in [min, max].
     *
     * @throws ModelFileException if missing, not a JSON integer, or out of range
     */
    long integer(Map<String, Object> m, String path, String key, long min, long max) throws ModelFileException {
        return integer(m.get(key), path + "." + key, min, max);
    }

    /**
     * The finite number at {@code key} of {@code m}, at least {@code min}.
     *
     * @throws ModelFileException if missing, not a number, NaN, infinite or below {@code min}
     */
    double finite(Map<String, Object> m, String path, String key, double min) throws ModelFileException {
        return finite(m.get(key), path + "." + key, min);
    }

    /**
     * The non-empty string at {@code key} of {@code m}.
     *
     * @throws ModelFileException if missing, not a string, or empty
     */
    String text(Map<String, Object> m, String path, String key) throws ModelFileException {
        Object v = m.get(key);
        if (!(v instanceof String s) || s.isBlank()) {
            throw bad(path + "." + key, "a non-empty string", describe(v));
        }
        return s;
    }

    private long integer(Object v, String key, long min, long max) throws ModelFileException {
        String expected = "an integer in [" + min + ", " + max + "]";
        // JSON integers arrive as Integer, Long or BigInteger; 2.0 arrives as a Double and is refused
        if (!(v instanceof Integer || v instanceof Long || v instanceof BigInteger)) {
            throw bad(key, expected, describe(v));
        }
        BigInteger b = v instanceof BigInteger bi ? bi : BigInteger.valueOf(((Number) v).longValue());
        if (b.compareTo(BigInteger.valueOf(min)) < 0 || b.compareTo(BigInteger.valueOf(max)) > 0) {
            throw bad(key, expected, b);
        }
        return b.longValue();
    }

    private double finite(Object v, String key, double min) throws ModelFileException {
        String expected = "a finite number >= " + (min == Math.rint(min) ? String.valueOf((long) min) : min);
        if (!(v instanceof Number n)) {
            throw bad(key, expected, describe(v));
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d) || d < min) {
            throw bad(key, expected, d);
        }
        return d;
    }

    /** The error for a field that is not what the trainer needs. */
    ModelFileException bad(String key, String expected, Object found) {
        return new ModelFileException(file, Checkpoint.JSON_ENTRY + ": key \"" + key + "\" must be " + expected
                + ", is " + found);
    }

    private static String describe(Object v) {
        if (v == null) {
            return "missing";
        }
        if (v instanceof String s) {
            return quoted(s);
        }
        if (v instanceof Map<?, ?>) {
            return "a JSON object";
        }
        if (v instanceof List<?>) {
            return "a JSON array";
        }
        return v.toString();
    }

    private static String quoted(String s) {
        String shown = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return "\"" + shown + "\"";
    }
}

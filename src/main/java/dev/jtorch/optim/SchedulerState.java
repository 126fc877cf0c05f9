package dev.jtorch.optim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a schedule stands: what a checkpoint stores to resume it exactly.
 *
 * <p>An {@link LRScheduler} needs only its epoch and base rate ({@code values} is empty);
 * {@link ReduceLROnPlateau} keeps its current rate in {@code baseLr} and its counters in
 * {@code values}.
 *
 * @param schedule the schedule's description ({@link LRScheduler#toString()}), kind and settings
 * @param epoch epochs stepped so far (PyTorch's {@code last_epoch})
 * @param baseLr the base learning rate (PyTorch's {@code base_lrs[0]})
 * @param values further numbers of the schedule's own (may be infinite, never null)
 */
public record SchedulerState(String schedule, int epoch, double baseLr, List<Double> values) {
    private static final int MAGIC = 0x6a4c5253; // "jLRS"
    private static final int MAGIC_VALUES = 0x6a4c5232; // "jLR2": with values
    private static final int MAX_VALUES = 1 << 16;

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative, {@code baseLr} is negative or
     *     not finite, or there are more than 65536 values
     */
    public SchedulerState {
        Objects.requireNonNull(schedule, "schedule");
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch: " + epoch);
        }
        Optimizer.checkLr(baseLr);
        values = List.copyOf(values);
        if (values.size() > MAX_VALUES) {
            throw new IllegalArgumentException("too many schedule values: " + values.size());
        }
    }

    /** The state of a schedule that needs no further values. */
    public SchedulerState(String schedule, int epoch, double baseLr) {
        this(schedule, epoch, baseLr, List.of());
    }

    /**
     * The state as bytes (exact: the doubles are written bit for bit). Without values the bytes
     * are those of the first format, which had none.
     */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(values.isEmpty() ? MAGIC : MAGIC_VALUES);
            out.writeUTF(schedule);
            out.writeInt(epoch);
            out.writeDouble(baseLr);
            if (!values.isEmpty()) {
                out.writeInt(values.size());
                for (double v : values) {
                    out.writeDouble(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads what {@link #toBytes()} wrote.
     *
     * @throws IllegalArgumentException if {@code bytes} is not a schedule state
     */
    public static SchedulerState fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int magic = in.readInt();
            if (magic != MAGIC && magic != MAGIC_VALUES) {
                throw new IllegalArgumentException("not a schedule state");
            }
            String schedule = in.readUTF();
            int epoch = in.readInt();
            double baseLr = in.readDouble();
            List<Double> values = new ArrayList<>();
            if (magic == MAGIC_VALUES) {
                int n = in.readInt();
                if (n < 1 || n > MAX_VALUES) {
                    throw new IllegalArgumentException("not a schedule state (" + n + " values)");
                }
                for (int i = 0; i < n; i++) {
                    values.add(in.readDouble());
                }
            }
            SchedulerState s = new SchedulerState(schedule, epoch, baseLr, values);
            if (in.read() != -1) {
                throw new IllegalArgumentException("trailing bytes after a schedule state");
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a schedule state (truncated)", e);
        }
    }
}

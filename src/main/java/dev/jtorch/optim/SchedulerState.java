package dev.jtorch.optim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Where an {@link LRScheduler} stands: what a checkpoint stores to resume the schedule exactly.
 *
 * @param schedule the schedule's description ({@link LRScheduler#toString()}), kind and settings
 * @param epoch epochs stepped so far (PyTorch's {@code last_epoch})
 * @param baseLr the base learning rate (PyTorch's {@code base_lrs[0]})
 */
public record SchedulerState(String schedule, int epoch, double baseLr) {
    private static final int MAGIC = 0x6a4c5253; // "jLRS"

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative or {@code baseLr} is negative or not finite
     */
    public SchedulerState {
        Objects.requireNonNull(schedule, "schedule");
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch: " + epoch);
        }
        Optimizer.checkLr(baseLr);
    }

    /** The state as bytes (exact: the doubles are written bit for bit). */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(schedule);
            out.writeInt(epoch);
            out.writeDouble(baseLr);
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
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a schedule state");
            }
            SchedulerState s = new SchedulerState(in.readUTF(), in.readInt(), in.readDouble());
            if (in.read() != -1) {
                throw new IllegalArgumentException("trailing bytes after a schedule state");
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a schedule state (truncated)", e);
        }
    }
}

package dev.jtorch.train;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.distributed.Backend;
import dev.jtorch.distributed.DistributedDataParallel;
import dev.jtorch.distributed.ProcessGroup;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.function.BooleanSupplier;

/**
 * What {@link Trainer} does differently as one rank of a data-parallel run, kept in one place so
 * the single-process path stays as it is: rank 0's weights everywhere at the start, gradients
 * averaged after each backward, the stop decision agreed by all ranks, sums reduced across ranks,
 * and files written by rank 0 only.
 */
final class DistributedRun implements AutoCloseable {
    private final ProcessGroup group;
    /** Where {@link #sum} puts its values: the CPU for Gloo, the training device for NCCL. */
    private final Device device;
    private DistributedDataParallel ddp;
    private boolean stopAgreed;

    DistributedRun(ProcessGroup group, Device device) {
        this.group = group;
        this.device = group.backend() == Backend.NCCL ? device : Device.CPU;
    }

    int rank() {
        return group.rank();
    }

    int worldSize() {
        return group.worldSize();
    }

    /** Whether this rank writes the run's files and logs its progress (rank 0). */
    boolean writer() {
        return group.rank() == 0;
    }

    /** Broadcasts rank 0's parameters and buffers; from now on gradients can be averaged. */
    void start(Module model) {
        ddp = new DistributedDataParallel(model, group);
    }

    /** Averages the gradients across ranks and learns whether any rank wants to stop (one collective per bucket). */
    void afterBackward(BooleanSupplier stop) {
        stopAgreed = ddp.syncGradients(stop.getAsBoolean());
    }

    /** Whether some rank asked to stop at the last step: all ranks see the same answer. */
    boolean stopAgreed() {
        return stopAgreed;
    }

    /** Elementwise sums of {@code values} over all ranks (one float64 all-reduce). */
    double[] sum(double... values) {
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.of(values, Shape.of(values.length), DType.FLOAT64, device);
            group.allReduce(t);
            return t.toDoubleArray();
        }
    }

    @Override
    public void close() {
        if (ddp != null) {
            ddp.close();
        }
    }
}

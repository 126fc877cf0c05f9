/**
 * Data-parallel training across processes over libtorch's c10d: a {@link dev.jtorch.distributed.ProcessGroup}
 * (Gloo on CPU, NCCL on CUDA) met through a TCP or file rendezvous, its collectives (all-reduce,
 * broadcast, barrier), {@link dev.jtorch.distributed.DistributedDataParallel} for bucketed gradient
 * averaging, and {@link dev.jtorch.distributed.Launcher} for starting local worker processes.
 *
 * <p>Every collective is bounded by the group's timeout: a dead or stalled peer ends in a
 * {@link dev.jtorch.distributed.DistributedException}, never a hang. The NCCL path is written
 * but has not run on hardware (README, "Limits and known gaps"; docs/design.md).
 */
package dev.jtorch.distributed;

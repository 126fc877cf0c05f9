/**
 * Model files: {@link dev.jtorch.io.StateDicts} (plain state dicts that Python's {@code torch.load}
 * reads), {@link dev.jtorch.io.Checkpoint} (jtorch's resumable training checkpoint),
 * {@link dev.jtorch.io.ModelFiles} (what kind of file a path holds, by content) and
 * {@link dev.jtorch.io.AtomicFiles} (every write is a temp file renamed into place).
 */
package dev.jtorch.io;

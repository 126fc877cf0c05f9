/**
 * Model files that move between Python and Java: {@link dev.jtorch.io.StateDicts} (state dicts
 * written for Python's {@code torch.load}, and read back from Java or from Python's
 * {@code torch.save(model.state_dict())} through an allowlisted pickle reader),
 * {@link dev.jtorch.io.SafeTensors}, {@link dev.jtorch.io.ScriptModule} (TorchScript archives run
 * as modules), {@link dev.jtorch.io.Checkpoint} (jtorch's resumable training checkpoint),
 * {@link dev.jtorch.io.ModelFiles} (what kind of file a path holds, by content) and
 * {@link dev.jtorch.io.AtomicFiles} (every write is a temp file renamed into place).
 */
package dev.jtorch.io;

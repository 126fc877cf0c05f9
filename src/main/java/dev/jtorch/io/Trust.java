package dev.jtorch.io;

/**
 * Whether loading a model file may run code it carries.
 *
 * <p>A TorchScript archive is a program: loading it runs its {@code __setstate__} methods and
 * using it runs its {@code forward}. Checkpoints, state dicts and safetensors are data, read by
 * jtorch's own validating readers. A file that merely happens to be a TorchScript archive must
 * not run because someone handed it over as "the model", so code is refused unless the caller
 * says {@link #CODE} (the CLI's {@code --trust-code}) or calls {@link ScriptModule#load} itself.
 */
public enum Trust {
    /** Data formats only; a TorchScript archive is refused. The default everywhere. */
    DATA,
    /** Also TorchScript archives: the file is trusted as a program. */
    CODE
}

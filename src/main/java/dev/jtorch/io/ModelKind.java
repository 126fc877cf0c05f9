package dev.jtorch.io;

/**
 * What a model file holds, as {@link ModelFiles#detect} finds from its content.
 */
public enum ModelKind {
    /** jtorch's own checkpoint ({@link Checkpoint}): a zip with {@code checkpoint.json}. */
    JTORCH_CHECKPOINT,
    /**
     * A dict of name -> tensor in {@code torch.save}'s zip format: {@link StateDicts#save} output,
     * or Python's {@code torch.save(model.state_dict())} (an {@code OrderedDict}) or a plain dict.
     */
    STATE_DICT,
    /** A TorchScript archive ({@code torch.jit.save}): a zip with {@code constants.pkl} and {@code code/}. */
    TORCHSCRIPT,
    /**
     * A safetensors file ({@link SafeTensors}): an 8-byte little-endian header length, then a JSON
     * header starting with <code>{</code>.
     */
    SAFETENSORS,
    /** Anything else, including PyTorch's pre-1.6 (non-zip) {@code torch.save} format. */
    UNKNOWN
}

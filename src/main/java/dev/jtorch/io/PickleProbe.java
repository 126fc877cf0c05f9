package dev.jtorch.io;

import dev.jtorch.internal.Pickle;
import java.util.Map;

/**
 * Decides whether a pickle (a {@code data.pkl} of {@code torch.save}) holds a dict of string ->
 * tensor, by running it on jtorch's pickle machine under its {@link Pickle#PROBE} policy: no global
 * is imported, nothing runs, and globals a state dict does not use become opaque values.
 *
 * <p>The work is linear in the pickle's size and bounded (see {@link Pickle}); any unknown opcode,
 * malformed or truncated stream answers "not a tensor dict".
 */
final class PickleProbe {
    private PickleProbe() {}

    /** Whether {@code pickle}'s top-level object is a (possibly empty) dict of string -> tensor. */
    static boolean isTensorDict(byte[] pickle) {
        return describe(pickle) != null;
    }

    /**
     * {@code "OrderedDict"} or {@code "dict"} when {@code pickle}'s top-level object is a dict of
     * string -> tensor of that class, else null.
     */
    static String describe(byte[] pickle) {
        Object top;
        try {
            top = Pickle.run(pickle, Pickle.PROBE);
        } catch (Pickle.Refused e) {
            return null;
        }
        if (!(top instanceof Map<?, ?> dict)) {
            return null;
        }
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            Object v = e.getValue();
            if (!(e.getKey() instanceof String) || !(v instanceof Pickle.TensorSpec || v == Pickle.OTHER_TENSOR)) {
                return null;
            }
        }
        return top instanceof Pickle.OrderedDict ? "OrderedDict" : "dict";
    }
}

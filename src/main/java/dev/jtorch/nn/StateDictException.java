package dev.jtorch.nn;

import dev.jtorch.TorchException;
import java.util.List;

/**
 * A state dict did not fit a module: every missing and unexpected key and every shape mismatch,
 * in one message, as PyTorch's {@code load_state_dict} reports them.
 */
public final class StateDictException extends TorchException {
    private static final long serialVersionUID = 1L;

    private final List<String> missingKeys;
    private final List<String> unexpectedKeys;
    private final List<String> shapeMismatches;

    StateDictException(String module, List<String> missing, List<String> unexpected, List<String> mismatched,
                       boolean strict) {
        super(message(module, missing, unexpected, mismatched, strict));
        this.missingKeys = List.copyOf(missing);
        this.unexpectedKeys = List.copyOf(unexpected);
        this.shapeMismatches = List.copyOf(mismatched);
    }

    private static String message(String module, List<String> missing, List<String> unexpected,
                                  List<String> mismatched, boolean strict) {
        StringBuilder sb = new StringBuilder("error(s) loading state dict into ").append(module).append(':');
        if (strict && !missing.isEmpty()) {
            sb.append(" missing keys ").append(missing).append(';');
        }
        if (strict && !unexpected.isEmpty()) {
            sb.append(" unexpected keys ").append(unexpected).append(';');
        }
        if (!mismatched.isEmpty()) {
            sb.append(" shape mismatch ").append(String.join(", ", mismatched)).append(';');
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    /** Keys the module expected and the source lacked. */
    public List<String> missingKeys() {
        return missingKeys;
    }

    /** Keys the source had that the module does not. */
    public List<String> unexpectedKeys() {
        return unexpectedKeys;
    }

    /** One entry per mismatched key: {@code key: expected [..], got [..]}. */
    public List<String> shapeMismatches() {
        return shapeMismatches;
    }
}

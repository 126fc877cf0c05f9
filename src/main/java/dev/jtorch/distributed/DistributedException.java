package dev.jtorch.distributed;

import dev.jtorch.TorchException;

/**
 * A collective or the rendezvous failed: a peer is missing, died, or did not answer within the
 * group's timeout. The message names this rank, the operation and the likely cause; the group is
 * unusable afterwards and should be closed.
 */
public class DistributedException extends TorchException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure with our message and the native one.
     *
     * @param message what failed, on which rank, and why
     * @param cause the native failure, if any
     */
    public DistributedException(String message, Throwable cause) {
        super(message, cause instanceof TorchException t ? t.nativeMessage() : null,
                cause instanceof TorchException t ? t.detail() : null, cause);
    }
}

package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * Interleaves the channels of {@code [N, C, *]} across {@code groups} groups (ShuffleNet's shuffle:
 * {@code [N, g, C/g, *]} transposed to {@code [N, C/g, g, *]}), as PyTorch's {@code nn.ChannelShuffle}. No parameters.
 */
public final class ChannelShuffle extends ElementwiseActivation {
    private final long groups;

    /**
     * {@code nn.ChannelShuffle(groups)}.
     *
     * @throws IllegalArgumentException if {@code groups} is not positive
     */
    public ChannelShuffle(long groups) {
        super(x -> F.channelShuffle(x, groups), "groups=" + groups);
        if (groups < 1) {
            throw new IllegalArgumentException("ChannelShuffle: groups must be positive, got " + groups);
        }
        this.groups = groups;
    }

    /** The factor. */
    public long groups() {
        return groups;
    }
}

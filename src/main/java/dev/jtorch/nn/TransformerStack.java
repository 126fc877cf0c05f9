package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.function.Function;

/**
 * What {@link TransformerEncoder} and {@link TransformerDecoder} share: the {@code layers}, the
 * first given and the others copies of it (PyTorch deep-copies its layer), and the optional final
 * {@code norm}.
 */
abstract sealed class TransformerStack<L extends TransformerLayerBase> extends Module
        permits TransformerEncoder, TransformerDecoder {
    private final ModuleList<L> layers;
    private final LayerNorm norm;

    /**
     * Registers {@code first} as {@code layers.0}, {@code numLayers - 1} copies of it made by
     * {@code constructor}, then {@code norm} if it is not null.
     *
     * @param what the layer as the message names it ("an encoder layer")
     * @throws IllegalArgumentException if {@code numLayers < 1} or {@code first} is null
     */
    TransformerStack(L first, int numLayers, LayerNorm norm, String what,
                     Function<TransformerLayerOptions, L> constructor) {
        if (first == null || numLayers < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs " + what
                    + " and numLayers >= 1, got " + numLayers);
        }
        layers = register("layers", new ModuleList<>());
        layers.add(first);
        for (int i = 1; i < numLayers; i++) {
            layers.add(first.copy(constructor));
        }
        this.norm = norm == null ? null : register("norm", norm);
    }

    /**
     * An encoder's {@code forward(input, null, null, false)}: no masks, not causal. Not defined for a
     * decoder, which needs the encoder's memory.
     *
     * @throws UnsupportedOperationException for a decoder, naming {@code forward(tgt, memory)}
     */
    @Override
    public final Tensor forward(Tensor input) {
        if (this instanceof SourceEncoder encoder) {
            return encoder.forward(input, null, null, false);
        }
        throw MemoryDecoder.withoutMemory((MemoryDecoder) this);
    }

    /** {@code x} through the final norm, if there is one. */
    final Tensor finalNorm(Tensor x) {
        return norm == null ? x : norm.forward(x);
    }

    /** The layers. */
    public final ModuleList<L> layers() {
        return layers;
    }

    /** The final norm, or null. */
    public final LayerNorm norm() {
        return norm;
    }
}

package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.nn.init.Init;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import java.util.Objects;

/**
 * The encoder-decoder Transformer of "Attention Is All You Need", as PyTorch's {@code nn.Transformer}:
 * a {@link TransformerEncoder} of {@code numEncoderLayers} layers and a {@link TransformerDecoder} of
 * {@code numDecoderLayers}, each ending in a {@link LayerNorm}; state-dict keys {@code encoder.layers.0...},
 * {@code encoder.norm.weight}, {@code decoder.layers.0...}, {@code decoder.norm.weight}.
 *
 * <p>Shapes ({@code batchFirst}): {@code src [N, S, E]}, {@code tgt [N, T, E]}, output {@code [N, T, E]};
 * otherwise sequence first. As PyTorch, every weight matrix (every parameter of more than one
 * dimension) is re-initialised with Xavier-uniform after the layers are built, from the default
 * generator, so a seeded model equals PyTorch's. The model owns its layers until {@link #close()}.
 *
 * <pre>{@code
 * Transformer t = new Transformer(TransformerLayerOptions.of(512, 8).withBatchFirst(true), 6, 6);
 * Tensor out = t.forward(src, tgt, null, Transformer.generateSquareSubsequentMask(tgtLen), null, null, null, null);
 * }</pre>
 */
public final class Transformer extends Module {
    private final TransformerLayerOptions options;
    private final TransformerEncoder encoder;
    private final TransformerDecoder decoder;

    /** {@code nn.Transformer()}: d_model 512, 8 heads, 6 + 6 layers, feed-forward 2048, dropout 0.1, ReLU. */
    public Transformer() {
        this(TransformerLayerOptions.of(512, 8), 6, 6);
    }

    /**
     * {@code nn.Transformer(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
     * dropout, batch_first=...)}, with ReLU, post-norm and eps 1e-5.
     */
    public Transformer(long dModel, long nhead, int numEncoderLayers, int numDecoderLayers, long dimFeedforward,
                       double dropout, boolean batchFirst) {
        this(TransformerLayerOptions.of(dModel, nhead).withDimFeedforward(dimFeedforward).withDropout(dropout)
                .withBatchFirst(batchFirst), numEncoderLayers, numDecoderLayers);
    }

    /**
     * A Transformer whose encoder and decoder layers are configured by {@code layer}.
     *
     * @throws IllegalArgumentException if a layer count is below 1
     */
    public Transformer(TransformerLayerOptions layer, int numEncoderLayers, int numDecoderLayers) {
        this.options = Objects.requireNonNull(layer, "layer");
        long[] shape = {layer.dModel()};
        this.encoder = register("encoder", new TransformerEncoder(new TransformerEncoderLayer(layer), numEncoderLayers,
                new LayerNorm(shape, layer.layerNormEps(), true, layer.bias())));
        this.decoder = register("decoder", new TransformerDecoder(new TransformerDecoderLayer(layer), numDecoderLayers,
                new LayerNorm(shape, layer.layerNormEps(), true, layer.bias())));
        // PyTorch's _reset_parameters: xavier_uniform_ on every weight matrix, in parameter order
        for (Tensor p : parameters()) {
            if (p.dim() > 1) {
                Init.xavierUniform_(p);
            }
        }
    }

    /** {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)} without masks. */
    public Tensor forward(Tensor src, Tensor tgt) {
        return forward(src, tgt, null, null, null, null, null, null);
    }

    /**
     * {@code transformer(src, tgt, src_mask, tgt_mask, memory_mask, src_key_padding_mask,
     * tgt_key_padding_mask, memory_key_padding_mask)}: the encoder on {@code src}, then the decoder on
     * {@code tgt} attending to the encoder's output. Every mask may be null.
     *
     * @return the decoded sequence, shaped as {@code tgt}, owned by the current scope
     * @throws IllegalArgumentException if {@code src} and {@code tgt} differ in batch size or do not
     *     end in {@code dModel} features
     * @throws dev.jtorch.TorchException naming the layer if a mask does not fit
     * @throws IllegalStateException if no scope is open or the model is closed
     */
    public Tensor forward(Tensor src, Tensor tgt, Tensor srcMask, Tensor tgtMask, Tensor memoryMask,
                          Tensor srcKeyPaddingMask, Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask) {
        checkOpen();
        boolean batched = src.dim() == 3;
        int batchDim = options.batchFirst() ? 0 : 1;
        if (batched && tgt.dim() == 3 && src.size(batchDim) != tgt.size(batchDim)) {
            throw new IllegalArgumentException("Transformer: the batch number of src and tgt must be equal, got src "
                    + src.shape() + " and tgt " + tgt.shape());
        }
        if (src.size(src.dim() - 1) != options.dModel() || tgt.size(tgt.dim() - 1) != options.dModel()) {
            throw new IllegalArgumentException("Transformer: the feature number of src and tgt must be equal to d_model ("
                    + options.dModel() + "), got src " + src.shape() + " and tgt " + tgt.shape());
        }
        Tensor memory = encoder.forward(src, srcMask, srcKeyPaddingMask, false);
        return decoder.forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, false, false);
    }

    /**
     * Always throws: a Transformer needs the source and the target.
     *
     * @throws UnsupportedOperationException naming the overloads to call
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("Transformer takes (src, tgt): call forward(src, tgt) or "
                + "forward(src, tgt, srcMask, tgtMask, memoryMask, srcKeyPaddingMask, tgtKeyPaddingMask, memoryKeyPaddingMask)");
    }

    /** The encoder ({@code encoder}), owned by this model. */
    public TransformerEncoder encoder() {
        return encoder;
    }

    /** The decoder ({@code decoder}), owned by this model. */
    public TransformerDecoder decoder() {
        return decoder;
    }

    /** The configuration shared by the encoder and decoder layers. */
    public TransformerLayerOptions options() {
        return options;
    }

    /**
     * {@code nn.Transformer.generate_square_subsequent_mask(sz)}: a float32 {@code [sz, sz]} mask with
     * -inf above the diagonal and 0 elsewhere (each position attends to itself and earlier ones), on
     * the CPU; owned by the current scope.
     *
     * @throws IllegalArgumentException if {@code sz} is negative
     */
    public static Tensor generateSquareSubsequentMask(long sz) {
        if (sz < 0) {
            throw new IllegalArgumentException("generateSquareSubsequentMask: size must be non-negative, got " + sz);
        }
        return Tensor.full(Shape.of(sz, sz), Double.NEGATIVE_INFINITY, DType.FLOAT32, Device.CPU).triu(1);
    }
}

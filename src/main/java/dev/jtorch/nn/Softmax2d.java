package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Softmax over the channels at each spatial position, as PyTorch's {@code nn.Softmax2d}: input
 * {@code [N, C, H, W]} or {@code [C, H, W]}, normalised along {@code C}. No parameters.
 */
public final class Softmax2d extends Module {
    /**
     * Normalises along the channel dimension.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws TorchException naming this layer and the input shape if it is not 3-D or 4-D
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        if (input.dim() != 3 && input.dim() != 4) {
            throw new TorchException(this + ": expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got input of shape "
                    + input.shape());
        }
        return Layers.run(this, () -> F.softmax(input, -3));
    }
}

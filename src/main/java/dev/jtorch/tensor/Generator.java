package dev.jtorch.tensor;

import dev.jtorch.Device;
import dev.jtorch.internal.NativeGenerator;

/**
 * A random number generator of its own, as PyTorch's {@code torch.Generator}: random ops that
 * take a {@code generator} ({@code Tensor.randn(size, g)}, {@code randperm}, {@code bernoulli},
 * {@code multinomial}, {@code normal}, the in-place {@code uniform_}, {@code normal_}...) draw from
 * it instead of the global generator that {@link dev.jtorch.Torch#manualSeed(long)} seeds, so one
 * component's random stream does not depend on what else ran.
 *
 * <p>A CPU generator is libtorch's mt19937 engine: seeded alike, it gives PyTorch's numbers.
 * Ops on several threads may share one (libtorch locks it inside each kernel); seeding or
 * restoring it while another thread draws from it leaves that draw's numbers unspecified.
 *
 * <p>Owns a native object: close it (try-with-resources). Use after close throws
 * {@link IllegalStateException}; an op already running with it finishes first.
 */
public final class Generator implements AutoCloseable {
    private final NativeGenerator h;

    private Generator(NativeGenerator h) {
        this.h = h;
    }

    /** {@code torch.Generator()}: a CPU generator with libtorch's default seed (67280421310721). */
    public Generator() {
        this(NativeGenerator.create(Device.CPU));
    }

    /**
     * {@code torch.Generator(device)}: a generator for kernels on {@code device} (CUDA kernels
     * need a CUDA generator of their device).
     *
     * @throws UnsupportedOperationException for a CUDA device on a build or machine without CUDA
     * @throws IllegalArgumentException for a CUDA ordinal this process does not see
     */
    public Generator(Device device) {
        this(NativeGenerator.create(java.util.Objects.requireNonNull(device, "device")));
    }

    /** The device this generator serves. */
    public Device device() {
        return h.device();
    }

    /**
     * {@code manual_seed(seed)}: restarts the stream from {@code seed}.
     *
     * @return this generator
     */
    public Generator manualSeed(long seed) {
        h.manualSeed(seed);
        return this;
    }

    /** {@code seed()}: restarts the stream from a non-deterministic seed, which it returns. */
    public long seed() {
        return h.seed();
    }

    /** {@code initial_seed()}: the seed of the current stream. */
    public long initialSeed() {
        return h.initialSeed();
    }

    /**
     * {@code get_state()}: the generator's whole state as bytes, for {@link #setState(byte[])}
     * (PyTorch's {@code get_state()} tensor holds the same bytes).
     */
    public byte[] state() {
        return h.state();
    }

    /**
     * {@code set_state(state)}: continues from a state that {@link #state()} returned.
     *
     * @return this generator
     * @throws dev.jtorch.TorchException if {@code state} is not a state of this kind of generator
     */
    public Generator setState(byte[] state) {
        h.setState(java.util.Objects.requireNonNull(state, "state"));
        return this;
    }

    /** The native handle, for {@link Ops}. */
    NativeGenerator handle() {
        return h;
    }

    /** Frees the native generator. Idempotent. */
    @Override
    public void close() {
        h.close();
    }

    @Override
    public String toString() {
        return "Generator(device=" + h.device() + (h.isClosed() ? ", closed" : "") + ")";
    }
}

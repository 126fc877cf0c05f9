package dev.jtorch.internal;

import dev.jtorch.Device;
import java.util.function.Function;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * A random number generator of libtorch's ({@code at::Generator}) owned by Java: a CPU one
 * (mt19937 with its normal-sampling cache, as {@code torch.Generator()}) or a CUDA one (Philox).
 *
 * <p>libtorch locks the generator's own mutex inside every kernel that draws from it, so ops on
 * several threads may share one; this class only keeps the native object alive while a call uses
 * it ({@link Guarded}), and frees it on {@link #close()}.
 */
public final class NativeGenerator extends Guarded {
    static {
        NativeRuntime.ensureLoaded();
    }

    private final Generator generator;
    private final Device device;
    private final Handles.Token token;

    private NativeGenerator(Generator generator, Device device) {
        this.generator = generator;
        this.device = device;
        Handles.opened();
        this.token = Handles.track(this, "Generator(" + device + ")");
    }

    /**
     * A fresh generator on {@code device}, seeded with libtorch's default seed (67280421310721),
     * as {@code torch.Generator(device)}.
     *
     * @throws UnsupportedOperationException for a CUDA device without CUDA
     * @throws IllegalArgumentException for a CUDA ordinal this process does not see
     */
    public static NativeGenerator create(Device device) {
        if (device.isCuda()) {
            NativeCuda.checkDevice(device.index());
            return new NativeGenerator(Cuda.make(device.index()), device);
        }
        return new NativeGenerator(torch.make_generator_cpu(), device);
    }

    /** Kept apart so that the CUDA bindings link only when CUDA was found. */
    private static final class Cuda {
        static Generator make(int index) {
            return torch_cuda.make_generator_cuda((byte) index);
        }
    }

    /** The device whose kernels this generator feeds. */
    public Device device() {
        return device;
    }

    /** {@code manual_seed(seed)}: resets the stream (and a CPU generator's cached normal). */
    public void manualSeed(long seed) {
        use(g -> {
            g.set_current_seed(seed);
            return null;
        });
    }

    /** {@code seed()}: reseeds from a non-deterministic source and returns the seed. */
    public long seed() {
        return use(Generator::seed);
    }

    /** {@code initial_seed()}: the seed the stream started from. */
    public long initialSeed() {
        return use(Generator::current_seed);
    }

    /** {@code get_state()}: the full state as bytes (a CPU generator's is 5,056). */
    public byte[] state() {
        return use(NativeGenerator::stateOf);
    }

    /**
     * {@code set_state(state)}: restores a state from {@link #state()}; libtorch checks its size
     * (and, for a CPU generator, its layout) and refuses a wrong one.
     */
    public void setState(byte[] state) {
        use(g -> {
            setStateOf(g, state);
            return null;
        });
    }

    /** {@code torch.get_rng_state()}: the default CPU generator's state. */
    public static byte[] defaultCpuState() {
        try (Generator g = torch.getDefaultCPUGenerator()) {
            return stateOf(g);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "get_rng_state");
        }
    }

    /** {@code torch.set_rng_state(state)}: restores the default CPU generator. */
    public static void setDefaultCpuState(byte[] state) {
        try (Generator g = torch.getDefaultCPUGenerator()) {
            setStateOf(g, state);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "set_rng_state");
        }
    }

    private static byte[] stateOf(Generator g) {
        try (Tensor t = g.get_state()) {
            byte[] out = new byte[(int) t.numel()];
            t.data_ptr_byte().get(out);
            return out;
        }
    }

    private static void setStateOf(Generator g, byte[] state) {
        NativeTensor t = NativeTensor.ofUnsigned(state, new long[] {state.length}, dev.jtorch.DType.UINT8, Device.CPU);
        try {
            Tensor bytes = t.acquire();
            try {
                g.set_state(bytes);
            } finally {
                t.release();
            }
        } finally {
            t.close();
        }
    }

    /**
     * The generator as a dispatcher argument; the caller holds it ({@link #acquire()}) until the
     * stack that carries the value is cleared.
     */
    IValue ivalue() {
        return new IValue(generator);
    }

    /** Counts a use that keeps the native object alive; pair with {@link #release()}. */
    void acquire() {
        enter();
    }

    void release() {
        exit();
    }

    private <R> R use(Function<Generator, R> f) {
        enter();
        try {
            return f.apply(generator);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "Generator(" + device + ")");
        } finally {
            exit();
        }
    }

    @Override
    protected void free() {
        generator.close();
        if (token != null) {
            token.release();
        }
        Handles.closed();
    }

    @Override
    protected IllegalStateException usedAfterClose() {
        return new IllegalStateException("Generator(" + device + ") used after close()");
    }
}

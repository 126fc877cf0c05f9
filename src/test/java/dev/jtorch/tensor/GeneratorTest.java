package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Generator}, PyTorch's {@code torch.Generator}. The expected numbers are PyTorch 1.13's for
 * the same calls on one generator in this order:
 * <pre>{@code
 * g = torch.Generator().manual_seed(42)
 * torch.rand(5, generator=g); torch.randn(5, generator=g); torch.randn(20, generator=g)[:4]
 * torch.randperm(10, generator=g); torch.randint(0, 10, (6,), generator=g)
 * torch.zeros(4).uniform_(-1, 1, generator=g); torch.multinomial(torch.tensor([.1, .2, .7]), 5, True, generator=g)
 * }</pre>
 */
@ExtendWith(NoLeaks.class)
class GeneratorTest {
    @Test
    void aSeededCpuGeneratorGivesPyTorchsNumbers() {
        try (Generator g = new Generator().manualSeed(42); TensorScope s = TensorScope.open()) {
            assertArrayEquals(new float[] {0.8822692632675171f, 0.9150039553642273f, 0.38286375999450684f,
                0.9593056440353394f, 0.3904482126235962f}, Tensor.rand(new long[] {5}, g).toFloatArray(), 0f);
            assertArrayEquals(new float[] {0.3257518708705902f, -0.8676281571388245f, 1.5231338739395142f,
                0.6646648645401001f, -1.0324476957321167f}, Tensor.randn(new long[] {5}, g).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {-0.1595974713563919f, -0.4973975419998169f, 0.439589262008667f,
                -0.7581311464309692f}, Tensor.randn(new long[] {20}, g).narrow(0, 0, 4).toFloatArray(), 1e-6f);
            assertArrayEquals(new long[] {9, 8, 5, 0, 6, 1, 4, 3, 2, 7}, Tensor.randperm(10, g).toLongArray());
            assertArrayEquals(new long[] {0, 0, 0, 1, 3, 0}, Tensor.randint(0, 10, new long[] {6}, g).toLongArray());
            assertArrayEquals(new float[] {-0.5963979959487915f, -0.5964339971542358f, 0.8994427919387817f,
                0.33325111865997314f}, Tensor.zeros(4).uniform_(-1, 1, g).toFloatArray(), 1e-6f);
            assertArrayEquals(new long[] {2, 0, 2, 2, 2},
                    Tensor.of(new float[] {0.1f, 0.2f, 0.7f}, 3).multinomial(5, true, g).toLongArray());
        }
    }

    @Test
    void itsStreamIsIndependentOfTheGlobalGenerator() {
        try (Generator g = new Generator().manualSeed(1); TensorScope s = TensorScope.open()) {
            Torch.manualSeed(7);
            Tensor a = Tensor.rand(6);
            Torch.manualSeed(7);
            Tensor.rand(new long[] {100}, g); // draws from g only
            assertTrue(a.equal(Tensor.rand(6)), "the global stream did not move");

            g.manualSeed(1);
            Tensor x = Tensor.randn(new long[] {8}, g);
            Torch.manualSeed(123);
            Tensor.randn(50); // the global generator does not move g
            g.manualSeed(1);
            assertTrue(x.equal(Tensor.randn(new long[] {8}, g)));
        }
    }

    @Test
    void seedsAndStatesRoundTrip() {
        try (Generator g = new Generator(); Generator other = new Generator(); TensorScope s = TensorScope.open()) {
            assertEquals(Device.CPU, g.device());
            assertEquals(67280421310721L, g.initialSeed(), "libtorch's default seed, as torch.Generator()");
            assertEquals(7, g.manualSeed(7).initialSeed());
            long fresh = g.seed();
            assertEquals(fresh, g.initialSeed());

            byte[] state = g.state();
            assertEquals(5056, state.length, "mt19937 plus the normal caches, as PyTorch's get_state()");
            Tensor first = Tensor.randn(new long[] {17}, g); // odd length: leaves a cached normal behind
            Tensor second = Tensor.randn(new long[] {3}, g);
            other.setState(state);
            assertTrue(first.equal(Tensor.randn(new long[] {17}, other)));
            assertTrue(second.equal(Tensor.randn(new long[] {3}, other)));

            TorchException e = assertThrows(TorchException.class, () -> g.setState(new byte[] {1, 2, 3}));
            assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("state"), e.getMessage());
            assertArrayEquals(g.state(), g.state(), "a refused state changed nothing");
        }
    }

    @Test
    void theGlobalGeneratorsStateRoundTrips() {
        try (TensorScope s = TensorScope.open()) {
            Torch.manualSeed(42);
            byte[] state = Torch.rngState();
            assertEquals(5056, state.length);
            Tensor a = Tensor.rand(5);
            Torch.setRngState(state);
            assertTrue(a.equal(Tensor.rand(5)), "torch.set_rng_state(torch.get_rng_state()) replays the stream");
            try (Generator g = new Generator().manualSeed(42)) {
                assertArrayEquals(state, g.state(), "the same seed, the same state as a fresh generator");
            }
            assertThrows(TorchException.class, () -> Torch.setRngState(new byte[10]));
        }
    }

    @Test
    void useAfterCloseThrowsAndCloseIsIdempotent() {
        Generator g = new Generator().manualSeed(3);
        g.close();
        g.close();
        assertThrows(IllegalStateException.class, () -> g.manualSeed(1));
        assertThrows(IllegalStateException.class, g::state);
        try (TensorScope s = TensorScope.open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.rand(new long[] {3}, g));
            assertTrue(e.getMessage().contains("Generator"), e.getMessage());
        }
        assertTrue(g.toString().contains("closed"));
    }

    @Test
    void threadsMayShareOneGenerator() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Generator g = new Generator().manualSeed(9)) {
            @SuppressWarnings("unchecked")
            Future<Double>[] sums = new Future[8];
            for (int i = 0; i < sums.length; i++) {
                sums[i] = pool.submit(() -> {
                    try (TensorScope s = TensorScope.open()) {
                        double total = 0;
                        for (int k = 0; k < 200; k++) {
                            total += Tensor.rand(new long[] {64}, g).sum().item();
                        }
                        return total;
                    }
                });
            }
            double all = 0;
            for (Future<Double> f : sums) {
                all += f.get();
            }
            // 8 x 200 x 64 uniform draws: mean 0.5 within a few standard errors
            assertEquals(0.5, all / (8 * 200 * 64), 0.01);
        } finally {
            pool.shutdown();
        }
    }
}

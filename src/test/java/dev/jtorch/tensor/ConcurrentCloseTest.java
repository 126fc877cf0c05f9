package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.nn.BatchNorm1d;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.SGD;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Closing a tensor, module or optimizer while another thread uses it: the use completes or throws
 * {@link IllegalStateException}, never crashes, and nothing leaks.
 */
@ExtendWith(NoLeaks.class)
class ConcurrentCloseTest {
    private static final int ROUNDS = 300;

    /** Runs {@code use} in a loop on a worker until it throws, while this thread runs {@code close}. */
    private static void race(Random rnd, Runnable use, Runnable close) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            started.countDown();
            try {
                for (int i = 0; i < 100_000; i++) {
                    try (TensorScope s = TensorScope.open()) {
                        use.run();
                    }
                }
                failure.set(new AssertionError("the use never saw the close"));
            } catch (IllegalStateException expected) {
                // the close came first
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        started.await();
        LockSupport.parkNanos(rnd.nextInt(200_000));
        close.run();
        worker.join(60_000);
        if (worker.isAlive()) {
            fail("worker did not stop after the close");
        }
        if (failure.get() != null) {
            throw new AssertionError("use failed with something other than IllegalStateException", failure.get());
        }
    }

    @Test
    void closingATensorInUse() throws InterruptedException {
        Random rnd = new Random(1);
        long base = Torch.liveHandles();
        for (int r = 0; r < ROUNDS; r++) {
            Tensor x;
            Tensor y;
            try (TensorScope s = TensorScope.open()) {
                x = s.keep(Tensor.randn(64, 8));
                y = s.keep(Tensor.randn(64, 8));
            }
            int kind = r % 3;
            race(rnd, () -> {
                switch (kind) {
                    case 0 -> x.add(y);
                    case 1 -> x.cumsum(0L);
                    default -> x.toFloatArray();
                }
            }, x::close);
            y.close();
        }
        assertEquals(base, Torch.liveHandles());
    }

    @Test
    void closingAModuleInForward() throws InterruptedException {
        Random rnd = new Random(2);
        for (int r = 0; r < ROUNDS / 3; r++) {
            // Java-side forward, native module forward, and the native functional fast paths (conv, pooling)
            Module m = r % 3 == 0 ? new Linear(8, 4) : r % 3 == 1 ? new BatchNorm1d(8)
                    : dev.jtorch.nn.Sequential.of(new dev.jtorch.nn.Conv2d(1, 4, 3), new dev.jtorch.nn.MaxPool2d(2));
            Tensor x;
            try (TensorScope s = TensorScope.open()) {
                x = s.keep(r % 3 == 2 ? Tensor.randn(2, 1, 8, 8) : Tensor.randn(16, 8));
            }
            race(rnd, () -> m.forward(x), m::close);
            x.close();
        }
    }

    @Test
    void closingAnOptimizerInStep() throws InterruptedException {
        Random rnd = new Random(3);
        for (int r = 0; r < ROUNDS / 3; r++) {
            try (Linear m = new Linear(8, 4)) {
                SGD opt = new SGD(m.parameters(), dev.jtorch.optim.SGDOptions.lr(0.01).withMomentum(0.9));
                try (TensorScope s = TensorScope.open()) {
                    m.forward(Tensor.randn(16, 8)).sum().backward();
                }
                race(rnd, opt::step, opt::close);
            }
        }
    }

    @Test
    void stepAfterTheModuleWasClosedThrows() {
        Linear m = new Linear(8, 4);
        try (SGD opt = new SGD(m.parameters(), 0.01)) {
            try (TensorScope s = TensorScope.open()) {
                m.forward(Tensor.randn(16, 8)).sum().backward();
            }
            opt.step();
            m.close();
            assertThrows(IllegalStateException.class, opt::step);
        }
    }

    @Test
    void closingAScriptModuleInForward() throws Exception {
        Random rnd = new Random(4);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("cc", ".pt");
        try (java.io.InputStream in = getClass().getResourceAsStream("/torchscript/simple_traced.pt")) {
            java.nio.file.Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            for (int r = 0; r < ROUNDS / 10; r++) {
                dev.jtorch.io.ScriptModule m = dev.jtorch.io.ScriptModule.load(file);
                Tensor x;
                try (TensorScope s = TensorScope.open()) {
                    x = s.keep(Tensor.randn(4, 784));
                }
                race(rnd, () -> m.forward(x), m::close);
                x.close();
            }
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void closingATensorBeingSaved() throws InterruptedException {
        Random rnd = new Random(5);
        for (int r = 0; r < ROUNDS / 3; r++) {
            Tensor x;
            try (TensorScope s = TensorScope.open()) {
                x = s.keep(Tensor.randn(256, 64));
            }
            race(rnd, () -> dev.jtorch.io.StateDicts.toBytes(java.util.Map.of("x", x)), x::close);
        }
    }
}

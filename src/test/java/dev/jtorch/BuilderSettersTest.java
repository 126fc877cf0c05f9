package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.data.DataLoader;
import dev.jtorch.data.TensorLoader;
import dev.jtorch.nn.Linear;
import dev.jtorch.optim.SGD;
import dev.jtorch.serve.Predictor;
import dev.jtorch.serve.http.JtorchServer;
import dev.jtorch.train.Fit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The builders' plain setters, called from outside their packages: they are generated into
 * package-private classes the builders extend (src/generator/resources/builder_setters.tsv), and
 * must stay the builders' own public methods, with their checks, for other packages.
 */
class BuilderSettersTest {
    @Test
    void settersChainAndReturnTheBuilder() {
        Predictor.Builder p = Predictor.builder(null);
        assertSame(p, p.device(Device.CPU).maxBatch(8).maxWait(Duration.ZERO).queueCapacity(4)
                .timeout(Duration.ofSeconds(1)).workers(2).batching(false).inputShape(1, 2, 2).workers(1));
        JtorchServer.Options o = new JtorchServer.Options();
        assertSame(o, o.host("localhost").port(0).threads(2).connectionThreads(2).maxBodyBytes(10).maxBatchImages(3)
                .maxPixels(100).headerTimeout(Duration.ofSeconds(1)).bodyTimeout(Duration.ofSeconds(1))
                .writeTimeout(Duration.ofSeconds(1)).idleTimeout(Duration.ofSeconds(1)).maxConnections(5)
                .stopGrace(Duration.ZERO).modelName("m").threads(1));
    }

    @Test
    void settersKeepTheirChecksAndMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Predictor.builder(null).maxBatch(0));
        assertEquals("maxBatch must be at least 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Predictor.builder(null).maxWait(Duration.ofMillis(-1)));
        assertEquals("maxWait must be zero or positive, got PT-0.001S", e.getMessage());
        assertThrows(NullPointerException.class, () -> Predictor.builder(null).device(null));
        e = assertThrows(IllegalArgumentException.class, () -> new JtorchServer.Options().maxBodyBytes(0));
        assertEquals("maxBodyBytes must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new JtorchServer.Options().idleTimeout(Duration.ZERO));
        assertEquals("idleTimeout must be positive, got PT0S", e.getMessage());
        try (Linear model = new Linear(2, 2); SGD opt = new SGD(model.parameters(), 0.1)) {
            e = assertThrows(IllegalArgumentException.class, () -> Fit.builder(model, opt).firstEpoch(0));
            assertEquals("firstEpoch must be at least 1, got 0", e.getMessage());
            NullPointerException npe = assertThrows(NullPointerException.class, () -> Fit.builder(model, opt).train(null));
            assertEquals("loader", npe.getMessage());
            assertSame(Fit.Builder.class, Fit.builder(model, opt).scheduler(null).validation((Fit.Validation) null)
                    .epochs(3).getClass());
        }
    }

    @Test
    void settersArePublicMethodsOfTheBuilders() throws Throwable {
        for (Class<?> builder : new Class<?>[] {Predictor.Builder.class, JtorchServer.Options.class, Fit.Builder.class}) {
            for (Method m : builder.getMethods()) {
                if (m.getDeclaringClass() != Object.class && !m.getName().equals("build") && !m.getName().equals("run")) {
                    // javac's public bridge in the builder: the builder's own method for callers and reflection
                    assertEquals(builder, m.getDeclaringClass(), m.toString());
                    assertEquals(builder, m.getReturnType(), m.toString());
                }
            }
            // the generated superclass is package-private: not part of the API
            assertFalse(Modifier.isPublic(builder.getSuperclass().getModifiers()));
        }
        var workers = MethodHandles.publicLookup().findVirtual(Predictor.Builder.class, "workers",
                MethodType.methodType(Predictor.Builder.class, int.class));
        Predictor.Builder b = Predictor.builder(null);
        assertSame(b, workers.invoke(b, 2));
        Method threads = JtorchServer.Options.class.getMethod("threads", int.class);
        JtorchServer.Options o = new JtorchServer.Options();
        assertSame(o, threads.invoke(o, 3));
        for (Class<?> loader : new Class<?>[] {DataLoader.Builder.class, TensorLoader.Builder.class}) {
            Method seed = loader.getMethod("seed", long.class);
            assertEquals(loader, seed.getDeclaringClass());
            assertTrue(Modifier.isPublic(seed.getModifiers()));
        }
    }
}

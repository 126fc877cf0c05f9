package dev.jtorch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jtorch.Torch;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlasTest {
    private static final Set<String> ZEN5 = Set.of("avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq",
            "avx512vl", "avx512_bf16");
    private static final Set<String> SKYLAKE_SP = Set.of("avx2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    private static final Set<String> AVX2_ONLY = Set.of("avx", "avx2", "fma");

    @Test
    void aPreAvx512KernelOnAnAvx512CpuIsReplaced() {
        assertEquals("Cooperlake", Blas.override("Haswell", ZEN5));
        assertEquals("Cooperlake", Blas.override("ZEN", ZEN5));
        assertEquals("SkylakeX", Blas.override("Haswell", SKYLAKE_SP));
    }

    @Test
    void anAvx512KernelOrAnAvx2CpuIsLeftAlone() {
        assertNull(Blas.override("SkylakeX", ZEN5));
        assertNull(Blas.override("cooperlake", ZEN5));
        assertNull(Blas.override("Haswell", AVX2_ONLY));
        // AVX-512F alone (Knights Landing) lacks what the SkylakeX kernels use
        assertNull(Blas.override("Haswell", Set.of("avx2", "avx512f", "avx512cd")));
    }

    @Test
    void theLoadedOpenBlasReportsItsKernel() {
        String core = Torch.blasCore();
        assertNotEquals("unknown", core.substring(0, core.indexOf(' ')), core);
        String env = System.getenv("OPENBLAS_CORETYPE");
        String prop = System.getProperty(Blas.PROPERTY, "auto");
        assumeTrue(env != null && prop.equals("auto") && Blas.override(env, Blas.cpuFlags()) != null,
                "only where the environment pins an AVX2 kernel on an AVX-512 CPU");
        assertTrue(core.startsWith(Blas.override(env, Blas.cpuFlags())), core);
    }
}

package dev.jtorch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jtorch.Torch;
import dev.jtorch.models.Architecture;
import org.junit.jupiter.api.Test;

class ThreadPlanTest {
    @Test
    void onePoolGetsTheCoresNeverBoth() {
        for (Architecture a : Architecture.values()) {
            for (int b : new int[] {1, 64, 255, 256, 512, 4096}) {
                for (int c = 1; c <= 8; c++) {
                    ThreadPlan p = ThreadPlan.forTraining(a, b, c);
                    assertEquals(1, Math.min(p.intraOp(), p.blas()), p.toString());
                    assertEquals(c == 1 ? 1 : Math.max(p.intraOp(), p.blas()) == 1 ? 1 : c,
                            Math.max(p.intraOp(), p.blas()), p.toString());
                }
            }
        }
    }

    @Test
    void followsTheMeasuredRules() {
        assertPlan(1, 1, ThreadPlan.forTraining(Architecture.CNN, 64, 1));
        assertPlan(2, 1, ThreadPlan.forTraining(Architecture.CNN, 64, 2));
        assertPlan(1, 1, ThreadPlan.forTraining(Architecture.MLP, 64, 2));
        assertPlan(1, 1, ThreadPlan.forTraining(Architecture.MLP, 512, 2));
        assertPlan(1, 2, ThreadPlan.forTraining(Architecture.MLP, 2048, 2));
        System.setProperty(ThreadPlan.PROPERTY, "2,1");
        try {
            assertEquals(2, ThreadPlan.forTraining(Architecture.MLP, 64, 2).intraOp());
            System.setProperty(ThreadPlan.PROPERTY, "two");
            assertThrows(IllegalArgumentException.class, () -> ThreadPlan.forTraining(Architecture.MLP, 64, 2));
        } finally {
            System.clearProperty(ThreadPlan.PROPERTY);
        }
        assertThrows(IllegalArgumentException.class, () -> ThreadPlan.forTraining(Architecture.MLP, 64, 0));
    }

    @Test
    void applySetsBothPoolsAndSetNumThreadsResetsOpenBlas() {
        int before = Torch.numThreads();
        try {
            new ThreadPlan(1, 2, "test").apply();
            assertEquals(1, Torch.numThreads());
            assertEquals(2, Torch.blasThreads());
            Torch.setNumThreads(2);
            assertEquals(1, Torch.blasThreads());
        } finally {
            Torch.setNumThreads(before);
        }
    }

    private static void assertPlan(int intraOp, int blas, ThreadPlan plan) {
        assertEquals(intraOp, plan.intraOp(), plan.why());
        assertEquals(blas, plan.blas(), plan.why());
    }
}

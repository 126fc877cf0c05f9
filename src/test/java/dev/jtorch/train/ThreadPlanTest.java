package dev.jtorch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Torch;
import dev.jtorch.models.Architecture;
import org.junit.jupiter.api.Test;

class ThreadPlanTest {
    @Test
    void oneWayGetsTheCoresNeverTwo() {
        for (Architecture a : Architecture.values()) {
            for (int b : new int[] {1, 31, 32, 47, 64, 255, 256, 512, 4096}) {
                for (int c = 1; c <= 8; c++) {
                    ThreadPlan p = ThreadPlan.forTraining(a, b, c);
                    int[] ways = {p.intraOp(), p.blas(), p.split()};
                    java.util.Arrays.sort(ways);
                    assertEquals(1, ways[0], p.toString());
                    assertEquals(1, ways[1], p.toString());
                    assertTrue(ways[2] <= c, p.toString());
                    assertTrue(p.split() == 1 || b / p.split() >= 16, "parts of at least 16 samples: " + p);
                }
            }
        }
    }

    @Test
    void followsTheMeasuredRules() {
        assertPlan(1, 1, 1, ThreadPlan.forTraining(Architecture.CNN, 64, 1));
        assertPlan(1, 1, 2, ThreadPlan.forTraining(Architecture.CNN, 64, 2));
        assertPlan(1, 1, 2, ThreadPlan.forTraining(Architecture.CIFAR_CNN, 32, 2));
        assertPlan(1, 1, 1, ThreadPlan.forTraining(Architecture.CNN, 31, 2));
        assertPlan(1, 1, 3, ThreadPlan.forTraining(Architecture.CNN, 48, 4));
        assertPlan(1, 1, 4, ThreadPlan.forTraining(Architecture.CNN, 512, 4));
        assertPlan(1, 1, 1, ThreadPlan.forTraining(Architecture.MLP, 64, 2));
        assertPlan(1, 1, 1, ThreadPlan.forTraining(Architecture.MLP, 512, 2));
        assertPlan(1, 2, 1, ThreadPlan.forTraining(Architecture.MLP, 2048, 2));
        System.setProperty(ThreadPlan.PROPERTY, "2,1");
        try {
            assertPlan(2, 1, 1, ThreadPlan.forTraining(Architecture.MLP, 64, 2));
            System.setProperty(ThreadPlan.PROPERTY, "1, 1, 3");
            assertPlan(1, 1, 3, ThreadPlan.forTraining(Architecture.MLP, 64, 2));
            for (String bad : new String[] {"two", "1,1,0", "1,1,1,1", "1"}) {
                System.setProperty(ThreadPlan.PROPERTY, bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ThreadPlan.forTraining(Architecture.MLP, 64, 2));
                assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            }
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
            new ThreadPlan(1, 2, 1, "test").apply();
            assertEquals(1, Torch.numThreads());
            assertEquals(2, Torch.blasThreads());
            Torch.setNumThreads(2);
            assertEquals(1, Torch.blasThreads());
        } finally {
            Torch.setNumThreads(before);
        }
    }

    private static void assertPlan(int intraOp, int blas, int split, ThreadPlan plan) {
        assertEquals(intraOp, plan.intraOp(), plan.why());
        assertEquals(blas, plan.blas(), plan.why());
        assertEquals(split, plan.split(), plan.why());
    }
}

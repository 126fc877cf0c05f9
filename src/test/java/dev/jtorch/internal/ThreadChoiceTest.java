package dev.jtorch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The inference thread choice (the TorchScript copy's, a predictor's eager model's) follows the
 * times of the calls themselves: it starts from its seed (or times both ways first), tries the
 * other way once in {@link ThreadChoice#EXPLORE_EVERY} calls, and changes sides when the other way
 * has become faster.
 */
class ThreadChoiceTest {
    /** Runs {@code calls} calls in which one thread takes {@code one} ns and the intra-op threads {@code many}. */
    private static int[] run(ThreadChoice c, int calls, long one, long many) {
        int[] ways = new int[2]; // [calls on one thread, calls on the threads]
        for (int i = 0; i < calls; i++) {
            boolean oneThread = c.next();
            ways[oneThread ? 0 : 1]++;
            c.record(oneThread, oneThread ? one : many);
        }
        return ways;
    }

    @Test
    void startsFromTheSeedAndTriesTheOtherWayRarely() {
        ThreadChoice c = new ThreadChoice(10_000, 5_000, null);
        assertTrue(c.preferOne());
        int[] ways = run(c, 320, 5_000, 10_000);
        assertEquals(10, ways[1], "the threads once in 32 calls");
        assertTrue(c.preferOne());
    }

    @Test
    void changesSidesWhenTheOtherWayBecomesFaster() {
        ThreadChoice c = new ThreadChoice(10_000, 5_000, null); // a bad first look
        run(c, 32 * 20, 5_000, 2_000); // the threads are in fact much faster
        assertFalse(c.preferOne(), "after the other way's times came in");
        int[] ways = run(c, 320, 5_000, 2_000);
        assertEquals(310, ways[1], "now mostly on the threads, one thread once in 32 calls");
    }

    @Test
    void theThreadsMustWinClearly() {
        ThreadChoice c = new ThreadChoice(4_800, 5_000, null); // 4% faster
        assertTrue(c.preferOne(), "one thread unless the threads are at least 10% faster");
    }

    @Test
    void aForcedChoiceNeverExplores() {
        ThreadChoice c = new ThreadChoice(0, 0, true);
        assertEquals(320, run(c, 320, 9_000, 1_000)[0]);
    }

    @Test
    void anUnseededChoiceTimesBothWaysFirst() {
        ThreadChoice u = new ThreadChoice();
        assertFalse(u.next(), "the first call runs on the threads");
        u.record(false, 9_000);
        assertTrue(u.next(), "the second on one thread");
        u.record(true, 5_000);
        assertTrue(u.preferOne());
        int[] ways = run(u, 320, 5_000, 9_000);
        assertEquals(10, ways[1], "then the faster way, the other once in 32 calls");
    }

    /** Without a choice (one intra-op thread) a call runs as it is. */
    @Test
    void noChoiceRunsTheCallAsItIs() {
        assertEquals("x", ThreadChoice.call(null, () -> "x"));
    }
}

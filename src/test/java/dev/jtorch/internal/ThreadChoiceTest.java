package dev.jtorch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The TorchScript inference copy's thread choice follows the times of the calls themselves: it
 * starts from its seed, tries the other way once in {@link NativeScript.ThreadChoice#EXPLORE_EVERY}
 * calls, and changes sides when the other way has become faster.
 */
class ThreadChoiceTest {
    /** Runs {@code calls} calls in which one thread takes {@code one} ns and the intra-op threads {@code many}. */
    private static int[] run(NativeScript.ThreadChoice c, int calls, long one, long many) {
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
        NativeScript.ThreadChoice c = new NativeScript.ThreadChoice(10_000, 5_000, null);
        assertTrue(c.preferOne());
        int[] ways = run(c, 320, 5_000, 10_000);
        assertEquals(10, ways[1], "the threads once in 32 calls");
        assertTrue(c.preferOne());
    }

    @Test
    void changesSidesWhenTheOtherWayBecomesFaster() {
        NativeScript.ThreadChoice c = new NativeScript.ThreadChoice(10_000, 5_000, null); // a bad first look
        run(c, 32 * 20, 5_000, 2_000); // the threads are in fact much faster
        assertFalse(c.preferOne(), "after the other way's times came in");
        int[] ways = run(c, 320, 5_000, 2_000);
        assertEquals(310, ways[1], "now mostly on the threads, one thread once in 32 calls");
    }

    @Test
    void theThreadsMustWinClearly() {
        NativeScript.ThreadChoice c = new NativeScript.ThreadChoice(4_800, 5_000, null); // 4% faster
        assertTrue(c.preferOne(), "one thread unless the threads are at least 10% faster");
    }

    @Test
    void aForcedChoiceNeverExplores() {
        NativeScript.ThreadChoice c = new NativeScript.ThreadChoice(0, 0, true);
        assertEquals(320, run(c, 320, 9_000, 1_000)[0]);
    }
}

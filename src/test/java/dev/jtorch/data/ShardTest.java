package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** DistributedSampler semantics of {@link DataLoader.Builder#shard(int, int)}. */
@ExtendWith(NoLeaks.class)
class ShardTest {
    @Test
    void padsLikeDistributedSamplerAndInterleaves() {
        int[] perm = {7, 3, 9, 0, 5, 1, 8, 2, 6, 4};
        // padded to 12 by repeating the start (7, 3); rank r takes r, r+3, r+6, r+9
        assertArrayEquals(new int[] {7, 0, 8, 4}, Sampler.shard(perm, 0, 3));
        assertArrayEquals(new int[] {3, 5, 2, 7}, Sampler.shard(perm, 1, 3));
        assertArrayEquals(new int[] {9, 1, 6, 3}, Sampler.shard(perm, 2, 3));
        // fewer samples than shards: the permutation repeats
        assertArrayEquals(new int[] {1}, Sampler.shard(new int[] {4, 1}, 1, 4));
        assertArrayEquals(new int[] {1}, Sampler.shard(new int[] {4, 1}, 3, 4));
    }

    @Test
    void ranksTogetherHoldTheSingleProcessGlobalBatch() {
        Dataset d = DataLoaderTest.synthetic(96);
        int world = 3;
        int b = 4;
        try (DataLoader one = DataLoader.builder(d).batchSize(world * b).shuffle(true).seed(5).build()) {
            int[] global = one.sampler().indices(2);
            assertArrayEquals(one.sampler().permutation(2), global);
            int[][] shards = new int[world][];
            for (int r = 0; r < world; r++) {
                try (DataLoader l = DataLoader.builder(d).batchSize(b).shuffle(true).seed(5).shard(r, world).build()) {
                    shards[r] = l.sampler().indices(2);
                    assertEquals(one.numBatches(), l.numBatches(), "every rank takes the global number of steps");
                    assertEquals(32, l.sampler().samplesPerEpoch());
                    assertEquals(new Sampler(96, true, 5, b, false, r, world), l.sampler());
                }
            }
            for (int k = 0; k < one.numBatches(); k++) {
                int[] expected = Arrays.copyOfRange(global, k * world * b, (k + 1) * world * b);
                int[] union = new int[world * b];
                for (int r = 0; r < world; r++) {
                    System.arraycopy(shards[r], k * b, union, r * b, b);
                }
                Arrays.sort(expected);
                Arrays.sort(union);
                assertArrayEquals(expected, union, "batch " + k);
            }
        }
    }

    @Test
    void badShardIsRefused() {
        Dataset d = DataLoaderTest.synthetic(4);
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).shard(2, 2).build());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).shard(0, 0).build());
    }

    @Test
    void samplerRejectsRanksOutsideItsShardsAndEmptyBatches() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Sampler(10, false, 0, 2, false, 3, 3));
        assertTrue(e.getMessage().contains("rank 3 of 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Sampler(10, false, 0, 0, false, 0, 1));
        assertTrue(e.getMessage().contains("batchSize 0"), e.getMessage());
    }
}

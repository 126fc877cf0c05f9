package dev.jtorch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArgsTest {
    @Test
    void aValueInRangeComesBackUnchanged() {
        assertEquals(1, Args.atLeastOne(1, "workers"));
        assertEquals(7, Args.positive(7, "maxBatchImages"));
        assertEquals(8L << 20, Args.positive(8L << 20, "maxBodyBytes"));
        assertEquals(Duration.ofMillis(1), Args.positive(Duration.ofMillis(1), "timeout"));
        assertEquals(Duration.ZERO, Args.notNegative(Duration.ZERO, "maxWait"));
    }

    @Test
    void aRefusalNamesTheSettingAndTheValue() {
        assertEquals("workers must be at least 1, got 0", refusal(() -> Args.atLeastOne(0, "workers")));
        assertEquals("maxBatchImages must be positive, got -3", refusal(() -> Args.positive(-3, "maxBatchImages")));
        assertEquals("maxBodyBytes must be positive, got 0", refusal(() -> Args.positive(0L, "maxBodyBytes")));
        assertEquals("timeout must be positive, got PT0S", refusal(() -> Args.positive(Duration.ZERO, "timeout")));
        assertEquals("timeout must be positive, got null", refusal(() -> Args.positive((Duration) null, "timeout")));
        assertEquals("maxWait must be zero or positive, got PT-1S",
                refusal(() -> Args.notNegative(Duration.ofSeconds(-1), "maxWait")));
        assertEquals("maxWait must be zero or positive, got null", refusal(() -> Args.notNegative(null, "maxWait")));
    }

    private static String refusal(Runnable call) {
        return assertThrows(IllegalArgumentException.class, call::run).getMessage();
    }
}

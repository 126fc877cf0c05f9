package dev.jtorch.io;

import java.io.IOException;

/**
 * A consumer that may throw {@link IOException}, such as the body of {@link AtomicFiles#write}.
 *
 * @param <T> what it consumes
 */
@FunctionalInterface
public interface IOConsumer<T> {
    /**
     * Consumes {@code value}.
     *
     * @throws IOException when writing fails; {@link AtomicFiles#write} then leaves the target untouched
     */
    void accept(T value) throws IOException;
}

package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @ExtendWith(NoLeaks.class)}: every test must leave {@link Torch#liveHandles()} where it
 * found it. Checked after the class's own {@code @AfterEach} methods, so those may close scopes and
 * modules first.
 */
public final class NoLeaks implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeaks.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        Torch.init();
        context.getStore(NS).put("handles", Torch.liveHandles());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        long before = context.getStore(NS).get("handles", Long.class);
        assertEquals(before, Torch.liveHandles(), "native handles leaked by the test");
    }
}

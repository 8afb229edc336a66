package dev.layerwise.testing;

import dev.layerwise.kernel.Parallel;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs each test of a class with two kernel threads ({@link Parallel#setThreads}), whatever the machine has, and sets
 * the count back afterwards: {@code @ExtendWith(TwoKernelThreads.class)}.
 */
public final class TwoKernelThreads implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(TwoKernelThreads.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", Parallel.threads());
        Parallel.setThreads(2);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Parallel.setThreads(context.getStore(NAMESPACE).get("before", Integer.class));
    }
}

package dev.jtorch.internal;

import dev.jtorch.Torch;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;

/**
 * Child-JVM entry point for {@link LoadingTest}: loads jtorch (optionally after JavaCPP), runs one
 * op and prints what it saw. Not a test itself.
 */
public final class LoadProbe {
    private LoadProbe() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("javacpp-first")) {
            // an embedding application that loaded JavaCPP before jtorch, with default settings
            org.bytedeco.javacpp.Loader.getPlatform();
            System.out.println("pointer class: " + org.bytedeco.javacpp.Pointer.maxBytes());
        }
        try {
            Torch.init();
        } catch (IllegalStateException e) {
            System.out.println("REFUSED " + e.getMessage());
            return;
        }
        try (TensorScope s = TensorScope.open()) {
            double sum = Tensor.ones(3, 4).sum().item();
            System.out.println("OK sum=" + sum + " pointerGc=" + Torch.pointerGc() + " threads=" + Torch.numThreads()
                    + " extracted=" + NativeRuntime.loadReport().extractedFiles().size());
        }
    }
}

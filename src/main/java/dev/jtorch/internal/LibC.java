package dev.jtorch.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The two libc calls jtorch needs and JavaCPP cannot make: {@code setenv} before OpenBLAS loads
 * ({@link Blas}) and {@code mallopt} ({@link Malloc}), bound through JNA once.
 */
interface LibC extends Library {
    /** {@code setenv(3)}: 0 on success. */
    int setenv(String name, String value, int overwrite);

    /** {@code mallopt(3)}: 1 on success, 0 on error (musl: a no-op that returns 0). */
    int mallopt(int param, int value);

    /**
     * The process's libc.
     *
     * @throws UnsatisfiedLinkError if JNA's native part cannot load on this platform
     */
    static LibC instance() {
        return Holder.C;
    }

    /** Binds libc on first use only. */
    final class Holder {
        static final LibC C = Native.load("c", LibC.class);

        private Holder() {}
    }
}

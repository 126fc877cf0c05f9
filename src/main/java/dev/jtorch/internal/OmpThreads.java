package dev.jtorch.internal;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.ArrayList;
import java.util.List;

/**
 * The calling thread's OpenMP thread count, changed without touching any other thread.
 *
 * <p>libtorch's {@code at::set_num_threads} is process-wide (it also stores the count for threads
 * that start later and clears oneDNN's computation cache), so it cannot be flipped around one
 * call. libgomp's {@code omp_set_num_threads} sets the calling thread's own ICV, and libtorch's
 * {@code parallel_for} and oneDNN read {@code omp_get_max_threads()} of the calling thread at every
 * parallel region: setting it on one thread steers that thread's ops only. The functions come
 * from the libgomp libtorch already mapped (dlopen of its path returns the same library, no second
 * OpenMP runtime).
 */
final class OmpThreads {
    private static final List<Function> SET = new ArrayList<>();
    private static final Function GET;

    static {
        Function get = null;
        for (String path : NativeRuntime.mappedLibraries(name -> name.startsWith("libgomp"))) {
            try {
                NativeLibrary lib = NativeLibrary.getInstance(path);
                SET.add(lib.getFunction("omp_set_num_threads"));
                if (get == null) {
                    get = lib.getFunction("omp_get_max_threads");
                }
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                // not an OpenMP runtime we can ask: leave it
            }
        }
        GET = SET.isEmpty() ? null : get;
    }

    private OmpThreads() {}

    /** Whether this process's OpenMP runtime could be found. */
    static boolean available() {
        return GET != null;
    }

    /** The count the calling thread's next parallel region would use. */
    static int current() {
        return GET.invokeInt(new Object[0]);
    }

    /** Sets the calling thread's count ({@code n >= 1}); returns the previous one. */
    static int set(int n) {
        int previous = current();
        if (previous != n) {
            for (Function f : SET) {
                f.invokeVoid(new Object[] {n});
            }
        }
        return previous;
    }
}

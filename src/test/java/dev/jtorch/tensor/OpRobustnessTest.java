package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.TorchException;
import dev.jtorch.internal.Handles;
import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Calls every public op of the generated layer with hostile arguments (dims out of range, negative
 * and mismatched sizes, wrong dtypes, empty lists, 0-d and empty tensors, nulls): each call must
 * return or throw a Java exception, never crash the JVM, and leak no handle.
 */
class OpRobustnessTest {
    /** Ops that allocate what they are asked for: hostile sizes would only test the machine's memory. */
    private static final List<String> SKIPPED = List.of("fromFile");
    private static final boolean TRACE = Boolean.getBoolean("jtorch.robustness.trace");

    @Test
    void everyGeneratedOpSurvivesHostileArguments() throws Exception {
        List<Method> methods = new ArrayList<>();
        for (Class<?> c : List.of(Tensor.class, Linalg.class, Special.class, F.class)) {
            for (Method m : c.getMethods()) {
                if (m.getDeclaringClass() == Object.class || SKIPPED.contains(m.getName())
                        || !supported(m)) {
                    continue;
                }
                methods.add(m);
            }
        }
        methods.sort(Comparator.comparing(Method::toString));
        assertTrue(methods.size() > 2000, "only " + methods.size() + " methods found");
        long before = Handles.live();
        Random rnd = new Random(Long.getLong("jtorch.robustness.seed", 42));
        // one seeded generator for every random op, and a closed one (use after close must throw)
        generator = new Generator().manualSeed(5);
        closedGenerator = new Generator();
        closedGenerator.close();
        int calls = 0;
        int returned = 0;
        for (Method m : methods) {
            for (int round = 0; round < 3; round++) {
                try (TensorScope s = TensorScope.open()) {
                    Tensor receiver = Modifier.isStatic(m.getModifiers()) ? null : tensor(rnd);
                    Object[] args = new Object[m.getParameterCount()];
                    Parameter[] ps = m.getParameters();
                    for (int i = 0; i < args.length; i++) {
                        args[i] = value(ps[i].getType(), rnd);
                    }
                    calls++;
                    if (TRACE) {
                        System.err.println("call " + m + " on " + receiver + " with " + Arrays.deepToString(args));
                        System.err.flush();
                    }
                    try {
                        m.invoke(receiver, args);
                        returned++;
                    } catch (InvocationTargetException e) {
                        Throwable t = e.getCause();
                        boolean expected = t instanceof TorchException || t instanceof IllegalArgumentException
                                || t instanceof IllegalStateException || t instanceof NullPointerException
                                || t instanceof ArithmeticException || t instanceof IndexOutOfBoundsException
                                || t instanceof UnsupportedOperationException;
                        if (!expected) {
                            throw new AssertionError(m + " with " + Arrays.deepToString(args) + " threw " + t, t);
                        }
                    }
                }
            }
        }
        generator.close();
        assertEquals(before, Handles.live(), "handles leaked");
        System.out.println("OpRobustnessTest: " + methods.size() + " methods, " + calls + " calls, " + returned
                + " returned normally");
    }

    private static final List<Class<?>> TYPES = List.of(Tensor.class, long.class, Long.class, double.class,
            Double.class, boolean.class, Boolean.class, Number.class, long[].class, double[].class, boolean[].class,
            List.class, Tensor[].class, long[][].class, DType.class, Device.class, String.class, Generator.class);

    private static Generator generator;
    private static Generator closedGenerator;

    private static boolean supported(Method m) {
        for (Class<?> p : m.getParameterTypes()) {
            if (!TYPES.contains(p) && !p.isEnum()) {
                return false;
            }
        }
        return true;
    }

    private static final Object UNSUPPORTED = new Object();

    private static Tensor tensor(Random rnd) {
        List<Supplier<Tensor>> pool = List.of(
                () -> Tensor.rand(2, 3),
                () -> Tensor.of(new long[] {3, -1, 7}, 3),
                () -> Tensor.of(new boolean[] {true, false}, 2),
                () -> Tensor.scalar(0.5),
                () -> Tensor.zeros(0, 3),
                () -> Tensor.rand(1),
                () -> Tensor.rand(2, 1, 2, 2),
                () -> Tensor.of(new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e300}, 2, 2));
        return pool.get(rnd.nextInt(pool.size())).get();
    }

    private static Object value(Class<?> type, Random rnd) {
        if (type == Tensor.class) {
            return rnd.nextInt(12) == 0 ? null : tensor(rnd);
        }
        if (type == long.class || type == Long.class) {
            long[] pool = {-7, -1, 0, 1, 2, 5, 1000};
            return type == Long.class && rnd.nextInt(4) == 0 ? null : pool[rnd.nextInt(pool.length)];
        }
        if (type == double.class || type == Double.class) {
            double[] pool = {0.5, -1, 0, 2, Double.NaN, 1e30};
            return type == Double.class && rnd.nextInt(4) == 0 ? null : pool[rnd.nextInt(pool.length)];
        }
        if (type == boolean.class || type == Boolean.class) {
            return rnd.nextBoolean();
        }
        if (type == Number.class) {
            return rnd.nextInt(3) == 0 ? null : rnd.nextBoolean() ? (Number) 2L : (Number) (-0.5);
        }
        if (type == long[].class) {
            long[][] pool = {{}, {-1}, {2, 3}, {9, 9, 9}, {-5, 1}, {100000}};
            return pool[rnd.nextInt(pool.length)];
        }
        if (type == double[].class) {
            return new double[][] {{}, {0.5}, {2, 2}}[rnd.nextInt(3)];
        }
        if (type == boolean[].class) {
            return new boolean[][] {{}, {true}, {true, false, true}}[rnd.nextInt(3)];
        }
        if (type == List.class) {
            return List.of(List.of(), List.of(tensor(rnd)), List.of(tensor(rnd), tensor(rnd))).get(rnd.nextInt(3));
        }
        if (type == Tensor[].class) {
            return new Tensor[][] {{}, {tensor(rnd)}, {tensor(rnd), tensor(rnd)}}[rnd.nextInt(3)];
        }
        if (type == long[][].class) {
            return new long[][] {{2, 3}, {-1}};
        }
        if (type == DType.class) {
            return new DType[] {DType.FLOAT32, DType.INT64, DType.BOOL, DType.FLOAT16}[rnd.nextInt(4)];
        }
        if (type == Device.class) {
            return Device.CPU;
        }
        if (type == Generator.class) {
            int pick = rnd.nextInt(6);
            return pick == 0 ? null : pick == 1 ? closedGenerator : generator;
        }
        if (type == String.class) {
            return new String[] {"", "mean", "fro", "none", "ij,jk->ik", "reflect"}[rnd.nextInt(6)];
        }
        if (type == Reduction.class) {
            return Reduction.values()[rnd.nextInt(3)];
        }
        if (type.isEnum()) {
            Object[] cs = type.getEnumConstants();
            return cs[rnd.nextInt(cs.length)];
        }
        return UNSUPPORTED;
    }
}

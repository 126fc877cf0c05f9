package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden-value checks of jtorch's (generated) op layer against PyTorch, one dynamic test per fixture case.
 *
 * <h2>Fixtures</h2>
 * {@code src/test/resources/ops/*.json}, written by {@code scripts/fixtures_ops.py} from PyTorch's OpInfo
 * database ({@code torch.testing._internal.common_methods_invocations.op_db}); regenerate with
 * {@code /usr/bin/python3 scripts/fixtures_ops.py} from the repository root (deterministic, a few seconds).
 * Each case names a Java target ({@code method}: instance method of {@link Tensor} on the receiver
 * {@code input}; {@code static}: static of {@code Tensor}; {@code F}, {@code Linalg}, {@code Special},
 * {@code Fft}: statics of {@code dev.jtorch.nn.functional.F}, {@code dev.jtorch.tensor.Linalg}, ...) and a
 * camelCase Java name, the arguments with explicit type tags, PyTorch's outputs and, for differentiable
 * float ops, the gradients of {@code sum_i sum(out_i * w_i)} for stored cotangents {@code w_i}. The format
 * is described at the top of the script. {@code ops/SKIPPED.md} lists what the script left out.
 *
 * <h2>How a case runs</h2>
 * The Java callable is found by reflection, so this test compiles without the generated API: every
 * overload with the case's name is tried; positional JSON arguments fill parameters in order (for
 * non-method targets {@code input} is the first one), keyword arguments bind by parameter name (camelCase
 * of PyTorch's name, so the classes must be compiled with {@code -parameters}), parameters the case does not
 * give take the aten schema default stored in the case, or null. Each JSON value converts to the Java
 * parameter types the generator's conventions name (int to {@code long}/{@code Long}/{@code Number}, float
 * to {@code double}, ints to {@code long[]} or a single {@code long}, tensors to {@code List<Tensor>},
 * str to {@code String} or a matching enum constant such as {@code Reduction.MEAN}, dtype to {@link DType},
 * ...); the overload with the cheapest conversions wins ({@code long} before {@code double} for ints).
 * Outputs must have PyTorch's shape and dtype and match with rtol 1e-4 / atol 1e-5 (float32; float64
 * 1e-6 / 1e-7; exact for integer and bool); random ops are checked on shape and dtype only.
 *
 * <h2>Gaps</h2>
 * A case without a Java callable, or whose values differ, fails ("no Java callable for torch.X(...) : tried
 * ..."), unless its op is listed in {@code src/test/resources/ops/KNOWN_GAPS.txt} (one OpInfo key such as
 * {@code max.reduction_with_dim}, an op name such as {@code max} for all its variants, or a prefix ending in
 * {@code *}; {@code #} starts a comment): then the case passes and the coverage summary counts it as a gap.
 * The last test prints the coverage (ops with a callable, ops matching on every sample), writes it per op
 * to {@code target/op-golden-coverage.txt}, fails if an op not on the gap list failed, and names gap
 * entries that now pass. {@code -Djtorch.ops=REGEX} runs only the cases whose OpInfo key matches.
 */
class OpGoldenTest {
    private static final String RESOURCE_DIR = "ops";
    private static final Map<String, String> TARGET_CLASSES = Map.of(
            "method", "dev.jtorch.tensor.Tensor",
            "static", "dev.jtorch.tensor.Tensor",
            "F", "dev.jtorch.nn.functional.F",
            "Linalg", "dev.jtorch.tensor.Linalg",
            "Special", "dev.jtorch.tensor.Special",
            "Fft", "dev.jtorch.tensor.Fft");

    /** Per OpInfo key: results of its cases, in order. */
    private final Map<String, List<Outcome>> outcomes = new TreeMap<>();
    /** OpInfo key to op name ({@code max.binary} to {@code max}). */
    private final Map<String, String> opOfKey = new HashMap<>();

    private record Outcome(boolean callable, boolean matched, String message) {}

    /** A case that failed, with what it tells about the Java side. */
    private static final class CaseFailure extends RuntimeException {
        final boolean callable;

        CaseFailure(boolean callable, String message) {
            super(message);
            this.callable = callable;
        }
    }

    // ====================================================================== test factory

    @TestFactory
    Stream<DynamicNode> goldenOps() throws IOException {
        Torch.init();
        List<JsonNode> cases = loadCases();
        List<String> gaps = loadGaps();
        String filter = System.getProperty("jtorch.ops");
        Pattern only = filter == null || filter.isBlank() ? null : Pattern.compile(filter);
        List<DynamicNode> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            String key = c.get("key").asText();
            if (only != null && !only.matcher(key).matches()) {
                continue;
            }
            String name = key + " #" + c.get("index").asInt();
            tests.add(DynamicTest.dynamicTest(name, () -> runAndRecord(c, isGap(gaps, c))));
        }
        tests.add(DynamicTest.dynamicTest("coverage summary", () -> summary(gaps)));
        return tests.stream();
    }

    private void runAndRecord(JsonNode c, boolean gap) {
        String key = c.get("key").asText();
        opOfKey.put(key, c.get("op").asText());
        Outcome o;
        try {
            runCase(c);
            o = new Outcome(true, true, "ok");
        } catch (CaseFailure e) {
            o = new Outcome(e.callable, false, e.getMessage());
        } catch (RuntimeException | AssertionError e) {
            o = new Outcome(true, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        outcomes.computeIfAbsent(key, k -> new ArrayList<>()).add(o);
        if (!o.matched()) {
            if (gap) {
                // a documented gap (KNOWN_GAPS.txt says why): it passes, and the summary counts it
                return;
            }
            fail(o.message());
        }
    }

    private void summary(List<String> gaps) throws IOException {
        int ops = outcomes.size();
        int callable = 0;
        int matching = 0;
        List<String> failing = new ArrayList<>();
        List<String> gapNowPassing = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, List<Outcome>> e : outcomes.entrySet()) {
            boolean anyCallable = e.getValue().stream().anyMatch(Outcome::callable);
            boolean allMatch = e.getValue().stream().allMatch(Outcome::matched);
            boolean gap = isGap(gaps, e.getKey(), opOfKey.get(e.getKey()));
            callable += anyCallable ? 1 : 0;
            matching += allMatch ? 1 : 0;
            if (!allMatch && !gap) {
                failing.add(e.getKey());
            }
            if (allMatch && gap) {
                gapNowPassing.add(e.getKey());
            }
            String first = e.getValue().stream().filter(o -> !o.matched()).map(Outcome::message).findFirst()
                    .orElse("");
            lines.add(String.format(Locale.ROOT, "%-8s %-4s %s%s", allMatch ? "MATCH" : anyCallable ? "DIFFERS"
                    : "MISSING", gap ? "gap" : "", e.getKey(), first.isEmpty() ? "" : "  -- " + oneLine(first, 300)));
        }
        String head = String.format(Locale.ROOT,
                "op golden coverage: %d op keys, %d with a Java callable, %d matching PyTorch on every sample, "
                        + "%d failing outside KNOWN_GAPS.txt, %d on KNOWN_GAPS.txt now passing",
                ops, callable, matching, failing.size(), gapNowPassing.size());
        System.out.println(head);
        Path report = Paths.get("target", "op-golden-coverage.txt");
        try {
            Files.createDirectories(report.getParent());
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(report, StandardCharsets.UTF_8))) {
                w.println(head);
                lines.forEach(w::println);
            }
            System.out.println("per-op report: " + report.toAbsolutePath());
        } catch (IOException e) {
            System.out.println("could not write " + report + ": " + e);
        }
        if (!gapNowPassing.isEmpty()) {
            System.out.println("known gaps that now pass (remove them from KNOWN_GAPS.txt): " + gapNowPassing);
        }
        if (!failing.isEmpty()) {
            fail(failing.size() + " op(s) not on KNOWN_GAPS.txt fail: " + failing);
        }
    }

    // ====================================================================== fixtures and gap list

    private static List<JsonNode> loadCases() throws IOException {
        URL dir = OpGoldenTest.class.getClassLoader().getResource(RESOURCE_DIR);
        if (dir == null) {
            throw new IOException("no " + RESOURCE_DIR + "/ on the test class path");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(Paths.get(dir.toURI()))) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> cases = new ArrayList<>();
        for (Path f : files) {
            JsonNode root = mapper.readTree(f.toFile());
            root.get("cases").forEach(cases::add);
        }
        return cases;
    }

    private static List<String> loadGaps() throws IOException {
        List<String> gaps = new ArrayList<>();
        try (InputStream in = OpGoldenTest.class.getClassLoader().getResourceAsStream(RESOURCE_DIR
                + "/KNOWN_GAPS.txt")) {
            if (in == null) {
                return gaps;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int hash = line.indexOf('#');
                String entry = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (!entry.isEmpty()) {
                    gaps.add(entry);
                }
            }
        }
        return gaps;
    }

    private static boolean isGap(List<String> gaps, JsonNode c) {
        return isGap(gaps, c.get("key").asText(), c.get("op").asText());
    }

    private static boolean isGap(List<String> gaps, String key, String op) {
        for (String g : gaps) {
            if (g.endsWith("*") ? key.startsWith(g.substring(0, g.length() - 1)) : g.equals(key) || g.equals(op)) {
                return true;
            }
        }
        return false;
    }

    // ====================================================================== decoded values

    /** A decoded JSON argument. */
    private sealed interface Val {}

    private record VTensor(Tensor t) implements Val {}

    private record VInt(long v) implements Val {}

    private record VFloat(double v) implements Val {}

    private record VBool(boolean v) implements Val {}

    private record VNone() implements Val {}

    /** str, and the tags that name an enum-like constant: device, memory_format, layout. */
    private record VStr(String tag, String v) implements Val {}

    private record VDType(DType v) implements Val {}

    private record VInts(long[] v) implements Val {}

    private record VFloats(double[] v) implements Val {}

    private record VBools(boolean[] v) implements Val {}

    private record VTensors(List<Tensor> v) implements Val {}

    /** Decodes {@code v}; tensors that require grad are recorded in {@code leaves} under {@code path}. */
    private static Val decode(JsonNode v, String path, Map<String, Tensor> leaves) {
        String t = v.get("t").asText();
        switch (t) {
            case "tensor": {
                Tensor x = tensor(v);
                if (v.path("requires_grad").asBoolean(false)) {
                    x.requiresGrad(true);
                    leaves.put(path, x);
                }
                return new VTensor(x);
            }
            case "int":
                return new VInt(v.get("v").asLong());
            case "float":
                return new VFloat(num(v.get("v")));
            case "bool":
                return new VBool(v.get("v").asBoolean());
            case "none":
                return new VNone();
            case "str":
            case "device":
            case "memory_format":
            case "layout":
                return new VStr(t, v.get("v").asText());
            case "dtype":
                return new VDType(DType.valueOf(v.get("v").asText()));
            case "ints": {
                long[] a = new long[v.get("v").size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = v.get("v").get(i).asLong();
                }
                return new VInts(a);
            }
            case "floats": {
                double[] a = new double[v.get("v").size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = num(v.get("v").get(i));
                }
                return new VFloats(a);
            }
            case "bools": {
                boolean[] a = new boolean[v.get("v").size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = v.get("v").get(i).asBoolean();
                }
                return new VBools(a);
            }
            case "tensors": {
                List<Tensor> ts = new ArrayList<>();
                for (int i = 0; i < v.get("v").size(); i++) {
                    Val e = decode(v.get("v").get(i), path + "." + i, leaves);
                    ts.add(e instanceof VTensor vt ? vt.t() : null);
                }
                return new VTensors(ts);
            }
            default:
                throw new IllegalArgumentException("unknown value tag " + t);
        }
    }

    private static double num(JsonNode n) {
        if (n.isTextual()) {
            return switch (n.asText()) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(n.asText());
            };
        }
        return n.asDouble();
    }

    private static long[] shapeOf(JsonNode v) {
        long[] s = new long[v.get("shape").size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = v.get("shape").get(i).asLong();
        }
        return s;
    }

    /** A fresh CPU tensor holding an encoded tensor's data. */
    private static Tensor tensor(JsonNode v) {
        long[] shape = shapeOf(v);
        DType dtype = DType.valueOf(v.get("dtype").asText().toUpperCase(Locale.ROOT));
        JsonNode data = v.get("data");
        int n = data.size();
        switch (dtype) {
            case FLOAT32, FLOAT16, BFLOAT16: {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (float) num(data.get(i));
                }
                return dtype == DType.FLOAT32 ? Tensor.of(a, shape) : Tensor.of(a, Shape.of(shape), dtype, Device.CPU);
            }
            case FLOAT64: {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = num(data.get(i));
                }
                return Tensor.of(a, shape);
            }
            case BOOL: {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = data.get(i).asBoolean();
                }
                return Tensor.of(a, shape);
            }
            case INT32: {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = data.get(i).asInt();
                }
                return Tensor.of(a, shape);
            }
            default: {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = data.get(i).asLong();
                }
                return dtype == DType.INT64 ? Tensor.of(a, shape) : Tensor.of(a, Shape.of(shape), dtype, Device.CPU);
            }
        }
    }

    // ====================================================================== running a case

    private static void runCase(JsonNode c) {
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> leaves = new HashMap<>();
            Val input = decode(c.get("input"), "input", leaves);
            List<Val> args = new ArrayList<>();
            for (int i = 0; i < c.get("args").size(); i++) {
                args.add(decode(c.get("args").get(i), "args." + i, leaves));
            }
            Map<String, Val> kwargs = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("kwargs").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                kwargs.put(e.getKey(), decode(e.getValue(), "kwargs." + e.getKey(), leaves));
            }
            Set<String> droppable = new HashSet<>();
            c.path("droppable").forEach(n -> droppable.add(n.asText()));
            Map<String, Val> defaults = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = c.path("defaults").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                defaults.put(camel(e.getKey()), decode(e.getValue(), "defaults." + e.getKey(), new HashMap<>()));
            }

            Object result = invoke(c, input, args, kwargs, droppable, defaults);

            boolean random = c.path("random").asBoolean(false);
            compare("output", c.get("output"), result, random);
            if (c.has("grads") && c.has("cotangents")) {
                checkGrads(c, result, leaves);
            }
        }
    }

    private static String describeCall(JsonNode c) {
        StringBuilder sb = new StringBuilder(c.get("python").asText()).append('(');
        List<String> parts = new ArrayList<>();
        parts.add(describe(c.get("input")));
        c.get("args").forEach(a -> parts.add(describe(a)));
        c.get("kwargs").fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + describe(e.getValue())));
        return sb.append(String.join(", ", parts)).append(')').toString();
    }

    private static String describe(JsonNode v) {
        String t = v.get("t").asText();
        return switch (t) {
            case "tensor" -> "Tensor" + v.get("shape") + ":" + v.get("dtype").asText();
            case "tensors" -> {
                List<String> p = new ArrayList<>();
                v.get("v").forEach(x -> p.add(describe(x)));
                yield "[" + String.join(", ", p) + "]";
            }
            case "none" -> "None";
            case "str", "device", "memory_format", "layout" -> "'" + v.get("v").asText() + "'";
            case "dtype" -> v.get("v").asText();
            default -> v.get("v").toString();
        };
    }

    /** Finds the cheapest binding over every overload of the case's Java name and invokes it. */
    private static Object invoke(JsonNode c, Val input, List<Val> args, Map<String, Val> kwargs,
            Set<String> droppable, Map<String, Val> defaults) {
        String target = c.get("target").asText();
        String javaName = c.get("java").asText();
        String className = TARGET_CLASSES.get(target);
        String call = describeCall(c);
        Class<?> cls;
        try {
            cls = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new CaseFailure(false, "no Java callable for " + call + " : class " + className + " does not exist");
        }
        boolean method = target.equals("method");
        List<Method> overloads = Arrays.stream(cls.getMethods())
                .filter(m -> m.getName().equals(javaName))
                .sorted(Comparator.comparing(Method::toGenericString))
                .toList();
        List<Binding> bindings = new ArrayList<>();
        List<String> tried = new ArrayList<>();
        for (Method m : overloads) {
            boolean isStatic = Modifier.isStatic(m.getModifiers());
            Binding b;
            String why;
            if (method && !isStatic) {
                b = bind(m, null, args, kwargs, droppable, defaults, 0);
            } else if (!method && isStatic) {
                List<Val> all = new ArrayList<>();
                all.add(input);
                all.addAll(args);
                b = bind(m, null, all, kwargs, droppable, defaults, 0);
            } else if (method) {
                // the generator may emit a method-like op as a static (where(condition, self, other)): the
                // receiver goes to the parameter named self/input, the other arguments fill the rest in order
                b = bindReceiverByName(m, input, args, kwargs, droppable, defaults);
            } else {
                b = new Binding(m, null, -1, "instance method, but torch." + javaName + " is a function");
            }
            if (b.args != null) {
                bindings.add(b);
            }
            why = b.args != null ? "binds, cost " + b.cost : b.why;
            tried.add(signature(m) + " [" + why + "]");
        }
        if (bindings.isEmpty()) {
            throw new CaseFailure(false, "no Java callable for " + call + " : tried "
                    + (tried.isEmpty() ? "nothing (" + cls.getSimpleName() + " has no method " + javaName + ")"
                    : String.join("; ", tried)));
        }
        bindings.sort(Comparator.comparingInt((Binding b) -> b.cost));
        List<String> errors = new ArrayList<>();
        for (Binding b : bindings.subList(0, Math.min(3, bindings.size()))) {
            try {
                Object receiver = method && !Modifier.isStatic(b.method.getModifiers()) ? ((VTensor) input).t()
                        : null;
                return b.method.invoke(receiver, b.args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                errors.add(signature(b.method) + " threw " + cause.getClass().getSimpleName() + ": "
                        + oneLine(String.valueOf(cause.getMessage()), 300));
            } catch (IllegalAccessException | IllegalArgumentException e) {
                errors.add(signature(b.method) + ": " + e);
            }
        }
        throw new CaseFailure(true, "Java call for " + call + " failed: " + String.join("; ", errors));
    }

    private static String signature(Method m) {
        StringBuilder sb = new StringBuilder(m.getDeclaringClass().getSimpleName()).append('.').append(m.getName())
                .append('(');
        Parameter[] ps = m.getParameters();
        for (int i = 0; i < ps.length; i++) {
            sb.append(i > 0 ? ", " : "").append(ps[i].getParameterizedType().getTypeName()
                    .replaceAll("[a-z]+(\\.[a-z]+)*\\.", "")).append(' ').append(ps[i].getName());
        }
        return sb.append(')').toString();
    }

    private static String oneLine(String s, int max) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > max ? one.substring(0, max) + "..." : one;
    }

    /** One way to call a method: its arguments and the sum of the conversion costs, or why it does not fit. */
    private record Binding(Method method, Object[] args, int cost, String why) {}

    private static Binding bind(Method m, Val[] preset, List<Val> positional, Map<String, Val> kwargs,
            Set<String> droppable, Map<String, Val> defaults, int baseCost) {
        Parameter[] ps = m.getParameters();
        int n = ps.length;
        Val[] slot = preset != null ? preset.clone() : new Val[n];
        int cost = baseCost;
        List<Val> pos = new ArrayList<>(positional);
        // Python's spread ints (x.view(2, 3), torch.zeros(2, 3)) into a trailing long[] parameter
        if (n > 0 && ps[n - 1].getType() == long[].class && pos.size() > n - countPreset(slot)) {
            int free = freeSlots(slot) - 1;
            List<Val> tail = pos.subList(Math.min(free, pos.size()), pos.size());
            if (!tail.isEmpty() && tail.stream().allMatch(v -> v instanceof VInt)) {
                long[] packed = tail.stream().mapToLong(v -> ((VInt) v).v()).toArray();
                pos = new ArrayList<>(pos.subList(0, free));
                pos.add(new VInts(packed));
                cost += 1;
            }
        }
        // Python's spread tensors (torch.block_diag(a, b, c)) into a trailing Tensor... parameter
        if (n > 0 && m.isVarArgs() && ps[n - 1].getType() == Tensor[].class) {
            int free = freeSlots(slot) - 1;
            if (free >= 0 && pos.size() >= free) {
                List<Val> tail = pos.subList(free, pos.size());
                if (tail.stream().allMatch(v -> v instanceof VTensor)) {
                    List<Tensor> packed = new ArrayList<>();
                    tail.forEach(v -> packed.add(((VTensor) v).t()));
                    pos = new ArrayList<>(pos.subList(0, free));
                    pos.add(new VTensors(packed));
                    cost += 1;
                }
            }
        }
        int p = 0;
        for (Val v : pos) {
            while (p < n && slot[p] != null) {
                p++;
            }
            if (p >= n) {
                return new Binding(m, null, -1, "too many positional arguments");
            }
            slot[p++] = v;
        }
        boolean named = n == 0 || ps[0].isNamePresent();
        List<String> unbound = new ArrayList<>();
        for (Map.Entry<String, Val> e : kwargs.entrySet()) {
            String jn = camel(e.getKey());
            int idx = -1;
            for (int i = 0; i < n; i++) {
                if (ps[i].getName().equals(jn)) {
                    idx = i;
                }
            }
            if (idx < 0 && !named) {
                // classes compiled without -parameters: keyword arguments fill the free slots in order
                for (int i = 0; i < n && idx < 0; i++) {
                    if (slot[i] == null) {
                        idx = i;
                        cost += 5;
                    }
                }
            }
            if (idx < 0) {
                if (droppable.contains(e.getKey())) {
                    cost += 1;
                    continue;
                }
                unbound.add(jn);
                continue;
            }
            if (slot[idx] != null) {
                return new Binding(m, null, -1, "argument " + jn + " given twice");
            }
            slot[idx] = e.getValue();
        }
        if (!unbound.isEmpty()) {
            return new Binding(m, null, -1, "no parameter named " + String.join(", ", unbound)
                    + (named ? "" : " (parameter names not compiled in: -parameters)"));
        }
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            Class<?> type = ps[i].getType();
            if (slot[i] == null) {
                Val d = defaults.get(ps[i].getName());
                if (d != null && convert(d, type, ps[i].getParameterizedType()) != null) {
                    slot[i] = d;
                    cost += 2;
                } else if (!type.isPrimitive()) {
                    slot[i] = new VNone();
                    cost += 4;
                } else {
                    return new Binding(m, null, -1, "no value for " + ps[i].getName());
                }
            }
            if (slot[i] instanceof VInt one && type == long[].class
                    && defaults.get(ps[i].getName()) instanceof VInts d && d.v().length > 1) {
                // an int for an int[N] parameter (kernel_size=3 of a 2-d pool): N copies, N from the schema default
                long[] rep = new long[d.v().length];
                Arrays.fill(rep, one.v());
                slot[i] = new VInts(rep);
                cost += 1;
            }
            Converted cv = convert(slot[i], type, ps[i].getParameterizedType());
            if (cv == null) {
                return new Binding(m, null, -1, "argument " + (i + 1) + " (" + ps[i].getName() + "): "
                        + slot[i].getClass().getSimpleName().substring(1) + " does not convert to "
                        + type.getSimpleName());
            }
            out[i] = cv.value;
            cost += cv.cost;
        }
        return new Binding(m, out, cost, null);
    }

    private static int countPreset(Val[] slot) {
        int k = 0;
        for (Val v : slot) {
            k += v != null ? 1 : 0;
        }
        return k;
    }

    private static int freeSlots(Val[] slot) {
        return slot.length - countPreset(slot);
    }

    private static Binding bindReceiverByName(Method m, Val receiver, List<Val> args, Map<String, Val> kwargs,
            Set<String> droppable, Map<String, Val> defaults) {
        Parameter[] ps = m.getParameters();
        for (int i = 0; i < ps.length; i++) {
            if (ps[i].getName().equals("self") || ps[i].getName().equals("input")) {
                Val[] preset = new Val[ps.length];
                preset[i] = receiver;
                return bind(m, preset, args, kwargs, droppable, defaults, 20);
            }
        }
        return new Binding(m, null, -1, "static without a parameter named self/input for the receiver");
    }

    private record Converted(Object value, int cost) {}

    /** {@code v} as a {@code type} argument and how far that is from an exact match, or null. */
    private static Converted convert(Val v, Class<?> type, Type generic) {
        if (v instanceof VNone) {
            return type.isPrimitive() ? null : new Converted(null, 0);
        }
        if (v instanceof VTensor t) {
            return type == Tensor.class ? new Converted(t.t(), 0) : type == Object.class ? new Converted(t.t(), 9)
                    : null;
        }
        if (v instanceof VInt i) {
            long x = i.v();
            if (type == long.class) {
                return new Converted(x, 0);
            } else if (type == Long.class) {
                return new Converted(x, 1);
            } else if (type == Number.class) {
                return new Converted(x, 2);
            } else if (type == int.class || type == Integer.class) {
                return x == (int) x ? new Converted((int) x, 2) : null;
            } else if (type == double.class || type == Double.class) {
                return new Converted((double) x, type == double.class ? 4 : 5);
            } else if (type == float.class || type == Float.class) {
                return new Converted((float) x, 6);
            } else if (type == long[].class) {
                return new Converted(new long[] {x}, 8);
            } else if (type == Object.class) {
                return new Converted(x, 9);
            }
            return null;
        }
        if (v instanceof VFloat f) {
            double x = f.v();
            if (type == double.class) {
                return new Converted(x, 0);
            } else if (type == Double.class) {
                return new Converted(x, 1);
            } else if (type == Number.class) {
                return new Converted(x, 2);
            } else if (type == float.class || type == Float.class) {
                return new Converted((float) x, 3);
            } else if (type == double[].class) {
                return new Converted(new double[] {x}, 8);
            } else if (type == Object.class) {
                return new Converted(x, 9);
            }
            return null;
        }
        if (v instanceof VBool b) {
            if (type == boolean.class) {
                return new Converted(b.v(), 0);
            } else if (type == Boolean.class) {
                return new Converted(b.v(), 1);
            } else if (type == Object.class) {
                return new Converted(b.v(), 9);
            }
            return null;
        }
        if (v instanceof VStr s) {
            if (type.isEnum()) {
                Object e = enumConstant(type, s.v());
                return e == null ? null : new Converted(e, 1);
            } else if (type == Device.class && s.tag().equals("device")) {
                return new Converted(Device.parse(s.v()), 0);
            } else if (type == String.class) {
                return new Converted(s.v(), s.tag().equals("str") ? 0 : 3);
            } else if (type == Object.class) {
                return new Converted(s.v(), 9);
            }
            return null;
        }
        if (v instanceof VDType d) {
            return type == DType.class ? new Converted(d.v(), 0) : type == Object.class ? new Converted(d.v(), 9)
                    : null;
        }
        if (v instanceof VInts is) {
            long[] a = is.v();
            if (type == long[].class) {
                return new Converted(a.clone(), 0);
            } else if (type == int[].class) {
                int[] b = new int[a.length];
                for (int k = 0; k < a.length; k++) {
                    b[k] = Math.toIntExact(a[k]);
                }
                return new Converted(b, 2);
            } else if (type == List.class && elementIs(generic, Long.class)) {
                return new Converted(Arrays.stream(a).boxed().toList(), 2);
            } else if (type == Shape.class) {
                return new Converted(Shape.of(a), 3);
            } else if (type == double[].class) {
                return new Converted(Arrays.stream(a).asDoubleStream().toArray(), 5);
            } else if (a.length == 1 && (type == long.class || type == Long.class)) {
                return new Converted(a[0], 6);
            } else if (a.length == 1 && type == int.class) {
                return new Converted(Math.toIntExact(a[0]), 7);
            } else if (type == Object.class) {
                return new Converted(a.clone(), 9);
            }
            return null;
        }
        if (v instanceof VFloats fs) {
            if (type == double[].class) {
                return new Converted(fs.v().clone(), 0);
            } else if (type == float[].class) {
                float[] b = new float[fs.v().length];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (float) fs.v()[k];
                }
                return new Converted(b, 2);
            } else if (type == List.class && elementIs(generic, Double.class)) {
                return new Converted(Arrays.stream(fs.v()).boxed().toList(), 3);
            }
            return null;
        }
        if (v instanceof VBools bs) {
            return type == boolean[].class ? new Converted(bs.v().clone(), 0) : null;
        }
        if (v instanceof VTensors ts) {
            if (type == List.class && elementIs(generic, Tensor.class)) {
                return new Converted(new ArrayList<>(ts.v()), 0);
            } else if (type == Tensor[].class) {
                return new Converted(ts.v().toArray(new Tensor[0]), 1);
            }
            return null;
        }
        return null;
    }

    private static boolean elementIs(Type generic, Class<?> element) {
        if (generic instanceof ParameterizedType pt && pt.getActualTypeArguments().length == 1) {
            Type a = pt.getActualTypeArguments()[0];
            return a == element || a.getTypeName().startsWith("?");
        }
        return true; // a raw List
    }

    private static Object enumConstant(Class<?> type, String name) {
        String want = name.replace("_", "").toUpperCase(Locale.ROOT);
        for (Object c : type.getEnumConstants()) {
            String have = ((Enum<?>) c).name().replace("_", "").toUpperCase(Locale.ROOT);
            if (have.equals(want)) {
                return c;
            }
        }
        return null;
    }

    /** camelCase of a PyTorch (snake_case) name; a trailing underscore (in-place) stays. */
    static String camel(String name) {
        boolean inplace = name.endsWith("_") && !name.endsWith("__");
        String[] parts = name.replaceAll("_+$", "").split("_");
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (p.isEmpty()) {
                continue;
            }
            sb.append(sb.length() == 0 ? p : Character.toUpperCase(p.charAt(0)) + p.substring(1));
        }
        return sb.append(inplace ? "_" : "").toString();
    }

    // ====================================================================== comparing results

    /** The tensors of a Java result, flattened in output order (TensorTuple, records, lists, arrays). */
    private static List<Object> elements(Object result) {
        if (result == null) {
            return null;
        }
        if (result instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (result.getClass().isArray() && !result.getClass().getComponentType().isPrimitive()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(result); i++) {
                out.add(Array.get(result, i));
            }
            return out;
        }
        try {
            Method toList = result.getClass().getMethod("toList");
            if (List.class.isAssignableFrom(toList.getReturnType())) {
                toList.setAccessible(true);
                return new ArrayList<>((List<?>) toList.invoke(result));
            }
        } catch (ReflectiveOperationException e) {
            // not a TensorTuple
        }
        if (result.getClass().isRecord()) {
            List<Object> out = new ArrayList<>();
            for (RecordComponent rc : result.getClass().getRecordComponents()) {
                try {
                    Method acc = rc.getAccessor();
                    acc.setAccessible(true);
                    out.add(acc.invoke(result));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return out;
        }
        return null;
    }

    private static void compare(String where, JsonNode expected, Object actual, boolean random) {
        String t = expected.get("t").asText();
        switch (t) {
            case "tensor" -> {
                if (!(actual instanceof Tensor at)) {
                    throw new AssertionError(where + ": expected a Tensor, got " + typeName(actual));
                }
                compareTensor(where, expected, at, random, false);
            }
            case "tensors", "tuple" -> {
                List<Object> els = elements(actual);
                JsonNode ev = expected.get("v");
                if (els == null) {
                    throw new AssertionError(where + ": expected " + ev.size() + " results (" + t + "), got "
                            + typeName(actual));
                }
                if (els.size() != ev.size()) {
                    throw new AssertionError(where + ": expected " + ev.size() + " results, got " + els.size());
                }
                JsonNode names = expected.path("names");
                if (names.isArray() && actual != null && actual.getClass().isRecord()) {
                    RecordComponent[] rcs = actual.getClass().getRecordComponents();
                    for (int i = 0; i < rcs.length && i < names.size(); i++) {
                        if (!rcs[i].getName().equals(camel(names.get(i).asText()))) {
                            throw new AssertionError(where + ": record component " + i + " is " + rcs[i].getName()
                                    + ", PyTorch names it " + names.get(i).asText());
                        }
                    }
                }
                for (int i = 0; i < els.size(); i++) {
                    compare(where + "[" + i + "]", ev.get(i), els.get(i), random);
                }
            }
            case "none" -> {
                if (actual != null) {
                    throw new AssertionError(where + ": expected None, got " + typeName(actual));
                }
            }
            case "int", "float", "bool" -> compareScalar(where, expected, actual, random);
            case "ints" -> {
                long[] want = new long[expected.get("v").size()];
                for (int i = 0; i < want.length; i++) {
                    want[i] = expected.get("v").get(i).asLong();
                }
                long[] got = longs(actual);
                if (got == null || !Arrays.equals(want, got)) {
                    throw new AssertionError(where + ": expected " + Arrays.toString(want) + ", got "
                            + (got != null ? Arrays.toString(got) : typeName(actual)));
                }
            }
            case "floats" -> {
                List<Object> els = elements(actual);
                double[] got = actual instanceof double[] d ? d : null;
                if (got == null && els != null) {
                    got = els.stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
                }
                if (got == null || got.length != expected.get("v").size()) {
                    throw new AssertionError(where + ": expected " + expected.get("v") + ", got " + typeName(actual));
                }
                for (int i = 0; i < got.length; i++) {
                    checkClose(where + "[" + i + "]", num(expected.get("v").get(i)), got[i], 1e-4, 1e-5);
                }
            }
            default -> throw new AssertionError(where + ": cannot compare a result of kind " + t);
        }
    }

    private static long[] longs(Object actual) {
        if (actual instanceof long[] l) {
            return l;
        }
        if (actual instanceof int[] a) {
            return Arrays.stream(a).asLongStream().toArray();
        }
        if (actual instanceof Shape s) {
            return s.toArray();
        }
        if (actual instanceof List<?> l && l.stream().allMatch(o -> o instanceof Number)) {
            return l.stream().mapToLong(o -> ((Number) o).longValue()).toArray();
        }
        return null;
    }

    private static String typeName(Object o) {
        return o == null ? "null" : o.getClass().getName();
    }

    private static void compareScalar(String where, JsonNode expected, Object actual, boolean random) {
        String t = expected.get("t").asText();
        Object a = actual;
        if (a instanceof Tensor at) {
            if (at.numel() != 1) {
                throw new AssertionError(where + ": expected a " + t + ", got a tensor of shape " + at.shape());
            }
            a = t.equals("bool") ? (Object) at.toBooleanArray()[0]
                    : t.equals("int") ? (Object) at.toLongArray()[0] : (Object) at.toDoubleArray()[0];
        }
        if (random) {
            return;
        }
        switch (t) {
            case "bool" -> {
                if (!(a instanceof Boolean b) || b != expected.get("v").asBoolean()) {
                    throw new AssertionError(where + ": expected " + expected.get("v") + ", got " + a);
                }
            }
            case "int" -> {
                if (!(a instanceof Number n) || n.doubleValue() != expected.get("v").asLong()) {
                    throw new AssertionError(where + ": expected " + expected.get("v") + ", got " + a);
                }
            }
            default -> {
                if (!(a instanceof Number n)) {
                    throw new AssertionError(where + ": expected " + expected.get("v") + ", got " + typeName(a));
                }
                checkClose(where, num(expected.get("v")), n.doubleValue(), 1e-4, 1e-5);
            }
        }
    }

    private static void compareTensor(String where, JsonNode expected, Tensor actual, boolean random, boolean grad) {
        long[] shape = shapeOf(expected);
        long[] got = actual.shape().toArray();
        if (!Arrays.equals(shape, got)) {
            throw new AssertionError(where + ": shape " + Arrays.toString(got) + ", PyTorch "
                    + Arrays.toString(shape));
        }
        DType dtype = DType.valueOf(expected.get("dtype").asText().toUpperCase(Locale.ROOT));
        if (actual.dtype() != dtype) {
            throw new AssertionError(where + ": dtype " + actual.dtype() + ", PyTorch " + dtype);
        }
        if (random || !expected.has("data")) {
            return;
        }
        JsonNode data = expected.get("data");
        if (dtype.isFloatingPoint()) {
            double[] a = actual.toDoubleArray();
            double rtol = switch (dtype) {
                case FLOAT64 -> 1e-6;
                case FLOAT16, BFLOAT16 -> 1e-2;
                default -> 1e-4;
            };
            double atol = switch (dtype) {
                case FLOAT64 -> 1e-7;
                case FLOAT16, BFLOAT16 -> 1e-3;
                default -> 1e-5;
            };
            for (int i = 0; i < a.length; i++) {
                checkClose(where + "[flat " + i + "]", num(data.get(i)), a[i], rtol, atol);
            }
        } else if (dtype == DType.BOOL) {
            boolean[] a = actual.toBooleanArray();
            for (int i = 0; i < a.length; i++) {
                if (a[i] != data.get(i).asBoolean()) {
                    throw new AssertionError(where + "[flat " + i + "]: " + a[i] + ", PyTorch " + data.get(i));
                }
            }
        } else {
            long[] a = actual.toLongArray();
            for (int i = 0; i < a.length; i++) {
                if (a[i] != data.get(i).asLong()) {
                    throw new AssertionError(where + "[flat " + i + "]: " + a[i] + ", PyTorch " + data.get(i));
                }
            }
        }
    }

    private static void checkClose(String where, double want, double got, double rtol, double atol) {
        if (Double.isNaN(want) && Double.isNaN(got)) {
            return;
        }
        if (Double.isInfinite(want) || Double.isInfinite(got)) {
            if (want == got) {
                return;
            }
        } else if (Math.abs(got - want) <= atol + rtol * Math.abs(want)) {
            return;
        }
        throw new AssertionError(where + ": " + got + ", PyTorch " + want + " (rtol " + rtol + ", atol " + atol + ")");
    }

    // ====================================================================== gradients

    private static void flattenTensors(Object result, List<Tensor> out) {
        if (result instanceof Tensor t) {
            out.add(t);
            return;
        }
        List<Object> els = elements(result);
        if (els != null) {
            for (Object o : els) {
                flattenTensors(o, out);
            }
        }
    }

    /** Back-propagates sum_i sum(out_i * w_i) and compares the leaves' gradients with PyTorch's. */
    private static void checkGrads(JsonNode c, Object result, Map<String, Tensor> leaves) {
        List<Tensor> outs = new ArrayList<>();
        flattenTensors(result, outs);
        JsonNode cot = c.get("cotangents");
        if (outs.size() != cot.size()) {
            throw new AssertionError("grad: " + outs.size() + " output tensors, PyTorch " + cot.size());
        }
        Tensor loss = null;
        for (int i = 0; i < outs.size(); i++) {
            if (cot.get(i).get("t").asText().equals("none")) {
                continue;
            }
            Tensor w = tensor(cot.get(i));
            Tensor term = outs.get(i).mul(w).sum();
            loss = loss == null ? term : loss.add(term);
        }
        if (loss == null) {
            return;
        }
        if (!loss.requiresGrad()) {
            throw new AssertionError("grad: the Java result does not require grad (no autograd graph)");
        }
        loss.backward();
        for (JsonNode g : c.get("grads")) {
            String path = g.get("path").asText();
            Tensor leaf = leaves.get(path);
            if (leaf == null) {
                throw new AssertionError("grad: no leaf tensor at " + path);
            }
            Tensor actual = leaf.grad();
            JsonNode want = g.get("grad");
            if (want.get("t").asText().equals("none")) {
                if (actual != null) {
                    for (double d : actual.toDoubleArray()) {
                        if (d != 0) {
                            throw new AssertionError("grad of " + path + ": PyTorch has none, Java has non-zero "
                                    + "values");
                        }
                    }
                }
                continue;
            }
            if (actual == null) {
                throw new AssertionError("grad of " + path + ": PyTorch has one, Java has none");
            }
            compareTensor("grad of " + path, want, actual, false, true);
        }
    }
}

package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards the regression mode of the fuzz tests: Jazzer replays whatever inputs it finds under
 * {@code <Class>Inputs/} and {@code <Class>Inputs/<method>/} and silently runs only the empty
 * input when there are none (a moved class, a renamed method, resources not on the class path).
 * This fails instead, and lists every fuzz test so that a new one cannot be forgotten here.
 */
class FuzzInputsTest {
    /** Every class with @FuzzTest methods; a fuzz test class not listed here fails {@link #everyFuzzTestIsListed}. */
    static final List<String> FUZZ_TESTS = List.of(
            "dev.jtorch.data.Cifar10FuzzTest",
            "dev.jtorch.data.IdxFuzzTest",
            "dev.jtorch.data.ImageFilesFuzzTest",
            "dev.jtorch.io.CheckpointFuzzTest",
            "dev.jtorch.io.ModelFilesFuzzTest",
            "dev.jtorch.io.SafeTensorsFuzzTest",
            "dev.jtorch.io.StateDictsFuzzTest",
            "dev.jtorch.serve.http.RequestParserFuzzTest");

    /** Fewer committed inputs than this for one method means its seeds went missing. */
    static final int MIN_INPUTS = 3;

    @Test
    void everyFuzzTestHasItsCommittedInputs() throws Exception {
        int methods = 0;
        for (String name : FUZZ_TESTS) {
            Class<?> c = Class.forName(name);
            for (Method m : fuzzMethods(c)) {
                long n = inputs(c, c.getSimpleName() + "Inputs", 1) + inputs(c, c.getSimpleName() + "Inputs/" + m.getName(),
                        Integer.MAX_VALUE);
                assertTrue(n >= MIN_INPUTS, name + "#" + m.getName() + " has " + n + " committed inputs under "
                        + c.getSimpleName() + "Inputs/, expected at least " + MIN_INPUTS + " (docs/fuzzing.md)");
                methods++;
            }
        }
        assertEquals(13, methods, "fuzz test methods (update this count with a new target)");
    }

    @Test
    void everyFuzzTestIsListed() throws IOException, URISyntaxException {
        Path root = Path.of(FuzzInputsTest.class.getResource("/dev/jtorch/FuzzInputsTest.class").toURI())
                .getParent().getParent().getParent();
        List<String> found;
        try (Stream<Path> files = Files.walk(root)) {
            found = files.map(p -> root.relativize(p).toString())
                    .filter(p -> p.endsWith("FuzzTest.class") && !p.contains("$"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .filter(n -> {
                        try {
                            return !fuzzMethods(Class.forName(n)).isEmpty();
                        } catch (ClassNotFoundException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .sorted().toList();
        }
        assertEquals(FUZZ_TESTS, found);
    }

    private static List<Method> fuzzMethods(Class<?> c) {
        return Arrays.stream(c.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(FuzzTest.class)).toList();
    }

    /** Regular files under the resource folder {@code rel} next to {@code c}, to {@code depth}. */
    private static long inputs(Class<?> c, String rel, int depth) throws IOException, URISyntaxException {
        URL url = c.getResource(rel);
        if (url == null) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(Path.of(url.toURI()), depth)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}

package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's SimpleNN example compiles, runs, stays under 20 lines of logic, and leaks nothing. */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    static String example() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int a = readme.indexOf("<!-- readme-example:start -->");
        int b = readme.indexOf("<!-- readme-example:end -->");
        assertTrue(a >= 0 && b > a, "README.md lost its example markers");
        String block = readme.substring(a, b);
        return block.substring(block.indexOf("```java") + 7, block.lastIndexOf("```"));
    }

    @Test
    void exampleIsShort() throws Exception {
        long logic = example().lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("import ") && !l.equals("}")).count();
        assertTrue(logic < 20, "README example has " + logic + " lines of code besides imports and braces");
    }

    @Test
    void exampleCompilesAndRuns() throws Exception {
        Path src = tmp.resolve("Example.java");
        Files.writeString(src, example());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-cp", System.getProperty("java.class.path"), "-d", tmp.toString(),
                src.toString());
        assertEquals(0, rc, "README example does not compile:\n" + diag);

        long before = Torch.liveHandles();
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            cl.loadClass("Example").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        List<String> lines = printed.lines().toList();
        assertTrue(lines.get(0).startsWith("step 0 loss "), printed);
        assertTrue(printed.contains("p(class) of image 0: tensor(["), printed);
        assertTrue(printed.contains("shape=[10], dtype=float32"), printed);
        assertEquals(before, Torch.liveHandles(), "the README example leaked native handles");
    }
    /** The code between {@code <!-- NAME:start -->} and {@code <!-- NAME:end -->} in {@code file}, without comments, blank lines and indentation. */
    private static String block(String file, String name) throws Exception {
        String text = Files.readString(Path.of(file));
        int a = text.indexOf("<!-- " + name + ":start -->");
        int b = text.indexOf("<!-- " + name + ":end -->");
        assertTrue(a >= 0 && b > a, file + " lost its " + name + " markers");
        String code = text.substring(text.indexOf("```java", a) + 7, text.lastIndexOf("```", b));
        code = code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
        StringBuilder out = new StringBuilder();
        for (String line : code.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("import ")) {
                out.append(l).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    void readmeFitExampleTrainsOnArraysThroughItsCallbacks() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int a = readme.indexOf("<!-- fit-example:start -->");
        int b = readme.indexOf("<!-- fit-example:end -->");
        assertTrue(a >= 0 && b > a, "README.md lost its fit-example markers");
        String snippet = readme.substring(readme.indexOf("```java", a) + 7, readme.lastIndexOf("```", b));
        // the user's arrays: 3 classes, each a bump in its own 20-feature block, plus noise
        String program = """
                import dev.jtorch.data.*;
                import dev.jtorch.nn.*;
                import dev.jtorch.optim.*;
                import dev.jtorch.train.*;
                public class FitExample {
                    static float[] features(int n, long seed, long[] labels) {
                        java.util.Random r = new java.util.Random(seed);
                        float[] x = new float[n * 20];
                        for (int i = 0; i < n; i++) {
                            labels[i] = i % 3;
                            for (int j = 0; j < 20; j++) {
                                x[i * 20 + j] = (float) (r.nextGaussian() + (j / 7 == i % 3 ? 0.6 : 0));
                            }
                        }
                        return x;
                    }
                    public static void main(String[] args) {
                        long[] y = new long[300];
                        float[] x = features(300, 1, y);
                        long[] yVal = new long[90];
                        float[] xVal = features(90, 2, yVal);
                        dev.jtorch.Torch.manualSeed(0);
                """ + snippet + """
                    }
                }
                """;
        Path src = tmp.resolve("FitExample.java");
        Files.writeString(src, program);
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, diag, diag, "-cp", System.getProperty("java.class.path"),
                "-d", tmp.toString(), src.toString());
        assertEquals(0, rc, "README's Fit example does not compile:\n" + diag + "\n" + program);
        long before = Torch.liveHandles();
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            cl.loadClass("FitExample").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        List<String> epochs = printed.lines().toList();
        assertTrue(epochs.get(0).startsWith("epoch 1 loss "), printed);
        assertTrue(epochs.size() < 50, "a callback stopped the run before its 50 epochs:\n" + printed);
        double first = Double.parseDouble(epochs.get(0).replaceAll(".* loss ", ""));
        double last = Double.parseDouble(epochs.get(epochs.size() - 1).replaceAll(".* loss ", ""));
        assertTrue(epochs.size() > 1 && last < first, printed);
        assertEquals(before, Torch.liveHandles(), "the Fit example leaked native handles");
    }

    @Test
    void readmeIsAManualOfAtMost300Lines() throws Exception {
        long lines = Files.readAllLines(Path.of("README.md")).size();
        assertTrue(lines <= 300, "README.md has " + lines + " lines; measurements and reasons go to docs/");
    }
}

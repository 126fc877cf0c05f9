package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The engine boundary: no package cycle through {@code internal}, and a module that hides it. */
class BoundaryTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Set<String> HIDDEN = Set.of("dev.jtorch.internal", "dev.jtorch.tensor.access");
    /** A reference to a class in a package below the root, e.g. {@code dev.jtorch.tensor.Tensor}. */
    private static final Pattern SUBPACKAGE = Pattern.compile("\\bdev\\.jtorch\\.([a-z][a-z0-9_]*)\\b");

    private static String withoutComments(String java) {
        return java.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }

    /** Code only: no comments, no string literals (a logger may be named {@code dev.jtorch.leaks}). */
    private static String code(String java) {
        return withoutComments(java).replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
    }

    /** The packages with sources under src/main/java. */
    private static Set<String> sourcePackages() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java"))
                    .map(p -> SOURCES.relativize(p.getParent()).toString().replace('\\', '/').replace('/', '.'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void internalUsesNoPublicPackageButTheRoot() throws IOException {
        Path internal = SOURCES.resolve("dev/jtorch/internal");
        assertTrue(Files.isDirectory(internal), "run from the project root: " + internal.toAbsolutePath());
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.list(internal)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList())) {
                Matcher m = SUBPACKAGE.matcher(code(Files.readString(f)));
                while (m.find()) {
                    if (!m.group(1).equals("internal")) {
                        offenders.add(f.getFileName() + ": " + m.group());
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "dev.jtorch.internal must not depend on jtorch's public packages");
    }

    @Test
    void onlyInternalAndUnsafeTouchThePresets() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES.resolve("dev/jtorch"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList())) {
                String rel = SOURCES.relativize(f).toString().replace('\\', '/');
                if (rel.startsWith("dev/jtorch/internal/") || rel.startsWith("dev/jtorch/unsafe/")) {
                    continue;
                }
                if (code(Files.readString(f)).contains("org.bytedeco")) {
                    offenders.add(rel);
                }
            }
        }
        assertEquals(List.of(), offenders, "only internal (and the unsafe escape hatch) may use org.bytedeco");
    }

    @Test
    void theModuleExportsEveryPackageButThePlumbing() throws IOException {
        Path descriptor = Path.of("target/classes/module-info.class");
        assertTrue(Files.exists(descriptor), "build first: " + descriptor.toAbsolutePath());
        ModuleDescriptor md;
        try (InputStream in = Files.newInputStream(descriptor)) {
            md = ModuleDescriptor.read(in);
        }
        assertEquals("dev.jtorch", md.name());
        Set<String> exported = md.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        for (ModuleDescriptor.Exports e : md.exports()) {
            assertFalse(e.isQualified(), "exports " + e.source() + " only to " + e.targets());
        }
        Set<String> packages = sourcePackages(); // javac's descriptor lists no packages (jar adds them)
        for (String hidden : HIDDEN) {
            assertTrue(packages.contains(hidden), hidden + " should exist");
            assertFalse(exported.contains(hidden), hidden + " must not be exported");
        }
        Set<String> expected = new TreeSet<>(packages);
        expected.removeAll(HIDDEN);
        assertEquals(expected, exported, "every other package is public API and exported");
        for (ModuleDescriptor.Opens o : md.opens()) {
            assertFalse(HIDDEN.contains(o.source()), "opens " + o.source());
            assertTrue(o.isQualified(), "opens " + o.source() + " to everyone");
        }
    }
}

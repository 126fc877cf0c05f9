package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@link Property} is the one list of {@code -Djtorch.*} properties: no source names one besides it. */
class PropertyTest {
    @Test
    void noSourceNamesAJtorchPropertyButTheEnum() throws Exception {
        Pattern literal = Pattern.compile("\"jtorch\\.[A-Za-z]+\"");
        List<String> strays = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.endsWith(Path.of("dev/jtorch/Property.java"))) {
                    continue;
                }
                Matcher m = literal.matcher(Files.readString(f));
                while (m.find()) {
                    strays.add(f + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), strays, "read jtorch.* properties through dev.jtorch.Property");
    }

    @Test
    void keysAreTheDocumentedNames() {
        assertEquals(List.of("jtorch.threads", "jtorch.threadPlan", "jtorch.blasCore", "jtorch.mallocTuning",
                "jtorch.pointerGc", "jtorch.mkldnn", "jtorch.onednnInference", "jtorch.onednnTraining",
                "jtorch.nnpack", "jtorch.ompWait", "jtorch.cuda", "jtorch.denseStep", "jtorch.fusedSgd", "jtorch.leakTracking"),
                Stream.of(Property.values()).map(Property::key).toList());
    }

    @Test
    void keysAreUniqueAndValuesFallBackToTheDefault() {
        assertEquals(Property.values().length, Stream.of(Property.values()).map(Property::key).distinct().count());
        String saved = System.getProperty(Property.DENSE_STEP.key());
        try {
            System.clearProperty(Property.DENSE_STEP.key());
            assertTrue(Property.DENSE_STEP.isTrue());
            System.setProperty(Property.DENSE_STEP.key(), " FALSE ");
            assertEquals("FALSE", Property.DENSE_STEP.raw());
            assertTrue(!Property.DENSE_STEP.isTrue());
        } finally {
            if (saved == null) {
                System.clearProperty(Property.DENSE_STEP.key());
            } else {
                System.setProperty(Property.DENSE_STEP.key(), saved);
            }
        }
    }
}

package dev.jtorch.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A run's {@code metrics.jsonl}: one {@link EpochMetrics} JSON line per epoch. */
final class MetricsFile {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetricsFile() {}

    /** The run's {@code metrics.jsonl} in output folder {@code out}. */
    static Path of(Path out) {
        return out.resolve("metrics.jsonl");
    }

    /** Appends {@code m} as one line, creating the file if needed. */
    static void append(Path file, EpochMetrics m) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(m) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** {@code m} as a JSON object, as a checkpoint records it. */
    @SuppressWarnings("unchecked")
    static java.util.Map<String, Object> toMap(EpochMetrics m) {
        return JSON.convertValue(m, java.util.Map.class);
    }

    /**
     * Makes {@code metrics.jsonl} agree with a checkpoint of {@code epochs} completed epochs
     * before a resumed run appends to it: a crash between the metrics append and the checkpoint's
     * rename leaves a line the checkpoint does not know (which the resumed run would write again),
     * a crash the other way round lacks the checkpoint's last line, and a crash mid-append leaves
     * a torn last line. So: lines of later epochs and lines that do not parse are dropped, each
     * epoch keeps one line (the last written, or the checkpoint's own record of its last epoch,
     * {@code recorded}), in epoch order; the file is rewritten atomically, and only if that
     * changes it.
     *
     * @param create whether to write the file from {@code recorded} when it does not exist (the
     *     checkpoint's own run folder; a fresh {@code --out} starts without the earlier lines)
     */
    static void reconcile(Path file, int epochs, EpochMetrics recorded, boolean create) throws IOException {
        boolean exists = Files.exists(file);
        if (!exists && !(create && recorded != null)) {
            return;
        }
        String before = exists ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        TreeMap<Integer, String> kept = new TreeMap<>();
        int dropped = 0;
        int lineNo = 0;
        for (String line : before.split("\n", -1)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            int epoch = epochOf(line);
            if (epoch < 1) {
                // torn by a crash mid-append, or edited by hand: nothing in it can be trusted
                LOG.warn("{}: line {} is not a complete metrics line; dropped", file, lineNo);
                dropped++;
            } else if (epoch > epochs) {
                dropped++;
            } else {
                if (kept.put(epoch, line.strip()) != null) {
                    dropped++;
                }
            }
        }
        if (recorded != null) {
            kept.put(recorded.epoch(), JSON.writeValueAsString(recorded));
        }
        StringBuilder after = new StringBuilder();
        kept.values().forEach(l -> after.append(l).append('\n'));
        if (!after.toString().equals(before)) {
            LOG.info("{}: made consistent with the checkpoint's {} epoch(s) before resuming ({} line(s) dropped)", file,
                    epochs, dropped);
            AtomicFiles.write(file, after.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The epoch of a metrics line, or 0 if the line is not a JSON object with a positive integer epoch. */
    private static int epochOf(String line) {
        try {
            JsonNode n = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(line);
            JsonNode e = n == null ? null : n.get("epoch");
            return e != null && e.isIntegralNumber() && e.canConvertToInt() && e.asInt() > 0 ? e.asInt() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Every epoch recorded in a {@code metrics.jsonl}, for the curves. */
    static List<Plots.EpochPoint> readHistory(Path file) throws IOException {
        List<Plots.EpochPoint> points = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            EpochMetrics m = JSON.readValue(line, EpochMetrics.class);
            points.add(new Plots.EpochPoint(m.epoch(), m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy()));
        }
        return points;
    }
}

package dev.jtorch.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PNG pictures a training run leaves in its output folder: training curves
 * ({@code loss.png}, {@code accuracy.png}), the confusion-matrix heat map and the reliability
 * diagram. Each file is written to a temp file and renamed.
 *
 * <p>They are drawn with XChart, an <em>optional</em> dependency of jtorch: a service that only
 * runs models does not carry it (nor its PDF and font libraries). Where XChart is not on the
 * class path every method draws nothing, returns null and logs one line, once; the CLI's
 * {@code scripts/jtorch} always has it.
 */
public final class Plots {
    private static final Logger LOG = LoggerFactory.getLogger(Plots.class);
    private static final boolean AVAILABLE = present("org.knowm.xchart.XYChart");
    private static volatile boolean told;

    private Plots() {}

    /** One point per epoch. */
    public record EpochPoint(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy) {}

    /** Whether XChart is on the class path, so that the pictures are drawn. */
    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * {@code loss.png} and {@code accuracy.png}: loss and accuracy per epoch, train and test.
     *
     * @return the loss picture, or null if XChart is not on the class path
     * @throws IOException if a file cannot be written
     */
    public static Path curves(List<EpochPoint> points, Path dir) throws IOException {
        return AVAILABLE ? XChartPlots.curves(points, dir) : skipped();
    }

    /**
     * {@code confusion_matrix.png}: rows are true classes, columns predicted, colour the count.
     *
     * @return the file, or null if XChart is not on the class path
     * @throws IOException if the file cannot be written
     */
    public static Path confusionMatrix(long[][] counts, List<String> labels, Path dir) throws IOException {
        return AVAILABLE ? XChartPlots.confusionMatrix(counts, labels, dir) : skipped();
    }

    /**
     * {@code reliability.png}: per confidence bin, the accuracy against the mean confidence (a
     * calibrated model lies on the diagonal).
     *
     * @param binConfidence mean top-1 confidence per bin (NaN for empty bins)
     * @param binAccuracy accuracy per bin (NaN for empty bins)
     * @return the file, or null if XChart is not on the class path
     * @throws IOException if the file cannot be written
     */
    public static Path reliability(double[] binConfidence, double[] binAccuracy, Path dir) throws IOException {
        return AVAILABLE ? XChartPlots.reliability(binConfidence, binAccuracy, dir) : skipped();
    }

    private static Path skipped() {
        if (!told) {
            told = true;
            LOG.info("plots skipped: XChart (org.knowm.xchart:xchart, an optional dependency of jtorch) is not on the"
                    + " class path");
        }
        return null;
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Plots.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}

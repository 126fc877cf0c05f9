package dev.jtorch.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@link Plots} drawn with XChart. Only {@link Plots} refers to this class, and only once it has
 * seen XChart on the class path: XChart is an optional dependency.
 */
final class XChartPlots {
    static {
        // no display on servers and CI; XChart draws into a BufferedImage
        System.setProperty("java.awt.headless", "true");
    }

    private XChartPlots() {}

    /**
     * {@code curves.png}: loss and accuracy per epoch, train and test.
     *
     * @throws IOException if the file cannot be written
     */
    static Path curves(List<Plots.EpochPoint> points, Path dir) throws IOException {
        XYChart loss = new XYChartBuilder().width(640).height(400).title("Loss").xAxisTitle("epoch")
                .yAxisTitle("cross-entropy").build();
        XYChart acc = new XYChartBuilder().width(640).height(400).title("Accuracy").xAxisTitle("epoch")
                .yAxisTitle("accuracy").build();
        List<Integer> x = new ArrayList<>();
        List<Double> trL = new ArrayList<>(), teL = new ArrayList<>(), trA = new ArrayList<>(), teA = new ArrayList<>();
        for (Plots.EpochPoint p : points) {
            x.add(p.epoch());
            trL.add(p.trainLoss());
            teL.add(p.testLoss());
            trA.add(p.trainAccuracy());
            teA.add(p.testAccuracy());
        }
        loss.addSeries("train", x, trL).setMarker(SeriesMarkers.CIRCLE);
        loss.addSeries("test", x, teL).setMarker(SeriesMarkers.CIRCLE);
        acc.addSeries("train", x, trA).setMarker(SeriesMarkers.CIRCLE);
        acc.addSeries("test", x, teA).setMarker(SeriesMarkers.CIRCLE);
        Path lossFile = save(loss, dir, "loss.png");
        save(acc, dir, "accuracy.png");
        return lossFile;
    }

    /**
     * {@code confusion_matrix.png}: rows are true classes, columns predicted, colour the count.
     *
     * @throws IOException if the file cannot be written
     */
    static Path confusionMatrix(long[][] counts, List<String> labels, Path dir) throws IOException {
        int c = counts.length;
        HeatMapChart chart = new HeatMapChartBuilder().width(760).height(680).title("Confusion matrix (rows: true)")
                .xAxisTitle("predicted").yAxisTitle("true").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setPlotContentSize(1.0);
        chart.getStyler().setXAxisLabelRotation(45);
        List<String> x = new ArrayList<>(labels);
        List<String> y = new ArrayList<>(labels);
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < c; t++) {
            for (int p = 0; p < c; p++) {
                // XChart draws y upwards: put the first class at the top
                cells.add(new Number[] {p, c - 1 - t, counts[t][p]});
            }
        }
        java.util.Collections.reverse(y);
        chart.addSeries("counts", x, y, cells);
        return save(chart, dir, "confusion_matrix.png");
    }

    /**
     * {@code reliability.png}: per confidence bin, the accuracy against the mean confidence (a
     * calibrated model lies on the diagonal).
     *
     * @param binConfidence mean top-1 confidence per bin (NaN for empty bins)
     * @param binAccuracy accuracy per bin (NaN for empty bins)
     * @throws IOException if the file cannot be written
     */
    static Path reliability(double[] binConfidence, double[] binAccuracy, Path dir) throws IOException {
        int bins = binAccuracy.length;
        CategoryChart chart = new CategoryChartBuilder().width(640).height(480).title("Reliability diagram")
                .xAxisTitle("confidence bin").yAxisTitle("accuracy").build();
        List<String> names = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        List<Double> conf = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            names.add(String.format(java.util.Locale.ROOT, "%.2f", (b + 0.5) / bins));
            acc.add(Double.isNaN(binAccuracy[b]) ? 0.0 : binAccuracy[b]);
            conf.add(Double.isNaN(binConfidence[b]) ? 0.0 : binConfidence[b]);
        }
        chart.addSeries("accuracy", names, acc);
        chart.addSeries("confidence", names, conf);
        chart.getStyler().setYAxisMax(1.0).setYAxisMin(0.0);
        chart.getStyler().setXAxisLabelRotation(45);
        return save(chart, dir, "reliability.png");
    }

    private static Path save(Chart<?, ?> chart, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(name);
        Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
        try {
            // BitmapEncoder appends ".png" when the name lacks it; write to a name that ends in .png
            Path png = Path.of(tmp + ".png");
            BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
            Files.move(png, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(Path.of(tmp + ".png"));
        }
        return target;
    }
}

package dev.jtorch.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.data.DataException;
import dev.jtorch.data.Idx;
import dev.jtorch.data.ImageFiles;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code jtorch predict}: class probabilities for PNG/JPEG images or every image of an IDX file.
 *
 * <p>Pixels are scaled to [0, 1] (pixel / 255) and nothing else; colour becomes luminance for the
 * single-channel models; images must have the model's size.
 */
public final class Prediction {
    private Prediction() {}

    /**
     * One class and its probability.
     *
     * @param classIndex the class number
     * @param label its name
     * @param probability softmax probability
     */
    public record Top(@JsonProperty("class") int classIndex, String label, double probability) {}

    /**
     * The top classes of one input image, most probable first.
     *
     * @param index position among all images of all inputs, from 0
     * @param top the classes
     */
    public record Result(int index, List<Top> top) {}

    /**
     * Predicts every image of {@code inputs}.
     *
     * @throws DataException naming the file if an input is unreadable or of the wrong size
     * @throws IllegalArgumentException if {@code topK} is not in [1, classes]
     * @throws IOException if the model file cannot be read
     */
    public static List<Result> run(Path checkpoint, Architecture requested, List<Path> inputs, int topK)
            throws IOException {
        return run(checkpoint, requested, inputs, topK, dev.jtorch.io.Trust.DATA);
    }

    /**
     * As {@link #run(Path, Architecture, List, int)}, with {@code trust} deciding whether a
     * TorchScript archive (code) may be loaded; see {@link ModelLoader}.
     */
    public static List<Result> run(Path checkpoint, Architecture requested, List<Path> inputs, int topK,
                                   dev.jtorch.io.Trust trust) throws IOException {
        return run(checkpoint, requested, inputs, topK, trust, ImageFiles.DEFAULT_MAX_PIXELS);
    }

    /**
     * As {@link #run(Path, Architecture, List, int, dev.jtorch.io.Trust)}, refusing a PNG/JPEG input
     * that declares more than {@code maxPixels} pixels before decoding it.
     *
     * @throws DataException naming the file, its declared size and the limit, if over it
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public static List<Result> run(Path checkpoint, Architecture requested, List<Path> inputs, int topK,
                                   dev.jtorch.io.Trust trust, long maxPixels) throws IOException {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("--max-pixels must be positive, got " + maxPixels);
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("--input needs at least one file");
        }
        ModelLoader.Loaded loaded = ModelLoader.load(checkpoint, requested, trust);
        Architecture arch = loaded.architecture();
        if (topK < 1 || topK > loaded.classes().size()) {
            throw new IllegalArgumentException("--top-k must be in [1, " + loaded.classes().size() + "], got " + topK);
        }
        int sample = arch.channels() * arch.height() * arch.width();
        List<byte[]> images = new ArrayList<>();
        for (Path in : inputs) {
            images.addAll(read(in, arch, maxPixels));
        }
        List<Result> out = new ArrayList<>();
        try (var model = loaded.model(); NoGrad g = NoGrad.enter()) {
            for (int start = 0; start < images.size(); start += 256) {
                int n = Math.min(256, images.size() - start);
                float[] px = new float[n * sample];
                for (int i = 0; i < n; i++) {
                    byte[] img = images.get(start + i);
                    for (int j = 0; j < sample; j++) {
                        px[i * sample + j] = (img[j] & 0xff) / 255f;
                    }
                }
                try (TensorScope s = TensorScope.open()) {
                    Tensor x = Tensor.of(px, Shape.of(n, arch.channels(), arch.height(), arch.width()), DType.FLOAT32,
                            Device.CPU);
                    double[] p = F.softmax(model.forward(x).to(DType.FLOAT64), 1).toDoubleArray();
                    int k = loaded.classes().size();
                    for (int i = 0; i < n; i++) {
                        out.add(new Result(start + i, top(Arrays.copyOfRange(p, i * k, (i + 1) * k), loaded.classes(),
                                topK)));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The {@code k} most probable classes, most probable first; equal probabilities keep the lower
     * class index first (the one top-k of the CLI's {@code predict} and of serving).
     *
     * @param probabilities one per class, in class order
     * @param labels one name per class
     * @throws IllegalArgumentException if {@code k} is outside [1, classes] or the labels do not
     *     match the probabilities
     */
    public static List<Top> top(double[] probabilities, List<String> labels, int k) {
        if (labels.size() != probabilities.length || k < 1 || k > probabilities.length) {
            throw new IllegalArgumentException("top " + k + " of " + probabilities.length + " probabilities with "
                    + labels.size() + " labels");
        }
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // a stable sort: ties stay in class order
        Arrays.sort(order, (a, b) -> Double.compare(probabilities[b], probabilities[a]));
        List<Top> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int c = order[i];
            out.add(new Top(c, labels.get(c), probabilities[c]));
        }
        return List.copyOf(out);
    }

    /** The images of one input file: PNG/JPEG by their magic bytes, else an IDX images file. */
    static List<byte[]> read(Path file, Architecture arch, long maxPixels) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file, Files.exists(file) ? "is not a regular file" : "no such file");
        }
        byte[] head = new byte[4];
        int got;
        try (InputStream in = Files.newInputStream(file)) {
            got = in.readNBytes(head, 0, 4);
        } catch (NoSuchFileException e) {
            throw new DataException(file, "no such file");
        }
        boolean png = got == 4 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G';
        boolean jpeg = got >= 2 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8;
        if (png || jpeg) {
            return List.of(arch.channels() == 1 ? ImageFiles.readGray(file, arch.height(), arch.width(), maxPixels)
                    : ImageFiles.readRgb(file, arch.height(), arch.width(), maxPixels));
        }
        if (arch.channels() != 1) {
            throw new DataException(file, "is not a PNG or JPEG image (IDX files hold single-channel images; model "
                    + arch + " needs colour)");
        }
        Idx.Images idx = Idx.readImages(file);
        if (idx.rows() != arch.height() || idx.cols() != arch.width()) {
            throw new DataException(file, "holds " + idx.rows() + "x" + idx.cols() + " images; model " + arch
                    + " needs " + arch.height() + "x" + arch.width());
        }
        int size = idx.rows() * idx.cols();
        List<byte[]> out = new ArrayList<>(idx.count());
        for (int i = 0; i < idx.count(); i++) {
            byte[] img = new byte[size];
            System.arraycopy(idx.pixels(), i * size, img, 0, size);
            out.add(img);
        }
        return out;
    }
}

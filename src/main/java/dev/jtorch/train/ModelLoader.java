package dev.jtorch.train;

import dev.jtorch.io.Checkpoint;
import dev.jtorch.io.ModelFileException;
import dev.jtorch.io.ModelFiles;
import dev.jtorch.io.ModelKind;
import dev.jtorch.io.SafeTensors;
import dev.jtorch.io.ScriptModule;
import dev.jtorch.io.StateDicts;
import dev.jtorch.io.Trust;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.TorchException;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import dev.jtorch.data.DataSets;

/**
 * Turns a {@code --checkpoint FILE} into a ready model, whatever the file is: our checkpoint
 * (which records its architecture), a bare state dict such as {@code model.pt} or a
 * {@code .safetensors} file (then {@code --model} names the architecture, default {@code mlp}), or
 * a TorchScript archive (a {@link ScriptModule}; {@code --model} then only picks the input shape
 * and class names), detected from the content, never the file name.
 *
 * <p>A TorchScript archive is code, so it is loaded only under {@link Trust#CODE}
 * ({@code --trust-code}); the default, {@link Trust#DATA}, refuses it before libtorch opens it.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /**
     * A model and the architecture it was loaded as.
     *
     * @param model the loaded model, in eval mode; the caller closes it
     * @param architecture its architecture
     * @param classes class names: recorded by the checkpoint, else the architecture's usual data set's
     */
    public record Loaded(Module model, Architecture architecture, List<String> classes) {}

    /** The class names of the data set an architecture is usually trained on. */
    static List<String> defaultClasses(Architecture arch) {
        return arch == Architecture.CIFAR_CNN ? DataSets.cifar10Classes() : DataSets.fashionMnistClasses();
    }

    /** "0", "1", ... for a model of {@code n} classes whose names no file records. */
    static List<String> numbered(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(String::valueOf).toList();
    }

    /**
     * Loads {@code file} as data: a TorchScript archive is refused (see {@link #load(Path,
     * Architecture, Trust)}).
     *
     * @throws ModelFileException naming the file if it is no model file jtorch reads, or TorchScript
     * @throws IOException if it cannot be read
     */
    public static Loaded load(Path file, Architecture requested) throws IOException {
        return load(file, requested, Trust.DATA);
    }

    /**
     * Loads {@code file}.
     *
     * @param requested the {@code --model} flag, or null when not given
     * @param trust {@link Trust#CODE} to allow a TorchScript archive, whose loading and probe
     *     forward run the code it carries
     * @throws IllegalArgumentException if {@code requested} contradicts the architecture the file
     *     records
     * @throws ModelFileException naming the file if it is no model file jtorch reads, or a
     *     checkpoint recording an architecture jtorch does not know
     * @throws IOException if it cannot be read
     */
    public static Loaded load(Path file, Architecture requested, Trust trust) throws IOException {
        java.util.Objects.requireNonNull(trust, "trust");
        ModelKind kind = ModelFiles.detect(file);
        switch (kind) {
            case JTORCH_CHECKPOINT: {
                try (TensorScope s = TensorScope.open()) {
                    Checkpoint c = Checkpoint.load(file);
                    Architecture arch = new CheckpointFields(file, c).architecture();
                    if (requested != null && requested != arch) {
                        throw new IllegalArgumentException("--model " + requested + " contradicts " + file
                                + ", a checkpoint of a " + arch + " model");
                    }
                    Object classes = c.extra().get("classes");
                    List<String> names = defaultClasses(arch);
                    if (classes instanceof List<?> l && !l.isEmpty()) {
                        names = l.stream().map(String::valueOf).toList();
                    }
                    Module m = arch.create(names.size());
                    try {
                        c.restore(m, null);
                    } catch (RuntimeException e) {
                        m.close();
                        throw e;
                    }
                    m.eval();
                    return new Loaded(m, arch, names);
                }
            }
            case STATE_DICT:
            case SAFETENSORS: {
                Architecture arch = requested == null ? Architecture.MLP : requested;
                try (TensorScope s = TensorScope.open()) {
                    var sd = kind == ModelKind.SAFETENSORS ? SafeTensors.load(file) : StateDicts.load(file);
                    // the classes are the last layer's outputs (a Python model trained on other data)
                    Tensor head = sd.get("fc2.bias");
                    int classes = head != null && head.dim() == 1 && head.size(0) >= 1 && head.size(0) <= 1 << 20
                            ? (int) head.size(0) : 10;
                    Module m = arch.create(classes);
                    try {
                        m.loadStateDict(sd, true);
                    } catch (RuntimeException e) {
                        m.close();
                        throw new IllegalArgumentException(file + " does not fit model " + arch + " (use --model): "
                                + e.getMessage(), e);
                    }
                    m.eval();
                    return new Loaded(m, arch, classes == 10 ? defaultClasses(arch) : numbered(classes));
                }
            }
            case TORCHSCRIPT:
                if (trust != Trust.CODE) {
                    throw ModelFiles.codeRefused(file);
                }
                return loadScript(file, requested);
            default:
                if (hasPickle(file)) {
                    // a torch.save archive whose pickle is not a plain tensor dict: the reader says exactly why
                    try (TensorScope s = TensorScope.open()) {
                        StateDicts.load(file);
                    }
                }
                throw new ModelFileException(file, "is not a jtorch checkpoint, a state dict, a safetensors file or a"
                        + " TorchScript archive");
        }
    }

    /**
     * A TorchScript archive carries its own architecture; {@code --model} (default: the 1x28x28
     * models' input) only says which input shape and class names to use. One probe forward on a
     * zero image checks that the script accepts that input and returns one score per class, so
     * that a mismatch is reported here, naming the file, rather than at the first batch.
     */
    private static Loaded loadScript(Path file, Architecture requested) throws IOException {
        Architecture arch = requested == null ? Architecture.MLP : requested;
        List<String> classes = defaultClasses(arch);
        ScriptModule m = ScriptModule.load(file);
        try (NoGrad g = NoGrad.enter(); TensorScope s = TensorScope.open()) {
            Shape in = Shape.of(1, arch.channels(), arch.height(), arch.width());
            Shape out;
            try {
                out = m.forward(Tensor.zeros(in, DType.FLOAT32, Device.CPU)).shape();
            } catch (TorchException e) {
                throw new IllegalArgumentException(file + ": the TorchScript model does not accept " + arch.channels()
                        + "x" + arch.height() + "x" + arch.width() + " images (" + in + ", the input of --model " + arch
                        + "): " + e.getMessage(), e);
            }
            if (out.rank() != 2 || out.size(1) != classes.size()) {
                throw new IllegalArgumentException(file + ": the TorchScript model maps " + in + " to " + out
                        + ", not to [1, " + classes.size() + "] class scores");
            }
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return new Loaded(m, arch, classes);
    }

    /** Whether {@code file} is a zip with a {@code <prefix>/data.pkl} entry (what torch.save writes). */
    private static boolean hasPickle(Path file) {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(file.toFile())) {
            return z.stream().anyMatch(e -> e.getName().endsWith("/data.pkl"));
        } catch (IOException e) {
            return false;
        }
    }
}

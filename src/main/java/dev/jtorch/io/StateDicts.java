package dev.jtorch.io;

import dev.jtorch.internal.NativeIO;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Saves and loads plain state dicts (name -> tensor) in the file format of PyTorch's
 * {@code torch.save}, so that Python reads them with {@code torch.load(file)} and
 * {@code model.load_state_dict(...)} accepts them.
 *
 * <pre>{@code
 * StateDicts.save(model.stateDict(), Path.of("model.pt"));
 * try (var scope = TensorScope.open()) {
 *     fresh.loadStateDict(StateDicts.load(Path.of("model.pt")));
 * }
 * }</pre>
 *
 * <p>The file is libtorch's {@code torch::pickle_save} of a {@code Dict[str, Tensor]}: a zip with
 * {@code <archive>/data.pkl} and one entry per tensor. Tensors are written as detached, contiguous
 * CPU copies in the map's iteration order (a {@link LinkedHashMap}, such as
 * {@code Module.stateDict()}, keeps PyTorch's order). {@link #load} reads these files (and plain
 * dicts of tensors saved by Python, and Python's {@code torch.save(model.state_dict(), file)},
 * an {@code OrderedDict}) with jtorch's own pickle reader, which refuses any Python global a state
 * dict does not need instead of executing it.
 */
public final class StateDicts {
    private StateDicts() {}

    /**
     * Writes {@code stateDict} to {@code file} atomically (see {@link AtomicFiles}).
     *
     * @param stateDict names to tensors, on any device; an empty map writes an empty dict
     * @throws IllegalArgumentException if a name or tensor is null
     * @throws IllegalStateException if a tensor is closed
     * @throws IOException if the file cannot be written; a previous file stays intact
     */
    public static void save(Map<String, Tensor> stateDict, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] bytes = toBytes(stateDict);
        AtomicFiles.write(file, bytes);
    }

    /**
     * The bytes {@link #save} writes: {@code torch::pickle_save} of the dict.
     *
     * @throws IllegalArgumentException if a name or tensor is null
     * @throws IllegalStateException if a tensor is closed
     */
    public static byte[] toBytes(Map<String, Tensor> stateDict) {
        Objects.requireNonNull(stateDict, "stateDict");
        List<String> names = new ArrayList<>(stateDict.size());
        List<NativeTensor> handles = new ArrayList<>(stateDict.size());
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("state dict has a null name");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("state dict entry '" + e.getKey() + "' is null");
            }
            names.add(e.getKey());
            try {
                handles.add(TensorAccess.handle(e.getValue()));
            } catch (IllegalStateException closed) {
                throw new IllegalStateException("state dict entry '" + e.getKey() + "' is a closed tensor", closed);
            }
        }
        return NativeIO.pickleSaveTensorDict(names, handles);
    }

    /**
     * Reads a state dict saved by {@link #save} or by Python's {@code torch.save} (an
     * {@code OrderedDict} from {@code model.state_dict()}, or a plain dict of name -> tensor) into
     * tensors owned by the current scope, in file order.
     *
     * <p>The file is read by jtorch's own pickle reader ({@code PyTorchPickle}), which understands
     * only what a state dict needs: any other Python global in the file (a class, a function such
     * as {@code os.system}) is refused, never imported or executed. Tensors come back contiguous,
     * on the CPU, with the file's dtype, not requiring gradients; views keep their own values only.
     *
     * @return an unmodifiable map, in file order; its tensors are freed with the current scope
     * @throws IllegalStateException if no {@link TensorScope} is open
     * @throws NoSuchFileException if the file does not exist
     * @throws ModelFileException if the file is not such a state dict: PyTorch's legacy (pre-1.6)
     *     format, a truncated or corrupt zip, a pickle referencing a global outside the allowlist
     *     (named in the message), values that are not tensors, a TorchScript archive, a jtorch
     *     checkpoint; the message names the file and says what it is and what is supported
     * @throws IOException if the file cannot be read
     */
    public static Map<String, Tensor> load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        requireScope("StateDicts.load(" + file + ")");
        ModelFiles.requireRegularFile(file, "state dict file");
        byte[] head = ModelFiles.head(file, 4);
        int n = head.length;
        if (!ModelFiles.isZip(head)) {
            if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
                throw new ModelFileException(file, "is in PyTorch's legacy torch.save format (before PyTorch 1.6: a bare"
                        + " pickle, not a zip), which jtorch does not read; in Python (PyTorch >= 1.6),"
                        + " torch.save(torch.load(old), new) rewrites it in the zip format (" + SUPPORTED + ")");
            }
            throw new ModelFileException(file, "is not a state dict: not a zip archive (" + SUPPORTED + ")");
        }
        String hint = explainKind(file);
        if (!hint.isEmpty()) {
            throw new ModelFileException(file, "is not a state dict" + hint);
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new ModelFileException(file, "is not a readable zip archive (truncated or corrupt: " + e.getMessage()
                    + "); " + SUPPORTED, e);
        }
        try (zip) {
            return PyTorchPickle.read(zip, file);
        } catch (dev.jtorch.internal.Pickle.Refused e) {
            throw new ModelFileException(file, e.getMessage() + " (" + SUPPORTED + ")");
        } catch (ZipException | java.io.EOFException e) {
            throw new ModelFileException(file, "has a zip entry that cannot be read (truncated or corrupt: "
                    + e.getMessage() + "); " + SUPPORTED, e);
        } catch (IllegalArgumentException e) {
            // ZipFile decodes entry names lazily and throws this for one that is not UTF-8
            throw new ModelFileException(file, "is a corrupt zip archive (an entry name is not valid UTF-8: "
                    + e.getMessage() + "); " + SUPPORTED, e);
        }
    }

    /** What {@link ModelFiles#detect} makes of a refused file, as a hint for the message. */
    private static String explainKind(Path file) {
        try {
            switch (ModelFiles.detect(file)) {
                case JTORCH_CHECKPOINT:
                    return "; the file is a jtorch checkpoint: read it with Checkpoint.load";
                case TORCHSCRIPT:
                    return "; the file is a TorchScript archive (torch.jit.save), not a state dict";
                default:
                    return "";
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static final String SUPPORTED = "supported: torch.save zip files (PyTorch >= 1.6) of a dict or OrderedDict of"
            + " name -> tensor, such as Python's model.state_dict(), StateDicts.save or C++ torch::pickle_save";

    private static void requireScope(String what) {
        if (!TensorScope.isOpen()) {
            throw new IllegalStateException(what + ": no TensorScope is open on thread "
                    + Thread.currentThread().getName() + "; the loaded tensors belong to the current scope."
                    + " Wrap the call in try (TensorScope s = TensorScope.open()) { ... }");
        }
    }
}

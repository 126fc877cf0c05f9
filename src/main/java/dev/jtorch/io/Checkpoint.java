package dev.jtorch.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtorch.internal.OptimizerArchive;
import dev.jtorch.internal.Pickle;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * jtorch's training checkpoint: everything needed to resume a run exactly, in one zip file.
 *
 * <p>Entries: {@code checkpoint.json} ({@code {"format": "jtorch-checkpoint", "format_version": 1,
 * "architecture", "epoch", "seed", "optimizer": {"kind", "lr", ...} or null, "extra": {...}}}),
 * {@code model.pt} (the model's state dict as {@link StateDicts#save} writes it, so
 * {@code unzip -p checkpoint.pt model.pt > model.pt} gives a file Python's {@code torch.load}
 * reads) and {@code optimizer.bin} ({@link Optimizer#stateBytes()}; absent when
 * {@code optimizer} is null).
 *
 * <pre>{@code
 * new Checkpoint("mlp", epoch, seed, model.stateDict(), Checkpoint.OptimizerState.of(opt), Map.of())
 *         .save(out.resolve("checkpoint.pt"));
 * try (var scope = TensorScope.open()) {
 *     Checkpoint c = Checkpoint.load(file);
 *     c.restore(model, opt);
 * }
 * }</pre>
 *
 * <p><b>Ownership.</b> The record holds the model tensors it was given (for {@link #save}, e.g. a
 * module's own parameters: not closed by the checkpoint); {@link #load} returns tensors owned by
 * the current scope.
 *
 * @param architecture the model's name, e.g. {@code "mlp"}; never null
 * @param epoch the number of completed epochs, at least 0
 * @param seed the run's seed
 * @param model the model's state dict, in order
 * @param optimizer the optimizer's kind, settings and state, or null for a model-only checkpoint
 * @param extra free-form JSON-compatible values (numbers, strings, booleans, null, lists, maps),
 *     e.g. a schedule's state
 */
public record Checkpoint(String architecture, long epoch, long seed, Map<String, Tensor> model,
                         OptimizerState optimizer, Map<String, Object> extra) {
    /** The value of {@code format} in {@code checkpoint.json}. */
    public static final String FORMAT = "jtorch-checkpoint";
    /** The format version this jtorch writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;
    /** Entry with the metadata. */
    public static final String JSON_ENTRY = "checkpoint.json";
    /** Entry with the model's state dict. */
    public static final String MODEL_ENTRY = "model.pt";
    /** Entry with the optimizer's state bytes. */
    public static final String OPTIMIZER_ENTRY = "optimizer.bin";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Validates and copies the maps (the tensors themselves are not copied).
     *
     * @throws IllegalArgumentException if architecture is empty, epoch negative, or extra holds a
     *     value JSON cannot represent
     * @throws NullPointerException if architecture or model is null
     */
    public Checkpoint {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(model, "model");
        if (architecture.isBlank()) {
            throw new IllegalArgumentException("checkpoint architecture must not be empty");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("checkpoint epoch must be >= 0, got " + epoch);
        }
        model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        try {
            JSON.valueToTree(extra);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint extra is not JSON-compatible: " + e.getMessage(), e);
        }
    }

    /**
     * An optimizer's kind, settings and state.
     *
     * @param kind e.g. {@code "SGD"}, {@code "Adam"}, {@code "AdamW"}
     * @param settings JSON-compatible settings, at least {@code lr}; recorded for people and tools,
     *     the state bytes carry what {@link Optimizer#loadState} checks
     * @param state {@link Optimizer#stateBytes()}
     */
    public record OptimizerState(String kind, Map<String, Object> settings, byte[] state) {
        /**
         * Copies the settings map.
         *
         * @throws NullPointerException if kind or state is null
         */
        public OptimizerState {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(state, "state");
            settings = settings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }

        /** The state of {@code optimizer}: its class name as kind, {@code lr} as the only setting. */
        public static OptimizerState of(Optimizer optimizer) {
            return of(optimizer, Map.of());
        }

        /** The state of {@code optimizer} with {@code lr} and the given extra settings (e.g. momentum). */
        public static OptimizerState of(Optimizer optimizer, Map<String, Object> settings) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("lr", optimizer.lr());
            s.putAll(settings);
            return new OptimizerState(optimizer.getClass().getSimpleName(), s, optimizer.stateBytes());
        }

        /** The recorded learning rate, or NaN if none was recorded. */
        public double lr() {
            Object lr = settings.get("lr");
            return lr instanceof Number ? ((Number) lr).doubleValue() : Double.NaN;
        }
    }

    /**
     * Loads the model state into {@code model} (strict) and the optimizer state into
     * {@code optimizer}, which may be null to restore the model only.
     *
     * @throws dev.jtorch.nn.StateDictException if the state dict does not fit the model
     * @throws IllegalArgumentException if the optimizer state does not fit the optimizer, or the
     *     checkpoint has no optimizer state and one was given
     */
    public void restore(Module model, Optimizer optimizer) {
        model.loadStateDict(this.model, true);
        if (optimizer != null) {
            if (this.optimizer == null) {
                throw new IllegalArgumentException("checkpoint (" + architecture + ", epoch " + epoch
                        + ") has no optimizer state");
            }
            optimizer.loadState(this.optimizer.state());
        }
    }

    // ================================================================ writing

    /**
     * Writes this checkpoint to {@code file} atomically (see {@link AtomicFiles}).
     *
     * @throws IllegalStateException if a model tensor is closed
     * @throws IOException if the file cannot be written; a previous file stays intact
     */
    public void save(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] json = JSON.writeValueAsBytes(metadata());
        byte[] modelBytes = StateDicts.toBytes(model);
        byte[] optimizerBytes = optimizer == null ? null : optimizer.state();
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.setLevel(6);
            putDeflated(zip, JSON_ENTRY, json);
            putStored(zip, MODEL_ENTRY, modelBytes); // tensor data barely compresses
            if (optimizerBytes != null) {
                putStored(zip, OPTIMIZER_ENTRY, optimizerBytes);
            }
            zip.finish();
        });
    }

    private ObjectNode metadata() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", FORMAT_VERSION);
        root.put("architecture", architecture);
        root.put("epoch", epoch);
        root.put("seed", seed);
        if (optimizer == null) {
            root.putNull("optimizer");
        } else {
            ObjectNode o = root.putObject("optimizer");
            o.put("kind", optimizer.kind());
            o.setAll((ObjectNode) JSON.valueToTree(optimizer.settings()));
        }
        root.set("extra", JSON.valueToTree(extra));
        return root;
    }

    private static void putDeflated(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private static void putStored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    // ================================================================ reading

    /**
     * Reads a checkpoint written by {@link #save}; the model tensors belong to the current scope.
     *
     * @throws IllegalStateException if no {@code TensorScope} is open
     * @throws NoSuchFileException if the file does not exist
     * @throws ModelFileException if the file is not a regular file or not a zip, lacks an entry, has another format name
     *     or a newer format version, or its model state is corrupt; the message names the file
     *     and the problem
     * @throws IOException if reading fails
     */
    public static Checkpoint load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!dev.jtorch.tensor.TensorScope.isOpen()) {
            throw new IllegalStateException("Checkpoint.load(" + file + "): no TensorScope is open on thread "
                    + Thread.currentThread().getName() + "; the loaded tensors belong to the current scope."
                    + " Wrap the call in try (TensorScope s = TensorScope.open()) { ... }");
        }
        ModelFiles.requireRegularFile(file, "checkpoint file");
        if (!ModelFiles.isZip(ModelFiles.head(file, 4))) {
            throw new ModelFileException(file, "not a jtorch checkpoint: not a zip archive from its first byte (a jtorch"
                    + " checkpoint is a zip with " + JSON_ENTRY + ", " + MODEL_ENTRY + " and " + OPTIMIZER_ENTRY + ")");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new ModelFileException(file, "not a jtorch checkpoint: not a zip archive (a jtorch checkpoint is a zip"
                    + " with " + JSON_ENTRY + ", " + MODEL_ENTRY + " and " + OPTIMIZER_ENTRY + ")", e);
        }
        try (zip) {
            return read(file, zip);
        } catch (ZipException e) {
            throw new ModelFileException(file, "corrupt zip archive: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // ZipFile decodes entry names lazily and throws this for one that is not UTF-8
            throw new ModelFileException(file, "corrupt zip archive or metadata (" + e.getMessage() + ")", e);
        }
    }

    private static Checkpoint read(Path file, ZipFile zip) throws IOException {
        byte[] jsonBytes = entry(file, zip, JSON_ENTRY, "the metadata", MetadataJson.MAX_BYTES);
        JsonNode root;
        try {
            root = MetadataJson.READER.readTree(jsonBytes);
        } catch (JsonProcessingException e) {
            throw new ModelFileException(file, JSON_ENTRY + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFileException(file, JSON_ENTRY + " is not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual() || !FORMAT.equals(format.asText())) {
            throw new ModelFileException(file, "not a jtorch checkpoint: " + JSON_ENTRY + " has format "
                    + (format == null ? "(missing)" : format.toString()) + ", expected \"" + FORMAT + "\"");
        }
        JsonNode version = root.get("format_version");
        if (version == null || !version.canConvertToInt() || !version.isIntegralNumber() || version.asInt() < 1) {
            throw new ModelFileException(file, JSON_ENTRY + " has an invalid format_version "
                    + (version == null ? "(missing)" : version.toString()) + ", expected an integer >= 1");
        }
        if (version.asInt() > FORMAT_VERSION) {
            throw new ModelFileException(file, "checkpoint format_version " + version.asInt()
                    + " was written by a newer jtorch; this jtorch reads format_version up to " + FORMAT_VERSION);
        }
        String architecture = text(file, root, "architecture");
        long epoch = integer(file, root, "epoch");
        long seed = integer(file, root, "seed");
        if (epoch < 0) {
            throw new ModelFileException(file, JSON_ENTRY + " has a negative epoch " + epoch);
        }
        Map<String, Object> extra = Map.of();
        JsonNode extraNode = root.get("extra");
        if (extraNode != null && !extraNode.isNull()) {
            if (!extraNode.isObject()) {
                throw new ModelFileException(file, JSON_ENTRY + ": \"extra\" must be a JSON object, is " + extraNode.getNodeType());
            }
            extra = JSON.convertValue(extraNode, JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
        }
        OptimizerState optimizer = null;
        JsonNode opt = root.get("optimizer");
        if (opt != null && !opt.isNull()) {
            if (!opt.isObject()) {
                throw new ModelFileException(file, JSON_ENTRY + ": \"optimizer\" must be a JSON object or null");
            }
            String kind = text(file, opt, "kind");
            Map<String, Object> settings = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = opt.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("kind")) {
                    settings.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
                }
            }
            byte[] state = entry(file, zip, OPTIMIZER_ENTRY, "the optimizer state of " + kind, Integer.MAX_VALUE - 16);
            try {
                OptimizerArchive.check(state);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(file, "entry " + OPTIMIZER_ENTRY + " refused: " + e.getMessage(), e);
            }
            optimizer = new OptimizerState(kind, settings, state);
        }
        byte[] modelBytes = entry(file, zip, MODEL_ENTRY, "the model state dict", Integer.MAX_VALUE - 16);
        Map<String, Tensor> model;
        try {
            // jtorch's own reader, never libtorch's unpickler: it checks every view against its storage
            model = PyTorchPickle.read(PyTorchPickle.of(modelBytes, "zip archive"));
        } catch (Pickle.Refused e) {
            throw new ModelFileException(file, "entry " + MODEL_ENTRY + " is corrupt: it " + e.getMessage() + " ("
                    + StateDicts.SUPPORTED + ")");
        }
        return new Checkpoint(architecture, epoch, seed, model, optimizer, extra);
    }

    private static byte[] entry(Path file, ZipFile zip, String name, String what, int limit) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null || e.isDirectory()) {
            String hint = "";
            if (name.equals(JSON_ENTRY)) {
                ModelKind kind = ModelFiles.detect(file);
                if (kind == ModelKind.STATE_DICT) {
                    hint = "; the file is a state dict (torch.save / StateDicts.save), not a checkpoint";
                } else if (kind == ModelKind.TORCHSCRIPT) {
                    hint = "; the file is a TorchScript archive (torch.jit.save), not a checkpoint";
                }
            }
            throw new ModelFileException(file, "not a complete jtorch checkpoint: entry " + name + " (" + what
                    + ") is missing" + hint);
        }
        if (e.getSize() > limit) {
            throw new ModelFileException(file, "entry " + name + " is " + e.getSize() + " bytes, more than the " + limit
                    + " allowed for " + what);
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes(limit + 1 > 0 ? limit + 1 : limit);
            if (b.length > limit) {
                throw new ModelFileException(file, "entry " + name + " inflates to more than the " + limit
                        + " bytes allowed for " + what);
            }
            return b;
        }
    }

    private static String text(Path file, JsonNode node, String field) throws ModelFileException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new ModelFileException(file, JSON_ENTRY + ": \"" + field + "\" must be a non-empty string, is "
                    + (v == null ? "missing" : v.toString()));
        }
        return v.asText();
    }

    private static long integer(Path file, JsonNode node, String field) throws ModelFileException {
        JsonNode v = node.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new ModelFileException(file, JSON_ENTRY + ": \"" + field + "\" must be an integer, is "
                    + (v == null ? "missing" : v.toString()));
        }
        return v.asLong();
    }

    /** Compact description for logs: architecture, epoch, seed, optimizer kind and tensor count. */
    @Override
    public String toString() {
        return "Checkpoint[architecture=" + architecture + ", epoch=" + epoch + ", seed=" + seed + ", model="
                + model.size() + " tensors, optimizer=" + (optimizer == null ? "none" : optimizer.kind())
                + ", extra=" + extra.keySet() + "]";
    }
}

package dev.jtorch.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.bytedeco.javacpp.BoolPointer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Adagrad;
import org.bytedeco.pytorch.AdagradOptions;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.OptimizerOptions;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.RMSprop;
import org.bytedeco.pytorch.RMSpropOptions;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * One of libtorch's {@code torch::optim} optimizers over a fixed list of parameters.
 *
 * <p>The update math is libtorch's own (identical to PyTorch's for-loop implementations); this
 * class owns the native optimizer and frees it on {@link #close()}.
 *
 * <p>State bytes ({@link #stateBytes()}) are one libtorch serialization archive (the zip that
 * {@code torch::save(optimizer, path)} writes): libtorch's {@code Optimizer::save} content
 * ({@code pytorch_version}, {@code state}, {@code param_groups}) plus four string attributes of
 * ours, {@code jtorch_format}, {@code jtorch_optimizer} (the kind), {@code jtorch_options} (every
 * setting but the learning rate) and {@code jtorch_params} (dtype, shape and device of each
 * parameter, in order). {@link #loadState} checks those before libtorch sees the state, because
 * libtorch checks neither the optimizer kind (an AdamW state loads silently into Adam) nor the
 * parameter shapes (a mismatch surfaces later inside {@code step}, or broadcasts silently).
 */
public final class NativeOptimizer extends Guarded {
    static {
        NativeRuntime.ensureLoaded();
    }

    /** The optimizer kinds: the name a state records and, where there is one, the momentum's slot. */
    private enum Kind {
        SGD("SGD", options -> new SGDOptions(options).momentum()),
        // libstdc++ lays std::tuple<double, double> out last element first: beta1 is element 1
        ADAM("Adam", options -> new AdamOptions(options).betas().position(1)),
        ADAMW("AdamW", options -> new AdamWOptions(options).betas().position(1)),
        RMSPROP("RMSprop", options -> new RMSpropOptions(options).momentum()),
        ADAGRAD("Adagrad", null);

        final String label;
        /**
         * The live option field holding the momentum (SGD's and RMSprop's {@code momentum},
         * Adam's and AdamW's first beta), or null: each options class derives from
         * {@code OptimizerOptions} alone, so the base pointer is the derived one.
         */
        final Function<OptimizerOptions, DoublePointer> momentum;

        Kind(String label, Function<OptimizerOptions, DoublePointer> momentum) {
            this.label = label;
            this.momentum = momentum;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private static final String FORMAT = "jtorch-optimizer-state/1";
    private static final String KEY_FORMAT = "jtorch_format";
    private static final String KEY_KIND = "jtorch_optimizer";
    private static final String KEY_OPTIONS = "jtorch_options";
    private static final String KEY_PARAMS = "jtorch_params";

    private final Optimizer optimizer;
    private final Kind kind;
    private final String settings;
    private final List<String> params;
    /** The Java handles of the parameters: step refuses to run once their owner closed them. */
    private final NativeTensor[] handles;
    /** SGD's one-call update on libtorch's own state; null for the other kinds. */
    private FusedSgd fused;

    private NativeOptimizer(Optimizer optimizer, Kind kind, String settings, List<NativeTensor> handles) {
        this.optimizer = optimizer;
        this.kind = kind;
        this.settings = settings;
        this.params = describe(handles);
        this.handles = handles.toArray(new NativeTensor[0]);
        Handles.opened();
    }

    private static TensorVector vector(List<NativeTensor> params) {
        Tensor[] ts = new Tensor[params.size()];
        int held = 0;
        try {
            for (; held < ts.length; held++) {
                ts[held] = params.get(held).acquire(); // a module's parameters may be closed meanwhile
            }
            return new TensorVector(ts); // copies: the optimizer holds references of its own
        } finally {
            for (int i = 0; i < held; i++) {
                params.get(i).release();
            }
        }
    }

    private static List<String> describe(List<NativeTensor> params) {
        List<String> out = new ArrayList<>(params.size());
        for (NativeTensor p : params) {
            out.add(p.dtype() + " " + Arrays.toString(p.shape()) + " " + p.device());
        }
        return List.copyOf(out);
    }

    /**
     * Builds the optimizer {@code make} creates over {@code params}, translating libtorch's errors;
     * {@code make} sets every setting but the learning rate through the {@link Settings} it is
     * given, whose text {@link #loadState} compares.
     */
    private static NativeOptimizer open(Kind kind, List<NativeTensor> params,
                                        BiFunction<TensorVector, Settings, Optimizer> make) {
        try (TensorVector v = vector(params)) {
            Settings settings = new Settings();
            Optimizer optimizer = make.apply(v, settings);
            return new NativeOptimizer(optimizer, kind, settings.toString(), params);
        } catch (RuntimeException e) {
            throw Errors.translate(e, kind.label);
        }
    }

    /**
     * The settings of a native options object, each stored and named in one call, so that the text
     * a state records ({@code "momentum=0.9, dampening=0.0, ..."}) lists what was set, in order.
     */
    private static final class Settings {
        private final StringJoiner text = new StringJoiner(", ");

        /** Stores {@code value} with {@code store} and adds {@code name=value} to the text. */
        <T> Settings put(String name, T value, Consumer<T> store) {
            store.accept(value);
            text.add(name + "=" + value);
            return this;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /** {@code torch::optim::SGD}. */
    public static NativeOptimizer sgd(List<NativeTensor> params, double lr, double momentum, double dampening,
                                      double weightDecay, boolean nesterov) {
        return open(Kind.SGD, params, (v, s) -> {
            try (SGDOptions o = new SGDOptions(lr)) {
                s.put("momentum", momentum, o.momentum()::put).put("dampening", dampening, o.dampening()::put)
                        .put("weightDecay", weightDecay, o.weight_decay()::put)
                        .put("nesterov", nesterov, o.nesterov()::put);
                return new SGD(v, o);
            }
        }).withFusedSgd();
    }

    /** Gives this SGD the fused update unless {@code -Djtorch.fusedSgd=false}. */
    private NativeOptimizer withFusedSgd() {
        if (dev.jtorch.Property.FUSED_SGD.isTrue()) {
            fused = new FusedSgd();
        }
        return this;
    }

    /**
     * {@code torch::optim::Adam}, or with {@code decoupled} weight decay {@code torch::optim::AdamW}
     * (the presets' two option classes share no type, so each is filled by {@link #putAdam}).
     */
    public static NativeOptimizer adam(List<NativeTensor> params, boolean decoupled, double lr, double beta1,
                                       double beta2, double eps, double weightDecay, boolean amsgrad) {
        return open(decoupled ? Kind.ADAMW : Kind.ADAM, params, (v, s) -> {
            if (decoupled) {
                try (AdamWOptions o = new AdamWOptions(lr)) {
                    putAdam(s, o.betas(), o.eps(), o.weight_decay(), o.amsgrad(), beta1, beta2, eps, weightDecay,
                            amsgrad);
                    return new AdamW(v, o);
                }
            }
            try (AdamOptions o = new AdamOptions(lr)) {
                putAdam(s, o.betas(), o.eps(), o.weight_decay(), o.amsgrad(), beta1, beta2, eps, weightDecay, amsgrad);
                return new Adam(v, o);
            }
        });
    }

    private static void putAdam(Settings s, DoublePointer betas, DoublePointer epsSlot,
                                DoublePointer weightDecaySlot, BoolPointer amsgradSlot, double beta1, double beta2,
                                double eps, double weightDecay, boolean amsgrad) {
        // libstdc++ lays std::tuple<double, double> out last element first
        s.put("betas", "(" + beta1 + ", " + beta2 + ")", ignored -> betas.put(0, beta2).put(1, beta1))
                .put("eps", eps, epsSlot::put).put("weightDecay", weightDecay, weightDecaySlot::put)
                .put("amsgrad", amsgrad, amsgradSlot::put);
    }

    /** {@code torch::optim::RMSprop}. */
    public static NativeOptimizer rmsprop(List<NativeTensor> params, double lr, double alpha, double eps,
                                          double weightDecay, double momentum, boolean centered) {
        return open(Kind.RMSPROP, params, (v, s) -> {
            try (RMSpropOptions o = new RMSpropOptions(lr)) {
                s.put("alpha", alpha, o.alpha()::put).put("eps", eps, o.eps()::put)
                        .put("weightDecay", weightDecay, o.weight_decay()::put)
                        .put("momentum", momentum, o.momentum()::put).put("centered", centered, o.centered()::put);
                return new RMSprop(v, o);
            }
        });
    }

    /** {@code torch::optim::Adagrad} (its constructor fills every accumulator with the initial value). */
    public static NativeOptimizer adagrad(List<NativeTensor> params, double lr, double lrDecay, double weightDecay,
                                          double initialAccumulatorValue, double eps) {
        return open(Kind.ADAGRAD, params, (v, s) -> {
            try (AdagradOptions o = new AdagradOptions(lr)) {
                s.put("lrDecay", lrDecay, o.lr_decay()::put).put("weightDecay", weightDecay, o.weight_decay()::put)
                        .put("initialAccumulatorValue", initialAccumulatorValue,
                                o.initial_accumulator_value()::put)
                        .put("eps", eps, o.eps()::put);
                return new Adagrad(v, o);
            }
        });
    }

    /**
     * Applies one update from the parameters' current gradients.
     *
     * @throws IllegalStateException if the optimizer or one of its parameters was closed
     */
    public void step() {
        enter();
        try {
            try {
                NativeTensor.acquireAll(handles);
            } catch (IllegalStateException closed) {
                // libtorch holds its own references, so the update would land on tensors nobody sees
                throw new IllegalStateException(kind + ".step: a parameter was closed (was its module closed?);"
                        + " an optimizer is usable only while the module it was built on is open", closed);
            }
            try {
                if (fused == null || !fusedStep()) {
                    try (Tensor unused = optimizer.step()) {
                        // step() returns the closure's loss, undefined without one; the handle is freed here
                    }
                }
            } catch (RuntimeException e) {
                throw Errors.translate(e, kind + ".step");
            } finally {
                NativeTensor.releaseAll(handles, handles.length);
            }
        } finally {
            exit();
        }
    }

    /** SGD's fused update with the group's current learning rate and momentum; false if libtorch's step must run. */
    private boolean fusedStep() {
        OptimizerParamGroupVector groups = optimizer.param_groups();
        if (groups.size() != 1) {
            return false;
        }
        Tensor[] params = new Tensor[handles.length];
        for (int i = 0; i < params.length; i++) {
            params[i] = handles[i].held(); // acquired by step()
        }
        // the group's options are an SGDOptions (see Kind.SGD), owned by the group
        return fused.step(optimizer, params, new SGDOptions(groups.get(0).options()));
    }

    /** SGD updates this process ran as one fused call (for tests: libtorch's per-parameter step is not counted). */
    public static long fusedSgdSteps() {
        return FusedSgd.STEPS.get();
    }

    /** libtorch's own archive of {@code optimizer}'s state, as bytes. */
    static byte[] archiveBytes(Optimizer optimizer) {
        try (OutputArchive archive = new OutputArchive()) {
            optimizer.save(archive);
            return bytes(archive);
        }
    }

    private static byte[] bytes(OutputArchive archive) {
        Collector c = new Collector();
        try {
            archive.save_to(c);
        } finally {
            c.close();
        }
        return c.out.toByteArray();
    }

    /**
     * Throws if a parameter's handle was closed (its module closed): libtorch keeps its own
     * references, so without this check the call would work on tensors nobody can see any more
     * and report nothing. One volatile read per parameter, no native call.
     */
    private void requireOpenParameters(String op) {
        for (NativeTensor h : handles) {
            if (h.isClosed()) {
                throw new IllegalStateException(kind + "." + op + ": a parameter was closed (was its module closed?);"
                        + " an optimizer is usable only while the module it was built on is open");
            }
        }
    }

    /**
     * Zeroes the gradients, or drops them ({@code setToNone}, PyTorch's default).
     *
     * @throws IllegalStateException if the optimizer or one of its parameters was closed
     */
    public void zeroGrad(boolean setToNone) {
        withParameters("zeroGrad", () -> {
            optimizer.zero_grad(setToNone);
            return null;
        });
    }

    /**
     * New handles on the parameters this optimizer updates, in order (the caller closes them).
     *
     * @throws IllegalStateException if the optimizer or one of its parameters was closed
     */
    public NativeTensor[] parameters() {
        return withParameters("parameters", () -> {
            try (TensorVector v = optimizer.parameters()) {
                NativeTensor[] out = new NativeTensor[(int) v.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = NativeTensor.own(new Tensor(v.get(i)));
                }
                return out;
            }
        });
    }

    /**
     * Runs {@code body} as the call {@code op} on open parameters (see
     * {@link #requireOpenParameters}), translating libtorch's errors.
     */
    private <T> T withParameters(String op, Supplier<T> body) {
        enter();
        try {
            requireOpenParameters(op);
            return body.get();
        } catch (RuntimeException e) {
            throw Errors.translate(e, kind + "." + op);
        } finally {
            exit();
        }
    }

    /** The learning rate of the first parameter group. */
    public double lr() {
        return readFirstGroup(OptimizerOptions::get_lr);
    }

    /** Sets the learning rate of every parameter group. */
    public void lr(double lr) {
        writeEveryGroup(options -> options.set_lr(lr));
    }

    private double readFirstGroup(ToDoubleFunction<OptimizerOptions> read) {
        enter();
        try {
            return read.applyAsDouble(optimizer.param_groups().get(0).options());
        } finally {
            exit();
        }
    }

    private void writeEveryGroup(Consumer<OptimizerOptions> write) {
        enter();
        try {
            OptimizerParamGroupVector groups = optimizer.param_groups();
            for (long i = 0; i < groups.size(); i++) {
                write.accept(groups.get(i).options());
            }
        } finally {
            exit();
        }
    }

    /**
     * Whether the optimizer has a momentum a schedule can set: SGD's and RMSprop's
     * {@code momentum}, Adam's and AdamW's first beta (PyTorch's {@code 'momentum'} or
     * {@code 'betas'} in {@code defaults}).
     */
    public boolean hasMomentum() {
        return kind.momentum != null;
    }

    /** The momentum (or first beta) of the first parameter group; see {@link #hasMomentum()}. */
    public double momentum() {
        return readFirstGroup(options -> momentumSlot(options).get());
    }

    /** Sets the momentum (or first beta) of every parameter group; see {@link #hasMomentum()}. */
    public void momentum(double momentum) {
        writeEveryGroup(options -> momentumSlot(options).put(momentum));
    }

    /** The live option field holding the momentum; the options object stays owned by the group. */
    private DoublePointer momentumSlot(OptimizerOptions options) {
        if (kind.momentum == null) {
            throw new IllegalStateException(kind + " has no momentum");
        }
        return kind.momentum.apply(options);
    }

    // ---------------------------------------------------------------- state

    /** Collects what {@code OutputArchive::save_to(writer)} writes. */
    private static final class Collector extends ArchiveWriter {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        @Override
        public long call(Pointer buf, long nbytes) {
            if (nbytes <= 0) {
                return 0;
            }
            if (nbytes > Integer.MAX_VALUE - 16) {
                return 0; // libtorch reports the short write as an error
            }
            byte[] chunk = new byte[(int) nbytes];
            new BytePointer(buf).get(chunk, 0, chunk.length);
            out.write(chunk, 0, chunk.length);
            return nbytes;
        }
    }

    /**
     * The optimizer's complete state (per-parameter buffers, step counts, group settings
     * including the current learning rate) as libtorch archive bytes; see the class comment.
     *
     * @throws IllegalStateException if the optimizer or one of its parameters was closed
     */
    public byte[] stateBytes() {
        return withParameters("stateBytes", () -> {
            try (OutputArchive archive = new OutputArchive()) {
                optimizer.save(archive);
                writeString(archive, KEY_FORMAT, FORMAT);
                writeString(archive, KEY_KIND, kind.label);
                writeString(archive, KEY_OPTIONS, settings);
                writeString(archive, KEY_PARAMS, String.join("; ", params));
                return bytes(archive);
            }
        });
    }

    private static void writeString(OutputArchive archive, String key, String value) {
        try (IValue v = new IValue(value)) {
            archive.write(key, v);
        }
    }

    private static String readString(InputArchive archive, String key) {
        try (IValue v = new IValue()) {
            if (!archive.try_read(key, v) || !v.isString()) {
                return null;
            }
            try (BytePointer s = v.toStringRef()) {
                return s.getString();
            }
        }
    }

    /**
     * Replaces the optimizer's state with one saved by {@link #stateBytes()}.
     *
     * @throws IllegalArgumentException if the bytes come from another kind of optimizer, other
     *     settings, or other parameters (count, dtype, shape or device), naming the difference
     * @throws IllegalArgumentException if the bytes hold code or are not an archive of the shape
     *     {@link #stateBytes()} writes ({@link OptimizerArchive}); checked before libtorch reads them
     * @throws dev.jtorch.TorchException if the bytes are not a libtorch archive
     * @throws IllegalStateException if the optimizer or one of its parameters was closed
     */
    public void loadState(byte[] bytes) {
        withParameters("loadState", () -> {
            load(bytes, kind + ".loadState");
            return null;
        });
    }

    private void load(byte[] bytes, String context) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException(context + ": empty state");
        }
        // libtorch opens the archive as TorchScript, which runs the methods of any class in it:
        // check in Java first that it holds only what stateBytes() writes
        try {
            OptimizerArchive.check(bytes);
        } catch (OptimizerArchive.Corrupt e) {
            throw new dev.jtorch.TorchException(context + " (not an optimizer state archive): " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(context + ": " + e.getMessage(), e);
        }
        try (BytePointer data = new BytePointer(bytes); InputArchive archive = new InputArchive()) {
            try {
                archive.load_from(data, bytes.length);
            } catch (RuntimeException e) {
                throw Errors.translate(e, context + " (not an optimizer state archive)");
            }
            String format = readString(archive, KEY_FORMAT);
            if (!FORMAT.equals(format)) {
                throw new IllegalArgumentException(context + ": not a jtorch optimizer state ("
                        + (format == null ? "no " + KEY_FORMAT + " entry" : KEY_FORMAT + " " + format) + ")");
            }
            String savedKind = readString(archive, KEY_KIND);
            if (!kind.label.equals(savedKind)) {
                throw new IllegalArgumentException(context + ": the state was saved by " + savedKind
                        + ", not by " + kind);
            }
            String savedSettings = readString(archive, KEY_OPTIONS);
            if (!settings.equals(savedSettings)) {
                throw new IllegalArgumentException(context + ": the state was saved with settings ("
                        + savedSettings + "), this " + kind + " has (" + settings + ")");
            }
            checkParams(context, readString(archive, KEY_PARAMS));
            optimizer.load(archive);
            if (fused != null) {
                fused.forget(); // libtorch's state holds other tensors now
            }
        }
    }

    private void checkParams(String context, String saved) {
        List<String> was = saved == null || saved.isEmpty() ? List.of() : Arrays.asList(saved.split("; "));
        if (was.size() != params.size()) {
            throw new IllegalArgumentException(context + ": the state was saved for " + was.size()
                    + " parameters, this optimizer has " + params.size());
        }
        for (int i = 0; i < was.size(); i++) {
            if (!was.get(i).equals(params.get(i))) {
                throw new IllegalArgumentException(context + ": parameter " + i + " was " + was.get(i)
                        + " when saved, is " + params.get(i) + " here");
            }
        }
    }

    /** Frees the native optimizer and its state once no call is using it; idempotent. */
    public void close() {
        closeGuarded();
    }

    @Override
    protected void free() {
        if (fused != null) {
            fused.close();
        }
        optimizer.close();
        Handles.closed();
    }

    @Override
    protected IllegalStateException usedAfterClose() {
        return new IllegalStateException(kind + " used after close()");
    }
}

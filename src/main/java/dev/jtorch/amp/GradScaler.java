package dev.jtorch.amp;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.internal.NativeAmp;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Dynamic loss scaling for float16 training ({@code torch.amp.GradScaler}), with PyTorch's
 * semantics.
 *
 * <pre>{@code
 * try (GradScaler scaler = new GradScaler()) {
 *     for (...) {                                     // one scope per step
 *         try (Autocast a = Autocast.enter(gpu, DType.FLOAT16)) { loss = F.crossEntropy(model.forward(x), y); }
 *         opt.zeroGrad();
 *         scaler.scale(loss).backward();              // gradients of loss * scale
 *         scaler.step(opt);                           // unscales; skips the step on inf/NaN gradients
 *         scaler.update();                            // backs off or grows the scale
 *     }
 * }
 * }</pre>
 *
 * <p>float16 gradients of small losses underflow to zero; scaling the loss (by 2^16 at first)
 * lifts them into range, and {@link #unscale} divides them back before the optimizer sees them.
 * When any gradient holds inf or NaN the step is skipped and the scale is multiplied by the backoff
 * factor (0.5); after {@code growthInterval} (2000) consecutive good steps it is multiplied by the
 * growth factor (2). Gradient clipping goes between {@link #unscale} and {@link #step}.
 *
 * <p>The inf/NaN check runs on the gradients' device and its flag stays there until
 * {@link #step} reads it: one host synchronisation per step, none per parameter. The gradients
 * must be float32 (float32 parameters, as under {@link Autocast}); float16 gradients are refused
 * as in PyTorch. Works on CPU too, where it is rarely needed (bfloat16 has float32's range).
 *
 * <p>{@link #state()} / {@link #loadState} save and restore the scale and growth tracker for
 * checkpoints. Not thread-safe. Holds native flags between {@link #unscale} and
 * {@link #update}: close it (or finish the step) to free them.
 */
public final class GradScaler implements AutoCloseable {
    /** Where one optimizer is within the current iteration (PyTorch's {@code OptState}). */
    private enum Stage { READY, UNSCALED, STEPPED }

    /** Per-optimizer progress in this iteration: the device flags until read, then the answer. */
    private static final class OptState {
        Stage stage = Stage.READY;
        final Map<Device, NativeTensor> allFinite = new LinkedHashMap<>();
        Boolean foundInf;

        boolean foundInf() {
            if (foundInf == null) {
                if (allFinite.isEmpty()) {
                    throw new IllegalStateException("No inf checks were recorded for this optimizer: none of its"
                            + " parameters has a gradient (call backward() on the scaled loss first)");
                }
                boolean inf = false;
                for (NativeTensor flag : allFinite.values()) {
                    inf |= !NativeAmp.read(flag);
                }
                free();
                foundInf = inf;
            }
            return foundInf;
        }

        void free() {
            allFinite.values().forEach(NativeTensor::close);
            allFinite.clear();
        }
    }

    private final boolean enabled;
    private double growthFactor;
    private double backoffFactor;
    private int growthInterval;
    /** float32, as PyTorch's scale tensor: the values and their rounding match PyTorch's. */
    private float scale;
    private int growthTracker;
    private final Map<Optimizer, OptState> states = new IdentityHashMap<>();
    private boolean closed;

    /** A scaler with PyTorch's defaults ({@link GradScalerOptions#defaults()}). */
    public GradScaler() {
        this(GradScalerOptions.defaults());
    }

    /** A scaler with the given settings. */
    public GradScaler(GradScalerOptions options) {
        Objects.requireNonNull(options, "options");
        this.enabled = options.enabled();
        this.growthFactor = options.growthFactor();
        this.backoffFactor = options.backoffFactor();
        this.growthInterval = options.growthInterval();
        this.scale = (float) options.initScale();
    }

    /** Whether scaling is on (a disabled scaler passes everything through). */
    public boolean isEnabled() {
        return enabled;
    }

    /** The current scale factor (PyTorch's {@code get_scale()}); 1.0 when disabled. */
    public double scale() {
        return enabled ? scale : 1.0;
    }

    /** Consecutive steps without inf/NaN gradients since the last growth or backoff. */
    public int growthTracker() {
        return growthTracker;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("GradScaler used after close()");
        }
    }

    /**
     * {@code loss * scale}, a tensor of the current scope; {@code loss} itself when disabled.
     *
     * <p>A 0-dim float16/bfloat16 loss is promoted to float32 first, as PyTorch's
     * {@code loss * scale_tensor} does.
     *
     * @throws IllegalArgumentException if {@code loss} is not floating-point
     * @throws IllegalStateException if no scope is open or the scaler is closed
     */
    public Tensor scale(Tensor loss) {
        Objects.requireNonNull(loss, "loss");
        checkOpen();
        if (!enabled) {
            return loss;
        }
        if (!loss.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("GradScaler.scale: the loss must be floating-point, got " + loss.dtype()
                    + " " + loss.shape());
        }
        Tensor l = loss.dim() == 0 && loss.dtype().byteSize() == 2 ? loss.to(DType.FLOAT32) : loss;
        return l.mul(scale);
    }

    /**
     * Divides the gradients of {@code optimizer}'s parameters by the scale, in place, and records
     * on their device whether any was inf or NaN ({@code unscale_}). Optional: {@link #step} does it
     * when not done; call it yourself to clip or inspect the true gradients first. Once per
     * optimizer between {@link #update} calls. Needs no open scope.
     *
     * @throws IllegalStateException if called twice for this optimizer since the last
     *     {@link #update}, or after {@link #step}, or on a closed scaler
     * @throws IllegalArgumentException if a gradient is float16 (keep parameters in float32)
     */
    public void unscale(Optimizer optimizer) {
        Objects.requireNonNull(optimizer, "optimizer");
        checkOpen();
        if (!enabled) {
            return;
        }
        OptState st = states.computeIfAbsent(optimizer, o -> new OptState());
        if (st.stage == Stage.UNSCALED) {
            throw new IllegalStateException("unscale() has already been called on this optimizer since the last update()");
        }
        if (st.stage == Stage.STEPPED) {
            throw new IllegalStateException("unscale() is being called after step()");
        }
        // PyTorch: inv_scale = scale.double().reciprocal().float()
        double invScale = (float) (1.0 / (double) scale);
        try (TensorScope s = TensorScope.open()) {
            List<Tensor> grads = new ArrayList<>();
            for (Tensor p : optimizer.parameters()) {
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                if (g.dtype() == DType.FLOAT16) { // checked before any gradient changes, as PyTorch does
                    throw new IllegalArgumentException("Attempting to unscale FP16 gradients (parameter " + p.shape()
                            + "): keep the parameters in float32 and let Autocast run ops in float16");
                }
                grads.add(g);
            }
            for (Tensor g : grads) {
                NativeTensor flag = st.allFinite.get(g.device());
                if (flag == null) {
                    flag = NativeAmp.allFiniteFlag(g.device());
                    st.allFinite.put(g.device(), flag);
                }
                NativeAmp.unscaleAndCheck(TensorAccess.handle(g), invScale, flag);
            }
        }
        st.stage = Stage.UNSCALED;
    }

    /**
     * Unscales the gradients (unless {@link #unscale} already did) and runs
     * {@code optimizer.step()} unless a gradient was inf or NaN. Reads the device's inf flag: the
     * one host synchronisation of the iteration. When disabled, just steps.
     *
     * @return whether the optimizer stepped (false: skipped because of inf/NaN gradients)
     * @throws IllegalStateException if {@code step} was already called for this optimizer since
     *     the last {@link #update}, if no parameter has a gradient, or on a closed scaler
     */
    public boolean step(Optimizer optimizer) {
        Objects.requireNonNull(optimizer, "optimizer");
        checkOpen();
        if (!enabled) {
            optimizer.step();
            return true;
        }
        OptState st = states.computeIfAbsent(optimizer, o -> new OptState());
        if (st.stage == Stage.STEPPED) {
            throw new IllegalStateException("step() has already been called since the last update()");
        }
        if (st.stage == Stage.READY) {
            unscale(optimizer);
        }
        boolean skip = st.foundInf();
        if (!skip) {
            optimizer.step();
        }
        st.stage = Stage.STEPPED;
        return !skip;
    }

    /**
     * Adjusts the scale for the next iteration ({@code _amp_update_scale_}): times the backoff
     * factor if any optimizer saw inf/NaN gradients (and the growth tracker restarts), else one
     * more good step, and times the growth factor (if the result is finite) when the tracker
     * reaches the growth interval. Starts the next iteration for every optimizer.
     *
     * @throws IllegalStateException if no optimizer was unscaled or stepped since the last update,
     *     or on a closed scaler
     */
    public void update() {
        checkOpen();
        if (!enabled) {
            return;
        }
        boolean recorded = false;
        boolean foundInf = false;
        for (OptState st : states.values()) {
            if (st.stage != Stage.READY) {
                recorded = true;
                foundInf |= st.foundInf();
            }
        }
        if (!recorded) {
            throw new IllegalStateException("No inf checks were recorded prior to update(): call step() or unscale()"
                    + " first");
        }
        if (foundInf) {
            scale = (float) (scale * backoffFactor);
            growthTracker = 0;
        } else {
            int successful = growthTracker + 1;
            if (successful == growthInterval) {
                float grown = (float) (scale * growthFactor);
                if (Float.isFinite(grown)) {
                    scale = grown;
                }
                growthTracker = 0;
            } else {
                growthTracker = successful;
            }
        }
        reset();
    }

    /**
     * Sets the scale to {@code newScale} instead of adjusting it (PyTorch's
     * {@code update(new_scale)}); the growth tracker is kept. Starts the next iteration.
     *
     * @throws IllegalArgumentException if {@code newScale} is not a positive finite number
     * @throws IllegalStateException on a closed scaler
     */
    public void update(double newScale) {
        checkOpen();
        if (!enabled) {
            return;
        }
        if (!(newScale > 0) || Double.isInfinite(newScale)) {
            throw new IllegalArgumentException("GradScaler.update: newScale must be a positive finite number, got "
                    + newScale);
        }
        scale = (float) newScale;
        reset();
    }

    private void reset() {
        states.values().forEach(OptState::free);
        states.clear();
    }

    /**
     * The scaler's state for a checkpoint: PyTorch's {@code state_dict()} content.
     *
     * @param scale the current scale
     * @param growthFactor growth factor
     * @param backoffFactor backoff factor
     * @param growthInterval growth interval
     * @param growthTracker consecutive good steps so far
     */
    public record State(double scale, double growthFactor, double backoffFactor, int growthInterval,
                        int growthTracker) {
        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException naming the bad value
         */
        public State {
            new GradScalerOptions(scale, growthFactor, backoffFactor, growthInterval, true);
            if (growthTracker < 0 || growthTracker >= growthInterval) {
                throw new IllegalArgumentException("GradScaler state: growth tracker " + growthTracker
                        + " outside [0, growthInterval = " + growthInterval + ")");
            }
        }

        /**
         * The state under PyTorch's {@code state_dict()} keys: {@code scale}, {@code growth_factor},
         * {@code backoff_factor}, {@code growth_interval}, {@code _growth_tracker}.
         */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scale", scale);
            m.put("growth_factor", growthFactor);
            m.put("backoff_factor", backoffFactor);
            m.put("growth_interval", growthInterval);
            m.put("_growth_tracker", growthTracker);
            return m;
        }

        /**
         * Reads {@link #toMap()}'s keys (numbers of any type, e.g. from JSON).
         *
         * @throws IllegalArgumentException naming a missing or non-numeric key, or a bad value
         */
        public static State fromMap(Map<String, ?> m) {
            Objects.requireNonNull(m, "map");
            if (m.isEmpty()) {
                throw new IllegalArgumentException("GradScaler state is empty (saved from a disabled scaler?)");
            }
            return new State(number(m, "scale").doubleValue(), number(m, "growth_factor").doubleValue(),
                    number(m, "backoff_factor").doubleValue(), number(m, "growth_interval").intValue(),
                    number(m, "_growth_tracker").intValue());
        }

        private static Number number(Map<String, ?> m, String key) {
            Object v = m.get(key);
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("GradScaler state: key '" + key + "' "
                        + (v == null ? "is missing" : "is not a number: " + v));
            }
            return n;
        }
    }

    /** The current scale, factors, interval and growth tracker. */
    public State state() {
        return new State(scale, growthFactor, backoffFactor, growthInterval, growthTracker);
    }

    /**
     * Restores {@link #state()}: scale, factors, interval and growth tracker all become the saved
     * ones, and the current iteration restarts (any unscaled gradients' flags are dropped).
     *
     * @throws IllegalStateException on a closed scaler
     */
    public void loadState(State state) {
        Objects.requireNonNull(state, "state");
        checkOpen();
        scale = (float) state.scale();
        growthFactor = state.growthFactor();
        backoffFactor = state.backoffFactor();
        growthInterval = state.growthInterval();
        growthTracker = state.growthTracker();
        reset();
    }

    /** Frees the inf flags of an unfinished iteration; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            reset();
            closed = true;
        }
    }
}

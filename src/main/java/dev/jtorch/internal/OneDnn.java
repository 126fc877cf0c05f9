package dev.jtorch.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.Block;
import org.bytedeco.pytorch.BlockArrayRef;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Graph;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueOptional;
import org.bytedeco.pytorch.JitNode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Symbol;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.Value;
import org.bytedeco.pytorch.ValueArrayRef;
import org.bytedeco.pytorch.ValueVector;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oneDNN's convolution forward, called explicitly (never through the global switch), only where it is right.
 *
 * <p>The presets' libtorch 2.10 bundles oneDNN 3.7.1, whose direct JIT convolution kernels
 * ({@code jit:avx512_core}, {@code jit:avx2}, {@code jit:avx}) compute wrong results on blocked
 * (NCHW16c / NCHW8c) layouts when the <em>reduced</em> channel dimension ends in a partial block:
 * the forward when the input channels per group are more than one block and not a multiple of 16
 * (e.g. 17, 24, 33), the backward-data when the output channels are not a multiple of the block
 * (docs/design.md, "oneDNN convolutions"). jtorch therefore keeps libtorch's global oneDNN switch
 * off (every {@code at::convolution}, forward and backward, runs libtorch's own kernels) and calls
 * {@code at::mkldnn_convolution} itself where the forward is known to be right:
 * <ul>
 *   <li>without a gradient recorded (inference), a channels-last input is handed over as an NCHW
 *       copy (channels-last inputs take oneDNN's other kernels, some of which are wrong too:
 *       depthwise with 2 outputs per channel, some 1x1), and a layer's weight may come reordered
 *       ({@link PackedConvWeight});</li>
 *   <li>with a gradient recorded (training), only ungrouped convolutions with kernels larger than
 *       1x1, the input in its own layout: the forward is oneDNN's and the backward stays libtorch's
 *       own ({@code mkldnn_convolution}'s autograd formula is the generic {@code convolution_backward},
 *       which follows the global switch). On the MNIST CNN's second convolution at 1 thread the
 *       forward took about 60% of libtorch's channels-last kernel's time (docs/benchmarks.md);</li>
 *   <li>only float32 CPU, 4-D inputs, NCHW- or channels-last-contiguous;</li>
 *   <li>only for channel counts outside the bug ({@link #safeChannels}): depthwise, or at most 8
 *       input channels per group, or a multiple of 16;</li>
 *   <li>and each distinct shape (and layout) is checked once against libtorch's own kernel before
 *       it is trusted ({@link #conv2d}); a shape that disagrees is logged as an error and stays native.</li>
 * </ul>
 * {@code -Djtorch.onednnInference=false} turns both paths off, {@code -Djtorch.onednnTraining=false}
 * the second. None of this touches a process-wide switch, so it is safe on any number of threads.
 */
public final class OneDnn {
    /** Property that turns oneDNN inference convolutions off ({@code false}); on by default. */
    public static final String PROPERTY = dev.jtorch.Property.ONEDNN_INFERENCE.key();
    private static final Logger LOG = LoggerFactory.getLogger(OneDnn.class);
    private static final boolean ENABLED = !"false".equalsIgnoreCase(dev.jtorch.Property.ONEDNN_INFERENCE.value());
    /** Whether training convolutions may take oneDNN's forward ({@code -Djtorch.onednnTraining=false}: never). */
    private static final boolean TRAINING = !"false".equalsIgnoreCase(dev.jtorch.Property.ONEDNN_TRAINING.value());
    /** Relative tolerance of the shape check (float32 against float32 with another summation order). */
    static final double TOLERANCE = 1e-4;

    private static final Map<String, Boolean> VERDICTS = new ConcurrentHashMap<>();
    private static final AtomicInteger REJECTED = new AtomicInteger();
    private static final AtomicInteger USED = new AtomicInteger();

    static {
        NativeRuntime.ensureLoaded();
    }

    private OneDnn() {}

    /** Whether the path is on: the property allows it, libtorch has oneDNN, and the global switch is off. */
    public static boolean enabled() {
        return ENABLED && torch.hasMKLDNN() && !torch.globalContext().userEnabledMkldnn();
    }

    /**
     * Whether oneDNN's float32 NCHW forward is right for these channel counts on this build (see
     * the class comment): depthwise (one input and one output channel per group), at most 8 input
     * channels per group (one block at any ISA), or a multiple of 16 (no partial block).
     */
    public static boolean safeChannels(long inPerGroup, long outPerGroup, long groups) {
        if (inPerGroup <= 0 || outPerGroup <= 0 || groups <= 0) {
            return false;
        }
        if (groups > 1 && inPerGroup == 1 && outPerGroup == 1) {
            return true;
        }
        return inPerGroup <= 8 || inPerGroup % 16 == 0;
    }

    /** Convolutions that took oneDNN, and shapes refused by the check, since start (for tests and `info`). */
    public static int used() {
        return USED.get();
    }

    /** Shapes whose oneDNN result disagreed with libtorch's kernel and that therefore stay native. */
    public static int rejected() {
        return REJECTED.get();
    }

    /**
     * Whether a gradient is recorded through this convolution: grad mode on and an operand that
     * requires grad.
     */
    static boolean recordsGradient(Tensor x, Tensor w, Tensor bias) {
        return GradMode.is_enabled() && (x.requires_grad() || w.requires_grad() || bias != null && bias.requires_grad());
    }

    /**
     * Whether {@link #conv2d} may take the oneDNN path for these arguments (everything but the
     * one-time shape check). {@code training}: a gradient is recorded, so only the forward runs on
     * oneDNN and only for the shapes whose channels-last kernels were never seen wrong (no groups,
     * kernels larger than 1x1).
     */
    static boolean eligible(Tensor x, Tensor w, Tensor bias, long[] stride, long[] padding, long[] dilation,
                            long groups, boolean training) {
        if (!enabled() || training && !TRAINING || x.dim() != 4 || w.dim() != 4 || !x.is_cpu() || !w.is_cpu()
                || groups < 1 || x.scalar_type().value != torch.ScalarType.Float.value
                || w.scalar_type().value != torch.ScalarType.Float.value
                || stride.length != 2 || padding.length != 2 || dilation.length != 2
                || !x.is_contiguous() && !x.is_contiguous(torch.MemoryFormat.ChannelsLast)
                // autocast would have run at::conv2d in bfloat16; mkldnn_convolution is not on its list
                || NativeAmp.enabled(dev.jtorch.Device.Type.CPU)) {
            return false;
        }
        if (training && (groups != 1 || w.size(2) * w.size(3) < 2)) {
            return false;
        }
        if (bias != null && (bias.dim() != 1 || !bias.is_cpu() || bias.size(0) != w.size(0)
                || bias.scalar_type().value != torch.ScalarType.Float.value)) {
            return false;
        }
        long cout = w.size(0);
        if (x.size(0) < 1 || x.size(1) != w.size(1) * groups || cout % groups != 0
                || !safeChannels(w.size(1), cout / groups, groups)) {
            return false;
        }
        for (int d = 0; d < 2; d++) {
            if (stride[d] < 1 || padding[d] < 0 || dilation[d] < 1
                    || x.size(2 + d) + 2 * padding[d] < dilation[d] * (w.size(2 + d) - 1) + 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * The convolution through oneDNN when {@link #eligible} and its shape passed the check, else
     * null (the caller then runs libtorch's own kernel). {@code training}: whether a gradient is
     * recorded through it ({@link #recordsGradient}, which the caller has asked already); without
     * one, the layer's weight may come reordered once ({@code packed}, may be null) where
     * {@link PackedConvWeight#reorderable} allows.
     *
     * <p>With a gradient recorded, the input goes to oneDNN in its own layout (a channels-last
     * input gives a channels-last output, as libtorch's kernel does) and the weight as it is (it
     * changes at every step). The result's autograd node is {@code MkldnnConvolutionBackward0},
     * whose formula is libtorch's generic {@code convolution_backward}: with the global switch off
     * (a condition of {@link #enabled}) that is libtorch's own kernel, the same call and the same
     * bits as {@code at::conv2d}'s backward ({@code OneDnnTest}), never oneDNN's wrong backward-data.
     */
    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, long[] stride, long[] padding, long[] dilation, long groups,
                         PackedConvWeight packed, boolean training) {
        if (!eligible(x, w, bias, stride, padding, dilation, groups, training)) {
            return null;
        }
        boolean channelsLast = training && !x.is_contiguous();
        long[] xs = shape(x), ws = shape(w);
        String key = Arrays.toString(xs) + Arrays.toString(ws) + (bias != null) + Arrays.toString(stride)
                + Arrays.toString(padding) + Arrays.toString(dilation) + groups + (channelsLast ? " channels-last" : "");
        Boolean ok = VERDICTS.get(key);
        if (ok == null) {
            ok = VERDICTS.computeIfAbsent(key, k -> check(xs, ws, bias != null, stride, padding, dilation, groups,
                    channelsLast));
        }
        if (!ok) {
            return null;
        }
        USED.incrementAndGet();
        if (training) {
            try (TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(bias)) {
                return torch.mkldnn_convolution(x, w, b, padding, stride, dilation, groups);
            }
        }
        NativeTensor pw = packed == null ? null : packed.acquire(w, stride, padding, dilation, groups);
        // a channels-last input goes to oneDNN as an NCHW copy; an NCHW input costs no extra handle
        Tensor copy = x.is_contiguous() ? null : x.contiguous();
        try (TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(bias)) {
            return torch.mkldnn_convolution(copy == null ? x : copy, pw == null ? w : pw.held(), b, padding, stride,
                    dilation, groups);
        } finally {
            if (copy != null) {
                copy.close();
            }
            if (pw != null) {
                pw.release();
            }
        }
    }

    /**
     * Compares oneDNN's forward with libtorch's own kernel at one shape, on deterministic data
     * (not the caller's: an all-zero batch would hide a wrong kernel; no random generator, so
     * the caller's random stream is untouched). oneDNN runs twice, the second time on memory the
     * first left behind, so a kernel that reads uninitialised padding shows up, and (where
     * {@link PackedConvWeight} reorders) a third time with the weight reordered as it keeps it. A
     * disagreement is logged as an error naming the shape.
     */
    static boolean check(long[] xs, long[] ws, boolean withBias, long[] stride, long[] padding, long[] dilation,
                         long groups) {
        return check(xs, ws, withBias, stride, padding, dilation, groups, false);
    }

    /**
     * {@link #check(long[], long[], boolean, long[], long[], long[], long)} with the input in
     * channels-last layout ({@code channelsLast}, the training path's case; oneDNN's channels-last
     * kernels are others than its NCHW ones), where the reordered weight is not tried.
     */
    static boolean check(long[] xs, long[] ws, boolean withBias, long[] stride, long[] padding, long[] dilation,
                         long groups, boolean channelsLast) {
        // ordinary tensors even under the caller's inference mode: PackedConvWeight needs a version counter
        try (Guards.NoGradScope g = Guards.noGrad();
             org.bytedeco.pytorch.InferenceMode normal = new org.bytedeco.pytorch.InferenceMode(false)) {
            Tensor x = pattern(xs, 0.37, 1.0);
            if (channelsLast) {
                Tensor nchw = x;
                x = nchw.contiguous(torch.MemoryFormat.ChannelsLast);
                nchw.close();
            }
            Tensor w = pattern(ws, 0.53, 1.0 / Math.sqrt((double) ws[1] * ws[2] * ws[3]));
            Tensor b = withBias ? pattern(new long[] {ws[0]}, 0.71, 0.1) : null;
            double err;
            try (TensorOptional bo = b == null ? new TensorOptional() : new TensorOptional(b)) {
                Tensor ref = torch.conv2d(x, w, bo, stride, padding, dilation, groups);
                double scale = Math.max(1e-30, maxAbs(ref));
                Tensor y1 = torch.mkldnn_convolution(x, w, bo, padding, stride, dilation, groups);
                err = maxDiff(y1, ref) / scale;
                y1.close();
                Tensor y2 = torch.mkldnn_convolution(x, w, bo, padding, stride, dilation, groups);
                err = Math.max(err, maxDiff(y2, ref) / scale);
                y2.close();
                try (PackedConvWeight packed = new PackedConvWeight()) { // the weight as a Conv2d hands it over
                    NativeTensor pw = channelsLast ? null : packed.acquire(w, stride, padding, dilation, groups);
                    if (pw != null) {
                        try (Tensor y3 = torch.mkldnn_convolution(x, pw.held(), bo, padding, stride, dilation,
                                groups)) {
                            err = Math.max(err, maxDiff(y3, ref) / scale);
                        } finally {
                            pw.release();
                        }
                    }
                }
                ref.close();
            }
            x.close();
            w.close();
            if (b != null) {
                b.close();
            }
            if (err <= TOLERANCE) {
                return true;
            }
            REJECTED.incrementAndGet();
            LOG.error("oneDNN's convolution is wrong for input {}{} weight {} stride {} padding {} dilation {} groups {}"
                    + " (relative error {}); this shape keeps libtorch's own kernel. Please report it with `jtorch info`.",
                    Arrays.toString(xs), channelsLast ? " (channels-last)" : "", Arrays.toString(ws),
                    Arrays.toString(stride), Arrays.toString(padding),
                    Arrays.toString(dilation), groups, err);
            return false;
        } catch (RuntimeException e) {
            REJECTED.incrementAndGet();
            LOG.error("oneDNN's convolution failed for input {} weight {}: {}; this shape keeps libtorch's own kernel",
                    Arrays.toString(xs), Arrays.toString(ws), Errors.firstLine(String.valueOf(e.getMessage())));
            return false;
        }
    }

    /** {@code sin(i * step + 0.1) * scale} over the elements, in the given shape (float32, NCHW). */
    private static Tensor pattern(long[] shape, double step, double scale) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        try (Scalar end = new Scalar(n); Scalar st = new Scalar(step); Scalar off = new Scalar(0.1);
             Scalar sc = new Scalar(scale); Tensor i = torch.arange(end); Tensor f = i.to(torch.ScalarType.Float);
             Tensor a = f.mul(st); Tensor b = a.add(off); Tensor c = b.sin(); Tensor d = c.mul(sc)) {
            return d.reshape(shape).contiguous();
        }
    }

    static double maxDiff(Tensor a, Tensor b) {
        try (Tensor d = a.sub(b); Tensor ad = d.abs(); Tensor m = ad.max()) {
            double v = m.item_double();
            return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
        }
    }

    /** The largest absolute value (NaN counts as infinite). */
    static double maxAbs(Tensor a) {
        try (Tensor ad = a.abs(); Tensor m = ad.max()) {
            double v = m.item_double();
            return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
        }
    }

    /** The sizes without native temporaries (a {@code sizes().vec()} per call would never be freed). */
    static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.size(i);
        }
        return s;
    }

    // ------------------------------------------------------------------ TorchScript graphs

    private static final Symbol CONV2D = Symbol.fromQualString("aten::conv2d");
    private static final Symbol CONVOLUTION = Symbol.fromQualString("aten::_convolution");
    private static final Symbol MKLDNN_CONV = Symbol.fromQualString("aten::mkldnn_convolution");
    private static final String CONV2D_SCHEMA = "aten::conv2d(Tensor input, Tensor weight, Tensor? bias=None,"
            + " int[2] stride=1, int[2] padding=0, int[2] dilation=1, int groups=1) -> Tensor";

    /**
     * Rewrites, in the forward graph of a frozen (inference-only) module {@code owner}, every 2-D
     * convolution whose weight is a constant float32 CPU tensor with {@link #safeChannels} and whose
     * groups are constant into {@code aten::mkldnn_convolution}; returns how many. Where stride,
     * padding and dilation are constant too, the weight is reordered once into oneDNN's blocked
     * layout ({@code mkldnn_reorder_conv2d_weight}) and kept as an attribute of {@code owner}, so
     * that no call reorders it again (the per-call reorder cost a large 3x3 convolution several
     * times its own time; docs/design.md); not for 1x1 kernels, whose pre-reordered weights
     * oneDNN's jit_1x1 kernel got wrong. The caller checks the rewritten module's outputs against
     * the original's before using it.
     */
    static int rewriteConvolutions(Graph graph, org.bytedeco.pytorch.JitModule owner) {
        return rewriteAll(graph.block(), (node, index) -> replace(node, graph, owner, index));
    }

    private static final Symbol MAX_POOL2D = Symbol.fromQualString("aten::max_pool2d");
    private static final Symbol CONTIGUOUS = Symbol.fromQualString("aten::contiguous");
    /** {@code c10::MemoryFormat} values, as TorchScript passes them (ints). */
    private static final long CONTIGUOUS_FORMAT = 0, CHANNELS_LAST = 2;

    /**
     * Rewrites, in the forward graph of an inference-only copy, every {@code aten::max_pool2d} to
     * pool a channels-last copy of its input and hand on an NCHW-contiguous result; returns how
     * many. libtorch 2.10's NCHW max pool is a scalar loop that also tracks indices (ResNet-18's
     * stem pool took about a tenth of its forward at 1x3x224x224), while its channels-last kernel is
     * vectorised over channels; the eager {@code F.maxPool2d} does the same for 16 channels or more
     * (NativeFunctional). A max picks, it does not round, so the values are the same elements; the
     * NCHW result keeps what follows (oneDNN convolutions included) on the layout it had. A 3-D
     * input makes the copy fail for that input signature, which then stays on the module.
     */
    static int rewriteMaxPools(Graph graph) {
        return rewriteAll(graph.block(), (node, index) -> poolChannelsLast(node, graph));
    }

    private static boolean poolChannelsLast(JitNode node, Graph graph) {
        try (Symbol kind = node.kind(); ValueArrayRef in = node.inputs(); ValueArrayRef out = node.outputs()) {
            if (kind.asInt() != MAX_POOL2D.asInt() || in.size() != 6 || out.size() != 1) {
                return false;
            }
            Value pooled = out.at(0);
            graph.setInsertPoint(node);
            JitNode channelsLast = contiguous(graph, in.at(0), CHANNELS_LAST);
            channelsLast.insertBefore(node);
            node.replaceInput(0, channelsLast.output());
            JitNode nchw = contiguous(graph, pooled, CONTIGUOUS_FORMAT);
            nchw.insertAfter(node);
            pooled.replaceAllUsesAfterNodeWith(nchw, nchw.output());
            return true;
        }
    }

    private static final Symbol LINEAR = Symbol.fromQualString("aten::linear");
    private static final Symbol FLATTEN = Symbol.fromQualString("aten::flatten");
    private static final Symbol ADDMM = Symbol.fromQualString("aten::addmm");
    private static final Symbol MM = Symbol.fromQualString("aten::mm");
    private static final Symbol TRANSPOSE = Symbol.fromQualString("aten::t");
    /** Weights from this many elements (a 512 x 1000 classifier has 512,000) take the transposed product. */
    static final long TRANSPOSED_LINEAR_MIN = 400_000;
    private static volatile long transposedLinearMin = TRANSPOSED_LINEAR_MIN;

    /** The weight size from which linears take the transposed product (TorchScript copies and eager inference). */
    static long transposedLinearMin() {
        return transposedLinearMin;
    }

    /** Tests only: the weight size from which linears are rewritten; a negative value restores the default. */
    public static void transposedLinearMinForTests(long n) {
        transposedLinearMin = n < 0 ? TRANSPOSED_LINEAR_MIN : n;
    }

    /**
     * Rewrites, in the forward graph of an inference-only copy, every {@code aten::linear} of a
     * flattened input ({@code flatten(x, 1, -1)}, so a matrix) with a constant float32 weight of at
     * least {@link #TRANSPOSED_LINEAR_MIN} elements into the transposed product
     * {@code (b[:, None] + W x^T)^T}, made contiguous; returns how many. libtorch hands
     * {@code x W^T} to OpenBLAS in a layout where it packs the whole weight at every call, which
     * for a classifier head at small batches costs several times the product (1000 x 1280 at
     * batch 2: ~450 against ~250 us; docs/benchmarks.md); in the transposed layout it does not. The
     * same sums in another order: the copy's output is still compared with the module's per input
     * signature. The bias column is kept as an attribute of {@code owner}.
     */
    static int rewriteLinears(Graph graph, org.bytedeco.pytorch.JitModule owner) {
        return rewriteAll(graph.block(), (node, index) -> transposeLinear(node, graph, owner, index));
    }

    private static boolean transposeLinear(JitNode node, Graph graph, org.bytedeco.pytorch.JitModule owner, int index) {
        try (Symbol kind = node.kind(); ValueArrayRef in = node.inputs(); ValueArrayRef out = node.outputs()) {
            if (kind.asInt() != LINEAR.asInt() || in.size() != 3 || out.size() != 1 || !flattened(in.at(0))
                    || graph.inputs().size() == 0) {
                return false;
            }
            Tensor w = constantTensor(in.at(1));
            if (w == null || w.dim() != 2 || !w.is_cpu() || w.scalar_type().value != torch.ScalarType.Float.value
                    || w.numel() < transposedLinearMin) {
                return false;
            }
            IValue b = constant(in.at(2));
            boolean hasBias = b != null && b.isTensor();
            if (b == null || !hasBias && !b.isNone()) {
                return false; // a bias computed at run time: left as it is
            }
            graph.setInsertPoint(node);
            Value biasColumn = null;
            if (hasBias) {
                Tensor bias = b.toTensor();
                if (bias.dim() != 1 || bias.size(0) != w.size(0) || bias.scalar_type().value != w.scalar_type().value) {
                    return false;
                }
                String name = "__jtorch_linear_bias_" + index;
                try (Tensor column = bias.unsqueeze(1).contiguous()) {
                    owner.register_buffer(name, column);
                }
                biasColumn = graph.insertGetAttr(graph.inputs().at(0), name);
            }
            Value x = in.at(0), y = out.at(0);
            JitNode xt = create(graph, TRANSPOSE, y, x);
            xt.insertBefore(node);
            JitNode product;
            if (hasBias) {
                try (IValue one = new IValue(1L)) {
                    Value beta = graph.insertConstant(one), alpha = graph.insertConstant(one);
                    product = create(graph, ADDMM, y, biasColumn, in.at(1), xt.output(), beta, alpha);
                }
            } else {
                product = create(graph, MM, y, in.at(1), xt.output());
            }
            product.insertBefore(node);
            JitNode yt = create(graph, TRANSPOSE, y, product.output());
            yt.insertBefore(node);
            JitNode dense = contiguous(graph, yt.output(), CONTIGUOUS_FORMAT);
            dense.insertBefore(node);
            y.replaceAllUsesWith(dense.output());
            node.destroy();
            return true;
        }
    }

    /** Whether {@code v} is the result of {@code aten::flatten(x, 1, -1)}: a matrix, whatever x's rank. */
    private static boolean flattened(Value v) {
        JitNode producer = v.node();
        try (Symbol kind = producer.kind(); ValueArrayRef in = producer.inputs()) {
            if (kind.asInt() != FLATTEN.asInt() || in.size() != 3) {
                return false;
            }
            Long start = constantInt(in.at(1)), end = constantInt(in.at(2));
            return start != null && start == 1 && end != null && end == -1;
        }
    }

    /** A detached {@code kind(args...)} node with one output, typed as {@code like}. */
    private static JitNode create(Graph graph, Symbol kind, Value like, Value... args) {
        try (ValueVector v = new ValueVector(args); ValueArrayRef ref = new ValueArrayRef(v)) {
            JitNode n = graph.create(kind, ref, 1);
            n.output().setType(like.type());
            return n;
        }
    }

    /** A detached {@code aten::contiguous(x, memory_format=format)} node; its constant goes to the insert point. */
    private static JitNode contiguous(Graph graph, Value x, long format) {
        try (IValue f = new IValue(format)) {
            return create(graph, CONTIGUOUS, x, x, graph.insertConstant(f));
        }
    }

    /** Applies {@code rewrite} to every node of {@code block} and its sub-blocks; returns how many it changed. */
    private static int rewriteAll(Block block, NodeRewrite rewrite) {
        int[] count = {0};
        rewrite(block, rewrite, count);
        return count[0];
    }

    @FunctionalInterface
    private interface NodeRewrite {
        /** Rewrites {@code node} (the {@code index}-th change) or leaves it; true if it changed. */
        boolean apply(JitNode node, int index);
    }

    private static void rewrite(Block block, NodeRewrite rewrite, int[] count) {
        JitNode end = block.return_node();
        JitNode node = block.nodes().front();
        while (!same(node, end)) {
            JitNode next = node.next();
            BlockArrayRef blocks = node.blocks();
            for (long i = 0; i < blocks.size(); i++) {
                rewrite(blocks.at(i), rewrite, count);
            }
            if (rewrite.apply(node, count[0])) {
                count[0]++;
            }
            node = next;
        }
    }

    private static boolean same(JitNode a, JitNode b) {
        return a.address() == b.address();
    }

    private static boolean replace(JitNode node, Graph graph, org.bytedeco.pytorch.JitModule owner, int index) {
        Symbol k = node.kind();
        boolean conv2d = k.asInt() == CONV2D.asInt() && node.matches(CONV2D_SCHEMA);
        boolean convolution = k.asInt() == CONVOLUTION.asInt() && node.inputs().size() == 13;
        if (!conv2d && !convolution) {
            return false;
        }
        ValueArrayRef in = node.inputs();
        Value input = in.at(0), weight = in.at(1), bias = in.at(2), stride = in.at(3), padding = in.at(4),
                dilation = in.at(5);
        Value groups = in.at(conv2d ? 6 : 8);
        long[] st = constantInts(stride), pd = constantInts(padding), dl = constantInts(dilation);
        if (convolution) {
            Boolean transposed = constantBool(in.at(6));
            if (transposed == null || transposed || st == null || st.length != 2) {
                return false;
            }
        }
        Tensor w = constantTensor(weight);
        Long g = constantInt(groups);
        if (w == null || g == null || w.dim() != 4 || !w.is_cpu()
                || w.scalar_type().value != torch.ScalarType.Float.value || w.size(0) % g != 0
                || !safeChannels(w.size(1), w.size(0) / g, g)) {
            return false;
        }
        Value packed = weight;
        if (owner != null && PackedConvWeight.reorderable(w.size(2), w.size(3)) && st != null && pd != null && dl != null && st.length == 2 && pd.length == 2
                && dl.length == 2 && graph.inputs().size() > 0) {
            try (Tensor dense = w.contiguous(); Tensor opaque = dense.to_mkldnn();
                 org.bytedeco.pytorch.LongArrayRefOptional noSize = new org.bytedeco.pytorch.LongArrayRefOptional()) {
                Tensor reordered = torch.mkldnn_reorder_conv2d_weight(opaque, pd, st, dl, g, noSize);
                String name = "__jtorch_onednn_weight_" + index;
                owner.register_buffer(name, reordered);
                graph.setInsertPoint(node);
                packed = graph.insertGetAttr(graph.inputs().at(0), name);
            } catch (RuntimeException e) {
                packed = weight; // the plain weight: right, reordered at every call
            }
        }
        JitNode m = create(graph, MKLDNN_CONV, node.output(), input, packed, bias, padding, stride, dilation, groups);
        m.insertBefore(node);
        node.output().replaceAllUsesWith(m.output());
        node.destroy();
        return true;
    }

    private static IValue constant(Value v) {
        if (!v.node().kind().toQualString().getString().equals("prim::Constant")) {
            return null;
        }
        IValueOptional o = torch.toIValue(v);
        return o.has_value() ? o.get() : null;
    }

    private static Tensor constantTensor(Value v) {
        IValue c = constant(v);
        return c != null && c.isTensor() ? c.toTensor() : null;
    }

    private static Long constantInt(Value v) {
        IValue c = constant(v);
        return c != null && c.isInt() ? c.toInt() : null;
    }

    private static Boolean constantBool(Value v) {
        IValue c = constant(v);
        return c != null && c.isBool() ? c.toBool() : null;
    }

    private static long[] constantInts(Value v) {
        IValue c = constant(v);
        return c != null && c.isIntList() ? c.toIntVector().get() : null;
    }
}

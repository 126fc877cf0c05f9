package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.nn.functional.F.InterpolationMode;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layers of issue 15, and the parameter-free ones added after it (activations, shuffles,
 * padding, 1-D/3-D and adaptive pooling, instance and local response normalisation, dropouts), against PyTorch 1.13 in {@code layers15.json} (written by
 * {@code scripts/fixtures_layers15.py}): PyTorch's weights loaded strictly, forward, the gradients
 * of {@code (output * grad_output).sum()} for the input and every parameter, the state-dict keys in
 * order, the repr, and the default initialisation after the same manual seed.
 */
@ExtendWith(NoLeaks.class)
class LayersGolden15Test {
    private static final JsonNode FIX = Fixtures.load("layers15.json");

    static Stream<Arguments> layers() {
        return Fixtures.list(FIX.get("layers")).stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    static Stream<Arguments> initialised() {
        return layers().filter(a -> ((JsonNode) ((Named<?>) a.get()[0]).getPayload()).has("init_state_dict"));
    }

    private static double tol(JsonNode tensor) {
        return Fixtures.dtype(tensor) == DType.FLOAT64 ? 1e-10 : 1e-5;
    }

    private static long[] longs(JsonNode v) {
        if (!v.isArray()) {
            return new long[] {v.asLong()};
        }
        long[] out = new long[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i).asLong();
        }
        return out;
    }

    private static double[] doubles(JsonNode v) {
        if (!v.isArray()) {
            return new double[] {v.asDouble()};
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i).asDouble();
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> out = new ArrayList<>();
        Iterator<String> it = object.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    /** The Java layer for a fixture case, built with the positional constructors where they fit. */
    static Module make(JsonNode c) {
        JsonNode a = c.get("args");
        switch (c.get("kind").asText()) {
            case "group_norm":
                if (a.get("eps").asDouble() == 1e-5 && a.get("affine").asBoolean()) {
                    return new GroupNorm(a.get("num_groups").asLong(), a.get("num_channels").asLong());
                }
                return new GroupNorm(a.get("num_groups").asLong(), a.get("num_channels").asLong(), a.get("eps").asDouble(),
                        a.get("affine").asBoolean());
            case "rms_norm":
                if (a.get("eps").isNull() && a.get("elementwise_affine").asBoolean()) {
                    return new RMSNorm(longs(a.get("normalized_shape")));
                }
                return new RMSNorm(longs(a.get("normalized_shape")), a.get("eps").isNull() ? null : a.get("eps").asDouble(),
                        a.get("elementwise_affine").asBoolean());
            case "conv1d": {
                Conv1dOptions o = new Conv1dOptions(a.get("in_channels").asLong(), a.get("out_channels").asLong(),
                        a.get("kernel_size").asLong()).withStride(a.get("stride").asLong())
                        .withDilation(a.get("dilation").asLong()).withGroups(a.get("groups").asLong())
                        .withBias(a.get("bias").asBoolean())
                        .withPaddingMode(PaddingMode.valueOf(a.get("padding_mode").asText().toUpperCase(Locale.ROOT)));
                o = a.get("padding").isTextual() ? o.withPadding(a.get("padding").asText()) : o.withPadding(a.get("padding").asLong());
                return new Conv1d(o);
            }
            case "conv_transpose1d":
                return new ConvTranspose1d(new ConvTranspose1dOptions(a.get("in_channels").asLong(),
                        a.get("out_channels").asLong(), a.get("kernel_size").asLong(), a.get("stride").asLong(),
                        a.get("padding").asLong(), a.get("output_padding").asLong(), a.get("groups").asLong(),
                        a.get("bias").asBoolean(), a.get("dilation").asLong()));
            case "conv_transpose2d": {
                Size2d k = size(a.get("kernel_size"));
                return new ConvTranspose2d(new ConvTranspose2dOptions(a.get("in_channels").asLong(),
                        a.get("out_channels").asLong(), k, size(a.get("stride")), size(a.get("padding")),
                        size(a.get("output_padding")), a.get("groups").asLong(), a.get("bias").asBoolean(),
                        size(a.get("dilation"))));
            }
            case "conv_transpose3d": {
                long[] k = longs(a.get("kernel_size"));
                if (k.length == 1 && a.get("groups").asLong() == 1) {
                    return new ConvTranspose3d(a.get("in_channels").asLong(), a.get("out_channels").asLong(), k[0]);
                }
                long[] st = longs(a.get("stride"));
                long[] pd = longs(a.get("padding"));
                long[] op = longs(a.get("output_padding"));
                return new ConvTranspose3d(new ConvTranspose3dOptions(a.get("in_channels").asLong(),
                        a.get("out_channels").asLong(), 1).withKernelSize(k[0], k[1], k[2]).withStride(st[0], st[1], st[2])
                        .withPadding(pd[0], pd[1], pd[2]).withOutputPadding(op[0], op[1], op[2])
                        .withGroups(a.get("groups").asLong()).withBias(a.get("bias").asBoolean())
                        .withDilation(a.get("dilation").asLong()));
            }
            case "upsample": {
                InterpolationMode mode = InterpolationMode.valueOf(a.get("mode").asText().toUpperCase(Locale.ROOT).replace('-', '_'));
                Boolean align = a.get("align_corners").isNull() ? null : a.get("align_corners").asBoolean();
                if (!a.get("scale_factor").isNull() && !a.get("scale_factor").isArray() && align == null) {
                    return mode == InterpolationMode.NEAREST ? new Upsample(a.get("scale_factor").asDouble())
                            : new Upsample(a.get("scale_factor").asDouble(), mode);
                }
                if (!a.get("size").isNull() && align == null) {
                    return new Upsample(longs(a.get("size")), mode);
                }
                return new Upsample(a.get("size").isNull() ? null : longs(a.get("size")),
                        a.get("scale_factor").isNull() ? null : doubles(a.get("scale_factor")), mode, align);
            }
            case "identity":
                return new Identity();
            case "unflatten":
                return new Unflatten(a.get("dim").asLong(), longs(a.get("sizes")));
            case "relu6":
                return new ReLU6();
            case "silu":
                return new SiLU();
            case "hardswish":
                return new Hardswish();
            case "mish":
                return new Mish();
            case "elu":
                return a.get("alpha").asDouble() == 1.0 ? new ELU() : new ELU(a.get("alpha").asDouble());
            case "softplus":
                return a.get("beta").asDouble() == 1.0 && a.get("threshold").asDouble() == 20.0 ? new Softplus()
                        : new Softplus(a.get("beta").asDouble(), a.get("threshold").asDouble());
            case "prelu":
                return a.get("num_parameters").asLong() == 1 && a.get("init").asDouble() == 0.25 ? new PReLU()
                        : new PReLU(a.get("num_parameters").asLong(), a.get("init").asDouble());
            case "dropout1d":
                return new Dropout1d(a.get("p").asDouble());
            case "dropout2d":
                return new Dropout2d(a.get("p").asDouble());
            case "max_pool1d":
                return a.get("p").asLong() == 0 && a.get("d").asLong() == 1 && !a.get("ceil").asBoolean()
                        ? new MaxPool1d(a.get("k").asLong(), a.get("s").asLong())
                        : new MaxPool1d(a.get("k").asLong(), a.get("s").asLong(), a.get("p").asLong(), a.get("d").asLong(),
                                a.get("ceil").asBoolean());
            case "max_pool3d":
                return longs(a.get("k"))[0] == 2 && longs(a.get("p"))[0] == 0 ? new MaxPool3d(2)
                        : new MaxPool3d(longs(a.get("k")), longs(a.get("s")), longs(a.get("p")), longs(a.get("d")),
                                a.get("ceil").asBoolean());
            case "avg_pool1d":
                return a.get("p").asLong() == 0 ? new AvgPool1d(a.get("k").asLong())
                        : new AvgPool1d(a.get("k").asLong(), a.get("s").asLong(), a.get("p").asLong(),
                                a.get("ceil").asBoolean(), a.get("cip").asBoolean());
            case "avg_pool3d":
                return a.get("div").isNull() ? new AvgPool3d(2, 2)
                        : new AvgPool3d(longs(a.get("k")), longs(a.get("s")), longs(a.get("p")), a.get("ceil").asBoolean(),
                                a.get("cip").asBoolean(), a.get("div").asLong());
            case "adaptive_avg_pool1d":
                return new AdaptiveAvgPool1d(longs(a.get("size"))[0]);
            case "adaptive_max_pool1d":
                return new AdaptiveMaxPool1d(longs(a.get("size"))[0]);
            case "adaptive_max_pool2d": {
                long[] z = longs(a.get("size"));
                return z[0] == z[1] ? new AdaptiveMaxPool2d(z[0]) : new AdaptiveMaxPool2d(z[0], z[1]);
            }
            case "adaptive_avg_pool3d": {
                long[] z = longs(a.get("size"));
                return new AdaptiveAvgPool3d(z[0], z[1], z[2]);
            }
            case "adaptive_max_pool3d":
                return new AdaptiveMaxPool3d(longs(a.get("size"))[0]);
            case "conv3d": {
                long[] k = longs(a.get("kernel_size"));
                if (k[0] == k[1] && k[1] == k[2] && a.get("groups").asLong() == 1 && longs(a.get("padding"))[0] == 0) {
                    return new Conv3d(a.get("in_channels").asLong(), a.get("out_channels").asLong(), k[0]);
                }
                long[] st = longs(a.get("stride"));
                long[] pd = longs(a.get("padding"));
                long[] dl = longs(a.get("dilation"));
                return new Conv3d(new Conv3dOptions(a.get("in_channels").asLong(), a.get("out_channels").asLong(), k[0])
                        .withKernelSize(k[0], k[1], k[2]).withStride(st[0], st[1], st[2]).withPadding(pd[0], pd[1], pd[2])
                        .withDilation(dl[0], dl[1], dl[2]).withGroups(a.get("groups").asLong())
                        .withBias(a.get("bias").asBoolean()));
            }
            case "unfold":
                return longs(a.get("kernel_size"))[0] == 2 && longs(a.get("padding"))[0] == 0 ? new Unfold(2)
                        : new Unfold(size(a.get("kernel_size")), size(a.get("dilation")), size(a.get("padding")),
                                size(a.get("stride")));
            case "fold":
                return longs(a.get("stride"))[0] == 1 ? new Fold(size(a.get("output_size")), longs(a.get("kernel_size"))[0])
                        : new Fold(size(a.get("output_size")), size(a.get("kernel_size")), size(a.get("dilation")),
                                size(a.get("padding")), size(a.get("stride")));
            case "rrelu":
                return a.get("lower").asDouble() == 0.125 ? new RReLU()
                        : new RReLU(a.get("lower").asDouble(), a.get("upper").asDouble());
            case "softmax2d":
                return new Softmax2d();
            case "upsampling_nearest2d":
                return new UpsamplingNearest2d(a.get("scale_factor").asDouble());
            case "upsampling_bilinear2d":
                return new UpsamplingBilinear2d(longs(a.get("size"))[0], longs(a.get("size"))[1]);
            case "lp_pool1d":
                return new LPPool1d(a.get("norm_type").asDouble(), a.get("kernel_size").asLong());
            case "lp_pool2d":
                return new LPPool2d(a.get("norm_type").asDouble(), Size2d.square(a.get("kernel_size").asLong()),
                        Size2d.square(a.get("stride").asLong()), a.get("ceil_mode").asBoolean());
            case "instance_norm1d":
            case "instance_norm2d":
            case "instance_norm3d":
                return instanceNorm(c.get("kind").asText(), a);
            case "local_response_norm":
                return a.get("alpha").asDouble() == 1e-4 && a.get("k").asDouble() == 1.0
                        ? new LocalResponseNorm(a.get("size").asLong())
                        : new LocalResponseNorm(a.get("size").asLong(), a.get("alpha").asDouble(), a.get("beta").asDouble(),
                                a.get("k").asDouble());
            case "dropout3d":
                return new Dropout3d(a.get("p").asDouble());
            case "alpha_dropout":
                return new AlphaDropout(a.get("p").asDouble());
            case "feature_alpha_dropout":
                return new FeatureAlphaDropout(a.get("p").asDouble());
            case "celu":
                return a.get("alpha").asDouble() == 1.0 ? new CELU() : new CELU(a.get("alpha").asDouble());
            case "selu":
                return new SELU();
            case "hardshrink":
                return a.get("lambd").asDouble() == 0.5 ? new Hardshrink() : new Hardshrink(a.get("lambd").asDouble());
            case "softshrink":
                return a.get("lambd").asDouble() == 0.5 ? new Softshrink() : new Softshrink(a.get("lambd").asDouble());
            case "hardsigmoid":
                return new Hardsigmoid();
            case "hardtanh":
                return a.get("min_val").asDouble() == -1.0 && a.get("max_val").asDouble() == 1.0 ? new Hardtanh()
                        : new Hardtanh(a.get("min_val").asDouble(), a.get("max_val").asDouble());
            case "logsigmoid":
                return new LogSigmoid();
            case "softsign":
                return new Softsign();
            case "tanhshrink":
                return new Tanhshrink();
            case "threshold":
                return new Threshold(a.get("threshold").asDouble(), a.get("value").asDouble());
            case "softmin":
                return new Softmin(a.get("dim").asInt());
            case "glu":
                return a.get("dim").asLong() == -1 ? new GLU() : new GLU(a.get("dim").asLong());
            case "pixel_shuffle":
                return new PixelShuffle(a.get("factor").asLong());
            case "pixel_unshuffle":
                return new PixelUnshuffle(a.get("factor").asLong());
            case "channel_shuffle":
                return new ChannelShuffle(a.get("factor").asLong());
            case "zero_pad2d":
                return a.get("padding").isArray() ? new ZeroPad2d(longs(a.get("padding")))
                        : new ZeroPad2d(a.get("padding").asLong());
            case "constant_pad1d":
            case "constant_pad2d":
            case "constant_pad3d":
                return constantPad(c.get("kind").asText(), longs(a.get("padding")), a.get("value").asDouble(),
                        a.get("padding").isArray());
            case "reflection_pad1d":
                return a.get("padding").isArray() ? new ReflectionPad1d(longs(a.get("padding")))
                        : new ReflectionPad1d(a.get("padding").asLong());
            case "reflection_pad2d":
                return a.get("padding").isArray() ? new ReflectionPad2d(longs(a.get("padding")))
                        : new ReflectionPad2d(a.get("padding").asLong());
            case "reflection_pad3d":
                return a.get("padding").isArray() ? new ReflectionPad3d(longs(a.get("padding")))
                        : new ReflectionPad3d(a.get("padding").asLong());
            case "replication_pad1d":
                return a.get("padding").isArray() ? new ReplicationPad1d(longs(a.get("padding")))
                        : new ReplicationPad1d(a.get("padding").asLong());
            case "replication_pad2d":
                return a.get("padding").isArray() ? new ReplicationPad2d(longs(a.get("padding")))
                        : new ReplicationPad2d(a.get("padding").asLong());
            case "replication_pad3d":
                return a.get("padding").isArray() ? new ReplicationPad3d(longs(a.get("padding")))
                        : new ReplicationPad3d(a.get("padding").asLong());
            default:
                throw new AssertionError(c.get("kind"));
        }
    }

    private static Module instanceNorm(String kind, JsonNode a) {
        long n = a.get("num_features").asLong();
        boolean defaults = a.get("eps").asDouble() == 1e-5 && a.get("momentum").asDouble() == 0.1
                && !a.get("affine").asBoolean() && !a.get("track").asBoolean();
        double eps = a.get("eps").asDouble();
        Double momentum = a.get("momentum").isNull() ? null : a.get("momentum").asDouble();
        boolean affine = a.get("affine").asBoolean();
        boolean track = a.get("track").asBoolean();
        switch (kind) {
            case "instance_norm1d":
                return defaults ? new InstanceNorm1d(n) : new InstanceNorm1d(n, eps, momentum, affine, track);
            case "instance_norm2d":
                return defaults ? new InstanceNorm2d(n) : new InstanceNorm2d(n, eps, momentum, affine, track);
            default:
                return defaults ? new InstanceNorm3d(n) : new InstanceNorm3d(n, eps, momentum, affine, track);
        }
    }

    private static Module constantPad(String kind, long[] padding, double value, boolean amounts) {
        switch (kind) {
            case "constant_pad1d":
                return amounts ? new ConstantPad1d(padding, value) : new ConstantPad1d(padding[0], value);
            case "constant_pad2d":
                return amounts ? new ConstantPad2d(padding, value) : new ConstantPad2d(padding[0], value);
            default:
                return amounts ? new ConstantPad3d(padding, value) : new ConstantPad3d(padding[0], value);
        }
    }

    private static Size2d size(JsonNode v) {
        long[] p = longs(v);
        return p.length == 2 ? new Size2d(p[0], p[1]) : Size2d.square(p[0]);
    }

    private static void assertStateDict(JsonNode expected, Module m, double atol) {
        Map<String, Tensor> sd = m.stateDict();
        assertEquals(fieldNames(expected), new ArrayList<>(sd.keySet()), "state-dict keys and order");
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            try {
                Fixtures.assertClose(expected.get(e.getKey()), e.getValue(), atol, 0);
            } catch (AssertionError err) {
                throw new AssertionError(e.getKey() + ": " + err.getMessage(), err);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void forwardAndBackwardMatchPyTorch(JsonNode c) {
        DType dtype = Fixtures.dtype(c.get("input"));
        try (TensorScope s = TensorScope.open(); Module m = make(c)) {
            assertEquals(c.get("repr").asText(), m.toString(), "repr");
            assertEquals(strings(c.get("keys")), new ArrayList<>(m.stateDict().keySet()), "state-dict keys and order");
            if (dtype == DType.FLOAT64) {
                m.to(DType.FLOAT64);
            }
            LoadResult r = m.loadStateDict(Fixtures.tensorMap(c.get("state_dict")));
            assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty(), r.toString());
            m.train(false);
            Tensor x = Fixtures.tensor(c.get("input")).requiresGrad(true);
            Tensor y = m.forward(x);
            JsonNode out = c.get("output");
            Fixtures.assertClose(out, y, tol(out), tol(out));
            y.mul(Fixtures.tensor(c.get("grad_output"))).sum().backward();
            JsonNode grads = c.get("grads");
            assertNotNull(x.grad(), "input has no grad");
            Fixtures.assertClose(grads.get("input"), x.grad(), tol(grads.get("input")), tol(grads.get("input")));
            Map<String, Tensor> params = m.namedParameters();
            assertEquals(fieldNames(grads).subList(1, grads.size()), new ArrayList<>(params.keySet()), "parameters");
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
                JsonNode g = grads.get(p.getKey());
                assertNotNull(p.getValue().grad(), p.getKey() + " has no grad");
                try {
                    Fixtures.assertClose(g, p.getValue().grad(), tol(g), tol(g));
                } catch (AssertionError err) {
                    throw new AssertionError("grad of " + p.getKey() + ": " + err.getMessage(), err);
                }
            }
        }
    }

    /** libtorch's default generator after the same seed gives PyTorch's initial weights. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("initialised")
    void defaultInitialisationMatchesPyTorchAfterManualSeed(JsonNode c) {
        Torch.manualSeed(c.get("init_seed").asLong());
        try (TensorScope s = TensorScope.open(); Module m = make(c)) {
            assertStateDict(c.get("init_state_dict"), m, 1e-7);
        }
    }
}

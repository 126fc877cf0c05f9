package dev.jtorch.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Reproducer for the presets' oneDNN convolution bug (docs/design.md, "oneDNN convolutions").
 *
 * <p>Compares float32 convolutions computed through oneDNN with float64 ones computed by
 * libtorch's native kernel (oneDNN has no float64 convolution), on the raw presets:
 * <pre>
 *   java -cp ... dev.jtorch.internal.OneDnnProbe MODE [SEED] [CASES]
 *     grad      global oneDNN switch on, at::conv2d forward + backward (what -Djtorch.mkldnn=true does)
 *     explicit  global switch off, at::mkldnn_convolution forward + autograd backward
 *     fwd       global switch off, at::mkldnn_convolution forward only, at ResNet-18 / MobileNetV2 shapes
 *     sweep     as fwd, on random shapes (channels 1-40, groups, depthwise; -Dcl=true: channels-last input)
 *     named     "n,cin,cout,groups,hw,k,stride,pad;..." (-Dglobal=true: through at::conv2d with the switch on)
 *     graph F   the frozen, rewritten forward graph of TorchScript file F
 * </pre>
 * Run with {@code ONEDNN_VERBOSE=1} to see the implementation oneDNN picks and
 * {@code ONEDNN_MAX_CPU_ISA=AVX2} (etc.) to cap the ISA. Prints one line per case:
 * relative max error of the output, the input gradient and the weight gradient.
 */
public final class OneDnnProbe {
    private OneDnnProbe() {}

    record Case(int n, int cin, int cout, int groups, int hw, int k, int stride, int pad) {
        @Override
        public String toString() {
            return "n=" + n + " cin=" + cin + " cout=" + cout + " g=" + groups + " hw=" + hw + " k=" + k + " s=" + stride
                    + " p=" + pad;
        }
    }

    public static void main(String[] args) {
        NativeRuntime.ensureLoaded();
        String mode = args.length > 0 ? args[0] : "grad";
        if (mode.equals("graph")) { // graph FILE: the frozen, rewritten forward graph of a TorchScript file
            org.bytedeco.pytorch.JitModule m = torch.load(args[1]);
            m.eval();
            org.bytedeco.pytorch.JitModule f = torch.freeze(m);
            org.bytedeco.pytorch.Graph g = f.get_method("forward").graph();
            int n = OneDnn.rewriteConvolutions(g, f);
            System.out.println(g.toString());
            System.out.println("rewritten: " + n);
            return;
        }
        long seed = args.length > 1 && !args[0].equals("named") ? Long.parseLong(args[1]) : 11;
        int cases = args.length > 2 && !args[0].equals("named") ? Integer.parseInt(args[2]) : 40;
        torch.set_num_threads(Integer.getInteger("threads", 1));
        torch.manual_seed(seed);
        List<Case> list = new ArrayList<>();
        if (mode.equals("fwd")) {
            list.addAll(networkShapes());
        } else if (mode.equals("named")) {
            for (String s : args[1].split(";")) {
                String[] f = s.split(",");
                int[] v = new int[8];
                for (int i = 0; i < 8; i++) {
                    v[i] = Integer.parseInt(f[i].trim());
                }
                list.add(new Case(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
            }
        } else if (mode.equals("sweep")) {
            Random r = new Random(seed);
            for (int t = 0; t < cases; t++) {
                int g = r.nextInt(3) == 0 ? 1 + r.nextInt(4) : 1;
                int cin = g * (1 + r.nextInt(40)), cout = g * (1 + r.nextInt(40)), k = 1 + r.nextInt(5);
                if (r.nextInt(4) == 0) {
                    g = cin;
                    cout = cin * (1 + r.nextInt(2));
                }
                int hw = k + r.nextInt(10), stride = 1 + r.nextInt(2), pad = r.nextInt(k / 2 + 1);
                list.add(new Case(1 + r.nextInt(4), cin, cout, g, hw, k, stride, pad));
            }
        } else {
            Random r = new Random(seed);
            for (int t = 0; t < cases; t++) {
                int n = 1 + r.nextInt(4), cin = 1 + r.nextInt(4), cout = 1 + r.nextInt(4), k = 1 + r.nextInt(3);
                int hw = k + 2 + r.nextInt(5), stride = 1 + r.nextInt(2), pad = r.nextInt(k / 2 + 1);
                list.add(new Case(n, cin, cout, 1, hw, k, stride, pad));
            }
        }
        boolean global = mode.equals("grad") || mode.equals("named") && Boolean.getBoolean("global");
        torch.globalContext().setUserEnabledMkldnn(global);
        boolean backward = !mode.equals("fwd") && !mode.equals("sweep");
        int bad = 0;
        for (Case c : list) {
            double[] e = check(c, global, backward);
            boolean wrong = e[0] > 1e-4 || e[1] > 1e-4 || e[2] > 1e-4 || Double.isNaN(e[0] + e[1] + e[2]);
            bad += wrong ? 1 : 0;
            System.out.printf("%-50s out %.2e  dx %.2e  dw %.2e%s%n", c, e[0], e[1], e[2], wrong ? "  WRONG" : "");
        }
        System.out.println(mode + ": " + bad + " of " + list.size() + " cases wrong (rel. max error > 1e-4)");
    }

    /** ResNet-18 and MobileNetV2 convolutions at 64x64 and 224x224 (batch 2 / 1). */
    static List<Case> networkShapes() {
        List<Case> l = new ArrayList<>();
        for (int[] nb : new int[][] {{2, 64}, {1, 224}}) {
            int n = nb[0], s = nb[1];
            // ResNet-18
            l.add(new Case(n, 3, 64, 1, s, 7, 2, 3));
            int hw = s / 4;
            int c = 64;
            for (int stage = 0; stage < 4; stage++) {
                int out = 64 << stage;
                int st = stage == 0 ? 1 : 2;
                l.add(new Case(n, c, out, 1, hw, 3, st, 1));
                if (st == 2) {
                    l.add(new Case(n, c, out, 1, hw, 1, 2, 0));
                    hw = (hw + 1) / 2;
                }
                l.add(new Case(n, out, out, 1, hw, 3, 1, 1));
                c = out;
            }
            // MobileNetV2: stem, then per block expand 1x1, depthwise 3x3, project 1x1
            l.add(new Case(n, 3, 32, 1, s, 3, 2, 1));
            hw = s / 2;
            int[][] cfg = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2},
                {6, 320, 1, 1}};
            c = 32;
            for (int[] b : cfg) {
                int hidden = c * b[0];
                int st = b[3];
                if (b[0] != 1) {
                    l.add(new Case(n, c, hidden, 1, hw, 1, 1, 0));
                }
                l.add(new Case(n, hidden, hidden, hidden, hw, 3, st, 1));
                int hw2 = st == 1 ? hw : (hw + 1) / 2;
                l.add(new Case(n, hidden, b[1], 1, hw2, 1, 1, 0));
                hw = hw2;
                c = b[1];
            }
            l.add(new Case(n, 320, 1280, 1, hw, 1, 1, 0));
        }
        return l;
    }

    /** {rel. error of output, of input grad, of weight grad} against float64 native. */
    static double[] check(Case c, boolean global, boolean backward) {
        Tensor x0 = torch.randn(c.n, c.cin, c.hw, c.hw);
        Tensor w0 = torch.randn(c.cout, c.cin / c.groups, c.k, c.k);
        long[] st = {c.stride, c.stride}, pd = {c.pad, c.pad}, dl = {1, 1};
        if (Boolean.getBoolean("cl")) {
            x0 = x0.contiguous(torch.MemoryFormat.ChannelsLast);
        }
        Tensor x = x0.clone().set_requires_grad(backward);
        Tensor w = w0.clone().set_requires_grad(backward);
        Tensor y;
        if (System.getProperty("prepack") != null) {
            try (TensorOptional none = new TensorOptional()) {
                Tensor wp = System.getProperty("prepack").equals("size")
                        ? torch.mkldnn_reorder_conv2d_weight(w0.to_mkldnn(), pd, st, dl, c.groups, x0.sizes().vec().get())
                        : torch.mkldnn_reorder_conv2d_weight(w0.to_mkldnn(), pd, st, dl, c.groups,
                                new org.bytedeco.pytorch.LongArrayRefOptional());
                w = wp;
            }
        }
        try (TensorOptional none = new TensorOptional()) {
            y = global ? torch.conv2d(x, w, none, st, pd, dl, c.groups)
                    : torch.mkldnn_convolution(x, w, none, pd, st, dl, c.groups);
        }
        Tensor go = torch.randn(y.sizes().vec().get());
        Tensor x64 = x0.to(torch.ScalarType.Double).set_requires_grad(backward);
        Tensor w64 = w0.to(torch.ScalarType.Double).set_requires_grad(backward);
        Tensor y64;
        boolean was = torch.globalContext().userEnabledMkldnn();
        try (TensorOptional none = new TensorOptional()) {
            y64 = torch.conv2d(x64, w64, none, st, pd, dl, c.groups);
        }
        double[] e = new double[3];
        e[0] = rel(y, y64);
        if (backward) {
            if (Boolean.getBoolean("perSample")) {
                torch.sum(y.mul(go)).backward(new Tensor(), new org.bytedeco.pytorch.BoolOptional(true), false, new org.bytedeco.pytorch.TensorArrayRefOptional());
            } else {
                torch.sum(y.mul(go)).backward();
            }
            torch.sum(y64.mul(go.to(torch.ScalarType.Double))).backward();
            e[1] = rel(x.grad(), x64.grad());
            e[2] = rel(w.grad(), w64.grad());
            if (Boolean.getBoolean("perSample")) {
                StringBuilder b = new StringBuilder("  dx per sample:");
                for (int i = 0; i < c.n; i++) {
                    b.append(String.format(" %.2e", rel(x.grad().select(0, i), x64.grad().select(0, i))));
                }
                Tensor again = x.grad().clone();
                x.grad().zero_();
                w.grad().zero_();
                torch.sum(y.mul(go)).backward(); // graph was freed? then this throws; retain below
                b.append(String.format("  repeat differs by %.2e", rel(x.grad(), again)));
                System.out.println(b);
            }
        }
        torch.globalContext().setUserEnabledMkldnn(was);
        return e;
    }

    static double rel(Tensor a, Tensor ref) {
        Tensor d = a.to(torch.ScalarType.Double).sub(ref).abs().max();
        double scale = ref.abs().max().item_double();
        return d.item_double() / Math.max(scale, 1e-12);
    }
}

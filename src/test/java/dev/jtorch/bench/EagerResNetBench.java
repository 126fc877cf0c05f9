package dev.jtorch.bench;

import dev.jtorch.*;
import dev.jtorch.autograd.InferenceMode;
import dev.jtorch.nn.*;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.*;
import java.util.*;
/**
 * ResNet-18 built from jtorch's layers (torchvision's layout, random weights, eval mode), timed in
 * inference mode: the eager counterpart of {@link CnnInferenceBench}'s TorchScript figure (issue 18,
 * docs/benchmarks.md, "Eager ResNet-18 from jtorch's layers").
 *
 * <p>Usage: {@code java ... dev.jtorch.bench.EagerResNetBench N HW THREADS ITERS}.
 */
public final class EagerResNetBench {
    private EagerResNetBench() {}

  static Conv2d conv(long i, long o, long k, long s, long p) { return new Conv2d(new Conv2dOptions(i, o, k).withStride(s).withPadding(p).withBias(false)); }
  static final class Block extends Module {
    final Conv2d c1, c2; final BatchNorm2d b1, b2; final Conv2d dc; final BatchNorm2d db;
    Block(long in, long out, long s) {
      c1 = register("conv1", conv(in, out, 3, s, 1)); b1 = register("bn1", new BatchNorm2d(out));
      c2 = register("conv2", conv(out, out, 3, 1, 1)); b2 = register("bn2", new BatchNorm2d(out));
      if (s != 1 || in != out) { dc = register("dc", conv(in, out, 1, s, 0)); db = register("db", new BatchNorm2d(out)); } else { dc = null; db = null; }
    }
    @Override public Tensor forward(Tensor x) {
      Tensor y = F.relu(b1.forward(c1.forward(x)));
      y = b2.forward(c2.forward(y));
      Tensor id = dc == null ? x : db.forward(dc.forward(x));
      return F.relu(y.add(id));
    }
  }
  static final class ResNet18 extends Module {
    final Conv2d stem = register("conv1", conv(3, 64, 7, 2, 3)); final BatchNorm2d bn = register("bn1", new BatchNorm2d(64));
    final MaxPool2d pool = register("maxpool", new MaxPool2d(3, 2, 1));
    final List<Block> blocks = new ArrayList<>();
    final Linear fc;
    ResNet18() {
      long[][] cfg = {{64,64,1},{64,64,1},{64,128,2},{128,128,1},{128,256,2},{256,256,1},{256,512,2},{512,512,1}};
      int i = 0; for (long[] c : cfg) blocks.add(register("b" + (i++), new Block(c[0], c[1], c[2])));
      fc = register("fc", new Linear(512, 1000));
    }
    @Override public Tensor forward(Tensor x) {
      x = pool.forward(F.relu(bn.forward(stem.forward(x))));
      for (Block b : blocks) x = b.forward(x);
      return fc.forward(F.adaptiveAvgPool2d(x, 1).flatten(1));
    }
  }
  public static void main(String[] a) {
    int n = Integer.parseInt(a[0]), hw = Integer.parseInt(a[1]), t = Integer.parseInt(a[2]), iters = Integer.parseInt(a[3]);
    Torch.setNumThreads(t);
    try (ResNet18 m = new ResNet18(); InferenceMode g = InferenceMode.enter(); TensorScope s = TensorScope.open()) {
      m.eval();
      Tensor x = Tensor.rand(n, 3, hw, hw);
      for (int i = 0; i < 5; i++) try (TensorScope in = TensorScope.open()) { m.forward(x); }
      double[] ms = new double[iters];
      for (int i = 0; i < iters; i++) { long t0 = System.nanoTime(); try (TensorScope in = TensorScope.open()) { m.forward(x); } ms[i] = (System.nanoTime() - t0) / 1e6; }
      Arrays.sort(ms);
      System.out.printf(java.util.Locale.ROOT, "eager resnet18 %dx%d t%d: median %.2f ms%n", n, hw, t, ms[iters / 2]);
    }
  }
}

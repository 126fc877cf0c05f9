package dev.jtorch.bench;

import dev.jtorch.Torch;
import dev.jtorch.autograd.InferenceMode;
import dev.jtorch.nn.Embedding;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.TransformerEncoder;
import dev.jtorch.nn.TransformerEncoderLayer;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.Adam;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Arrays;
import java.util.Locale;

/**
 * jtorch side of the Transformer benchmark ({@code scripts/bench_transformer.py} is PyTorch's): the
 * README's encoder classifier at B x T tokens, training steps/s (forward, cross-entropy, backward,
 * Adam) and inference forward ms (eval, inference mode), medians of rounds.
 *
 * <p>Usage: {@code java ... dev.jtorch.bench.TransformerBench [--threads N] [--steps N] [--rounds R]};
 * prints one JSON line.
 */
public final class TransformerBench {
    static final int VOCAB = 1000, MAXLEN = 64, D = 128, HEADS = 4, FF = 512, CLASSES = 4, LAYERS = 2;
    static final int B = 32, T = 64;

    /** The README's classifier (docs/transformer-example.md), at the benchmark's sizes. */
    static final class TransformerClassifier extends Module {
        private final Embedding embed = register("embed", new Embedding(VOCAB, D, 0L));
        private final Embedding pos = register("pos", new Embedding(MAXLEN, D));
        private final TransformerEncoder encoder = register("encoder",
                new TransformerEncoder(new TransformerEncoderLayer(D, HEADS, FF, 0.0, true), LAYERS));
        private final Linear head = register("head", new Linear(D, CLASSES));

        @Override
        public Tensor forward(Tensor tokens) {
            Tensor pad = tokens.eq(0L);
            Tensor x = embed.forward(tokens).add(pos.forward(Tensor.arange(tokens.size(1))));
            x = encoder.forward(x, null, pad);
            Tensor keep = pad.logicalNot().unsqueeze(-1).to(x.dtype());
            return head.forward(x.mul(keep).sum(1).div(keep.sum(1)));
        }
    }

    public static void main(String[] args) {
        int threads = 1, steps = 40, rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Torch.setNumThreads(threads);
        Torch.manualSeed(0);
        long[] ids = new long[B * T];
        long[] labels = new long[B];
        for (int b = 0; b < B; b++) {
            labels[b] = b % CLASSES;
            for (int t = 0; t < T; t++) {
                ids[b * T + t] = b % 2 == 0 && t >= T / 2 ? 0 : 1 + (b * 131L + t * 17L) % (VOCAB - 1);
            }
        }
        try (TransformerClassifier model = new TransformerClassifier();
             Adam opt = new Adam(model.parameters(), 1e-3);
             TensorScope data = TensorScope.open()) {
            Tensor x = Tensor.of(ids, B, T);
            Tensor y = Tensor.of(labels, B);
            train(model, opt, x, y, 5);
            infer(model, x, 5);
            double[] tr = new double[rounds];
            double[] inf = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                train(model, opt, x, y, steps);
                tr[r] = steps / ((System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                infer(model, x, steps);
                inf[r] = (System.nanoTime() - t0) / 1e6 / steps;
            }
            Arrays.sort(tr);
            Arrays.sort(inf);
            System.out.printf(Locale.ROOT, "{\"peer\": \"jtorch\", \"threads\": %d, \"batch\": %d, \"tokens\": %d,"
                    + " \"train_steps_per_s\": %.4f, \"infer_ms\": %.4f}%n", threads, B, T, tr[rounds / 2], inf[rounds / 2]);
        }
    }

    static void train(TransformerClassifier model, Adam opt, Tensor x, Tensor y, int n) {
        model.train();
        for (int i = 0; i < n; i++) {
            try (TensorScope s = TensorScope.open()) {
                opt.zeroGrad();
                F.crossEntropy(model.forward(x), y).backward();
                opt.step();
            }
        }
    }

    static void infer(TransformerClassifier model, Tensor x, int n) {
        model.eval();
        try (InferenceMode g = InferenceMode.enter()) {
            for (int i = 0; i < n; i++) {
                try (TensorScope s = TensorScope.open()) {
                    model.forward(x);
                }
            }
        }
    }
}

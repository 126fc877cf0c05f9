package consumer;

import dev.jtorch.models.Architecture;
import dev.jtorch.serve.Predictor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** 8 threads x 100 predictions on a Python state dict; each must match the sequential answer. */
public final class Service {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Random rnd = new Random(42);
        List<float[]> images = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            float[] px = new float[784];
            for (int j = 0; j < px.length; j++) {
                px[j] = rnd.nextFloat();
            }
            images.add(px);
        }
        try (Predictor p = Predictor.open(model, Architecture.MLP, null)) {
            List<double[]> expected = new ArrayList<>();
            for (float[] px : images) {
                expected.add(p.predict(px, 1).probabilities());
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int i = 0; i < images.size(); i++) {
                        double[] got = p.predict(images.get(i), 1).probabilities();
                        for (int k = 0; k < got.length; k++) {
                            if (Math.abs(got[k] - expected.get(i)[k]) > 1e-5) {
                                wrong++;
                                break;
                            }
                        }
                    }
                    return wrong;
                }));
            }
            int wrong = 0;
            for (Future<Integer> f : results) {
                wrong += f.get();
            }
            pool.shutdown();
            if (wrong != 0) {
                throw new AssertionError(wrong + " of 800 concurrent predictions differ from the sequential ones");
            }
            System.out.println("consumer: 800 concurrent predictions agree; first top class "
                    + p.predict(images.get(0), 1).top().get(0).classIndex() + " "
                    + Arrays.toString(Arrays.copyOf(expected.get(0), 3)));
        }
    }
}

package dev.jtorch.train;

import dev.jtorch.Device;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.DataSets;
import dev.jtorch.data.Dataset;
import dev.jtorch.data.Split;
import dev.jtorch.metrics.EvalReport;
import dev.jtorch.metrics.Evaluator;
import dev.jtorch.models.Architecture;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.data.Batch;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Path;

/** {@code jtorch eval}: a model file evaluated on a data split, as an {@link EvalReport}. */
public final class Evaluation {
    private Evaluation() {}

    /** The training batch {@link Trainer#evalBatch} is asked about: the CLI's default, 64. */
    private static final int EVAL_TRAIN_BATCH = 64;

    /**
     * Evaluates the model in {@code checkpoint} on {@code split} of the data in {@code data}
     * (Fashion-MNIST when null).
     *
     * @param requested the {@code --model} flag, or null
     * @throws IllegalArgumentException if the model does not fit the file or the data
     * @throws dev.jtorch.data.DataException naming the data file at fault
     * @throws IOException if the model file cannot be read
     */
    public static EvalReport run(Path checkpoint, Architecture requested, Path data, Split split, Device device)
            throws IOException {
        return run(checkpoint, requested, data, split, device, dev.jtorch.io.Trust.DATA);
    }

    /**
     * As {@link #run(Path, Architecture, Path, Split, Device)}, with {@code trust} deciding whether
     * a TorchScript archive (code) may be loaded; see {@link ModelLoader}.
     */
    public static EvalReport run(Path checkpoint, Architecture requested, Path data, Split split, Device device,
                                 dev.jtorch.io.Trust trust) throws IOException {
        Trainer.checkDevice(device);
        ModelLoader.Loaded loaded = ModelLoader.load(checkpoint, requested, trust);
        try (var model = loaded.model()) {
            Architecture arch = loaded.architecture();
            Dataset d = DataSets.load(Trainer.dataDir(data), split, arch.channels(), arch.height(), arch.width());
            Trainer.checkFits(loaded.architecture(), d);
            if (!device.equals(Device.CPU)) {
                model.to(device);
            }
            try (DataLoader loader = DataLoader.builder(d).batchSize(Trainer.evalBatch(EVAL_TRAIN_BATCH, device))
                    .device(device).build();
                 Evaluator ev = new Evaluator(d.classNames());
                 NoGrad g = NoGrad.enter();
                 DataLoader.BatchIterator it = loader.epoch(0).iterator()) {
                while (it.hasNext()) {
                    try (TensorScope s = TensorScope.open()) {
                        Batch b = it.next();
                        ev.update(model.forward(b.images()), b.labels());
                    }
                }
                return ev.report();
            }
        }
    }
}

package dev.jtorch.cli;

import dev.jtorch.data.Split;
import dev.jtorch.metrics.EvalReport;
import dev.jtorch.train.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jtorch eval}: accuracy, precision, recall, F1, calibration and the confusion matrix of a model file. */
@Command(name = "eval")
final class EvalCommand extends Subcommand {
    @CommandLine.Mixin
    Options.ModelFile file;

    @Option(names = "--data") Path data;
    @Option(names = "--split", defaultValue = "test") Split split;

    @CommandLine.Mixin
    Options.DeviceOption device;

    @CommandLine.Mixin
    Options.Json json;

    @Override
    public Integer call() throws Exception {
        EvalReport r = Evaluation.run(file.checkpoint, file.model, data, split, device.device, file.trust());
        PrintWriter out = out();
        if (json.on) {
            out.println(r.toJson());
        } else {
            out.printf(Locale.ROOT, "%d samples: accuracy %.4f, top-5 %.4f, NLL %.4f, ECE %.4f, macro F1 %.4f%n",
                    r.samples(), r.accuracy(), r.top5Accuracy(), r.nll(), r.ece(), r.macro().f1());
            r.perClass().forEach(c -> out.printf(Locale.ROOT, "%-14s precision %.4f recall %.4f F1 %.4f support %d%n",
                    c.label(), c.precision(), c.recall(), c.f1(), c.support()));
        }
        out.flush();
        return 0;
    }
}

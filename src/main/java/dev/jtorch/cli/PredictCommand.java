package dev.jtorch.cli;

import dev.jtorch.train.Prediction;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jtorch predict}: the most probable classes of images, one line (or JSON line) per image. */
@Command(name = "predict")
final class PredictCommand extends Subcommand {
    @CommandLine.Mixin
    Options.ModelFile file;

    @Option(names = "--input", required = true, arity = "1..*") List<Path> inputs;
    @Option(names = "--top-k", defaultValue = "5", converter = Options.PositiveInt.class) int topK;

    @CommandLine.Mixin
    Options.MaxPixels maxPixels;

    @CommandLine.Mixin
    Options.Json json;

    @Override
    public Integer call() throws Exception {
        List<Prediction.Result> results = Prediction.run(file.checkpoint, file.model, inputs, topK, file.trust(),
                maxPixels.value);
        PrintWriter out = out();
        for (Prediction.Result r : results) {
            if (json.on) {
                out.println(json(r));
            } else {
                StringBuilder sb = new StringBuilder().append(r.index()).append(':');
                r.top().forEach(t -> sb.append(String.format(Locale.ROOT, "  %s %.4f", t.label(), t.probability())));
                out.println(sb);
            }
        }
        out.flush();
        return 0;
    }
}

package dev.jtorch.cli;

import dev.jtorch.Doctor;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code jtorch doctor [--json]}: every native library jtorch needs, found or missing, the NVIDIA
 * driver, GPUs, natives and BLAS in use. Exit 0 when everything resolves and loads, 1 otherwise.
 */
@Command(name = "doctor")
final class DoctorCommand extends Subcommand {
    @CommandLine.Mixin
    Options.Json json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        Doctor.Report r = Doctor.run();
        if (json.on) {
            out.println(json(r));
        } else {
            print(out, r);
        }
        return r.ok() ? 0 : 1;
    }

    static void print(PrintWriter out, Doctor.Report r) {
        row(out, "platform", r.platform() + " (" + r.versions() + ")");
        row(out, "build", r.build());
        row(out, "natives in use", r.natives());
        row(out, "BLAS", r.blas());
        row(out, "NVIDIA driver", r.driver());
        row(out, "GPUs", String.join("; ", r.gpus()));
        row(out, "CUDA", r.cuda());
        int missing = r.missing().size();
        out.printf("libraries         %d checked, %s%n", r.libraries().size(), missing == 0 ? "all found" : missing + " missing");
        int width = 0;
        for (Doctor.Library l : r.libraries()) {
            width = Math.max(width, l.name().length());
        }
        for (Doctor.Library l : r.libraries()) {
            String where;
            if (l.path() == null) {
                where = "needed by " + String.join(", ", l.neededBy())
                        + (l.name().equals("libcuda.so.1") ? " (the NVIDIA driver's library: no GPU driver)" : "");
            } else if (l.problem() != null) {
                where = l.problem();
            } else {
                where = l.path();
            }
            out.printf("  %-7s %-" + width + "s  %s%n", l.path() == null ? "MISSING" : l.problem() != null ? "BAD" : "found", l.name(), where);
        }
        out.println(r.ok() ? "OK: every library jtorch needs resolves." : "NOT OK: see the lines marked MISSING or BAD above"
                + (r.missing().isEmpty() ? " (" + r.natives() + ")" : "") + ".");
    }
}

package dev.jtorch.cli;

import dev.jtorch.Device;
import dev.jtorch.Torch;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jtorch info [--json]}: versions, threads, device and loading settings. */
@Command(name = "info")
final class InfoCommand extends Subcommand {
    @CommandLine.Mixin
    Options.Json json;

    /** The facts {@code info} prints, in order. */
    static Map<String, Object> facts() {
        Torch.init();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jtorch", Torch.version());
        m.put("libtorch", Torch.libtorchVersion());
        m.put("presets", Torch.presetsVersion());
        m.put("natives", Torch.natives());
        m.put("java", System.getProperty("java.version"));
        m.put("threads", Torch.numThreads());
        m.put("blas_threads", Torch.blasThreads());
        m.put("blas_core", Torch.blasCore());
        m.put("malloc", Torch.mallocTuning());
        m.put("omp_wait", Torch.ompWait());
        m.put("onednn_inference", Torch.oneDnnInference());
        m.put("best_device", Device.best().toString());
        m.put("cuda_devices", dev.jtorch.cuda.Cuda.deviceCount());
        m.put("pointer_gc", Torch.pointerGc());
        return m;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        Map<String, Object> f = facts();
        if (json.on) {
            out.println(json(f));
            return 0;
        }
        row(out, "jtorch", f.get("jtorch"));
        row(out, "libtorch", f.get("libtorch") + " (JavaCPP presets " + f.get("presets") + ")");
        row(out, "natives", f.get("natives"));
        row(out, "java", f.get("java") + " (" + System.getProperty("java.vm.name") + ")");
        row(out, "intra-op threads", f.get("threads") + " (OpenBLAS " + f.get("blas_threads") + ")");
        row(out, "BLAS kernel", f.get("blas_core"));
        row(out, "malloc", f.get("malloc"));
        row(out, "OpenMP wait", f.get("omp_wait"));
        row(out, "oneDNN inference", f.get("onednn_inference"));
        row(out, "best device", f.get("best_device"));
        row(out, "pointer GC", Boolean.TRUE.equals(f.get("pointer_gc")) ? "on (accepted with -Djtorch.pointerGc=true)" : "off");
        return 0;
    }
}

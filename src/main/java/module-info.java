/**
 * jtorch: thin, leak-free Java wrappers over libtorch (the JavaCPP presets for PyTorch).
 *
 * <p>Exports the public packages only. {@code dev.jtorch.internal} (the only package that touches
 * the presets) and {@code dev.jtorch.tensor.access} (jtorch's own access to tensor handles) are
 * not exported; {@code dev.jtorch.unsafe} is the documented escape hatch, and whoever calls it
 * needs {@code requires org.bytedeco.pytorch} in their own module.
 *
 * <p>On the module path, the platform's native jars (e.g. {@code org.bytedeco.pytorch.linux.x86_64})
 * must be resolved too: {@code --add-modules ALL-MODULE-PATH} or name them. The tests run on the
 * class path.
 */
module dev.jtorch {
    requires java.desktop;        // java.awt.image, javax.imageio: image inputs and plots
    requires java.management;     // distributed.Launcher reads the JVM's input arguments
    requires jdk.httpserver;      // serve.http
    requires jdk.unsupported;     // sun.misc.Signal: train stops cleanly on SIGINT/SIGTERM
    // the presets' pytorch module requires javacpp and openblas transitively, and Jackson's databind
    // its annotations and core
    requires org.bytedeco.pytorch;
    requires com.fasterxml.jackson.databind;
    requires com.sun.jna;         // automatic module (jna 5.17 has no descriptor)
    // optional dependencies (pom.xml): the CLI and the plots, absent from a service's module path
    requires static info.picocli;
    requires static me.tongfei.progressbar;
    requires static org.knowm.xchart;    // Automatic-Module-Name
    requires org.slf4j;

    exports dev.jtorch;
    exports dev.jtorch.amp;
    exports dev.jtorch.autograd;
    exports dev.jtorch.cli;
    exports dev.jtorch.cuda;
    exports dev.jtorch.data;
    exports dev.jtorch.distributed;
    exports dev.jtorch.io;
    exports dev.jtorch.metrics;
    exports dev.jtorch.models;
    exports dev.jtorch.nn;
    exports dev.jtorch.nn.functional;
    exports dev.jtorch.nn.init;
    exports dev.jtorch.nn.utils;
    exports dev.jtorch.optim;
    exports dev.jtorch.serve;
    exports dev.jtorch.serve.http;
    exports dev.jtorch.tensor;
    exports dev.jtorch.train;
    exports dev.jtorch.unsafe;

    // picocli reads and sets the commands' annotated private fields; Jackson reads and builds the
    // JSON records (some private or nested)
    opens dev.jtorch.cli to info.picocli, com.fasterxml.jackson.databind;
    opens dev.jtorch.io to com.fasterxml.jackson.databind;
    opens dev.jtorch.metrics to com.fasterxml.jackson.databind;
    opens dev.jtorch.serve.http to com.fasterxml.jackson.databind;
    opens dev.jtorch.train to com.fasterxml.jackson.databind;
}

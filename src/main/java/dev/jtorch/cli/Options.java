package dev.jtorch.cli;

import dev.jtorch.Device;
import dev.jtorch.models.Architecture;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Converters shared by the commands: bad values become exit code 2 with the value named.
 *
 * <p>Every numeric flag has a converter that checks its range while parsing, so that a bad value
 * is a usage error (picocli's {@code Invalid value for option '--flag': ...}, exit 2) naming the
 * flag, the value and the allowed range, before any file is read or written. Overflow counts as
 * out of range (picocli's own {@code int} parsing would only say "is not an int"), and so do NaN
 * and the infinities for the floating-point flags.
 */
final class Options {
    private Options() {}

    /**
     * The most threads a flag may ask for. More than there are cores never helps, and a failure
     * to start threads inside libtorch's or OpenBLAS's native pools (not tried: a JVM-wide risk)
     * could not be reported as one clear line; a bound far above real core counts avoids it.
     */
    static final int MAX_THREADS = 1024;
    /** The most local worker processes {@code --nproc} starts (each is a JVM with its own copy of the data). */
    static final int MAX_NPROC = 1024;
    /** The largest {@code serve --max-batch}: the server keeps a counter per batch size. */
    static final int MAX_SERVE_BATCH = 65536;
    /** The longest {@code serve --max-wait-ms}: a request waits this long at most for company. */
    static final long MAX_WAIT_MS = 60_000;
    /** The longest {@code --dist-timeout}, in seconds (one day): beyond it a wait is a hang. */
    static final double MAX_DIST_TIMEOUT_S = 86_400;

    /** An integer in [min, max]; digits beyond a long's range are out of range too, not "not a number". */
    static long integer(String value, long min, long max) {
        String v = value.trim();
        String range = "[" + min + ", " + max + "]";
        if (!v.matches("[+-]?[0-9]+")) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not an integer in " + range);
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException overflow) {
            n = v.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
            if (n >= min && n <= max) { // the range reaches a long's end, and the value lies beyond it
                throw outOfRange(value, "an integer in " + range);
            }
        }
        if (n < min || n > max) {
            throw outOfRange(value, "an integer in " + range);
        }
        return n;
    }

    /**
     * A finite number above {@code min} (or at least {@code min} when {@code inclusive}) and at
     * most {@code max}; NaN and the infinities are refused.
     */
    static double number(String value, double min, boolean inclusive, double max) {
        String range = (inclusive ? "[" : "(") + fmt(min) + ", " + fmt(max) + (Double.isInfinite(max) ? ")" : "]");
        double d;
        try {
            d = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a number in " + range);
        }
        if (!Double.isFinite(d)) {
            throw outOfRange(value, "a finite number in " + range);
        }
        if (inclusive ? d < min : d <= min) {
            // 1e-400 parses to 0: say so, or "0 is out of range" would puzzle whoever typed 1e-400
            boolean underflow = d == 0 && value.trim().matches("[+-]?0*\\.?0*[1-9].*");
            throw outOfRange(value, "a number in " + range + (underflow ? " (it is 0 in double precision)" : ""));
        }
        if (d > max) {
            throw outOfRange(value, "a number in " + range);
        }
        return d;
    }

    private static CommandLine.TypeConversionException outOfRange(String value, String allowed) {
        return new CommandLine.TypeConversionException("'" + value + "' is out of range: the value must be " + allowed);
    }

    private static String fmt(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "+inf" : "-inf";
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    /**
     * A numeric flag's converter: {@code check} parses and range-checks the value (one call of
     * {@link #integer} or {@link #number}), so that each subclass only states its range.
     */
    private abstract static class RangeConverter<T> implements CommandLine.ITypeConverter<T> {
        private final Function<String, T> check;

        RangeConverter(Function<String, T> check) {
            this.check = check;
        }

        @Override
        public T convert(String value) {
            return check.apply(value);
        }
    }

    /** An {@code int} flag of at least 1 ({@code --epochs}, {@code --batch-size}, {@code --top-k}, ...). */
    static final class PositiveInt extends RangeConverter<Integer> {
        PositiveInt() {
            super(value -> (int) integer(value, 1, Integer.MAX_VALUE));
        }
    }

    /** An {@code int} flag of at least 0 ({@code --rank}). */
    static final class NonNegativeInt extends RangeConverter<Integer> {
        NonNegativeInt() {
            super(value -> (int) integer(value, 0, Integer.MAX_VALUE));
        }
    }

    /** A {@code long} flag of at least 0 ({@code --limit}, {@code --val}). */
    static final class NonNegativeLong extends RangeConverter<Long> {
        NonNegativeLong() {
            super(value -> integer(value, 0, Long.MAX_VALUE));
        }
    }

    /** Any {@code long} ({@code --seed}, as PyTorch's {@code manual_seed} takes any 64-bit value). */
    static final class AnyLong extends RangeConverter<Long> {
        AnyLong() {
            super(value -> integer(value, Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }

    /** A thread count in [1, {@value #MAX_THREADS}]. */
    static final class Threads extends RangeConverter<Integer> {
        Threads() {
            super(value -> (int) integer(value, 1, MAX_THREADS));
        }
    }

    /** {@code --nproc}: local workers in [1, {@value #MAX_NPROC}]. */
    static final class Nproc extends RangeConverter<Integer> {
        Nproc() {
            super(value -> (int) integer(value, 1, MAX_NPROC));
        }
    }

    /** A TCP port to listen on, in [0, 65535] (0: any free port). */
    static final class Port extends RangeConverter<Integer> {
        Port() {
            super(value -> (int) integer(value, 0, 65535));
        }
    }

    /** {@code serve --max-batch}, in [1, {@value #MAX_SERVE_BATCH}]. */
    static final class ServeBatch extends RangeConverter<Integer> {
        ServeBatch() {
            super(value -> (int) integer(value, 1, MAX_SERVE_BATCH));
        }
    }

    /** A positive {@code long} flag (byte and pixel limits, timeouts): in [1, 2^63-1]. */
    static final class PositiveLong extends RangeConverter<Long> {
        PositiveLong() {
            super(value -> integer(value, 1, Long.MAX_VALUE));
        }
    }

    /** {@code serve --max-wait-ms}, in [0, {@value #MAX_WAIT_MS}]. */
    static final class WaitMillis extends RangeConverter<Long> {
        WaitMillis() {
            super(value -> integer(value, 0, MAX_WAIT_MS));
        }
    }

    /** {@code serve --queue-capacity}: requests waiting for the model, in [1, 2^24]. */
    static final class QueueCapacity extends RangeConverter<Integer> {
        QueueCapacity() {
            super(value -> (int) integer(value, 1, 1 << 24));
        }
    }

    /** {@code serve --timeout-ms}: submission to result, in [1, 3,600,000] (an hour). */
    static final class TimeoutMillis extends RangeConverter<Long> {
        TimeoutMillis() {
            super(value -> integer(value, 1, 3_600_000));
        }
    }

    /**
     * {@code serve --input NAME:DTYPE:SHAPE}: a model input, e.g. {@code tokens:INT64:-1,16}; the
     * dtype by the inference protocol's name (FP32, INT64, BOOL...) or jtorch's (float32, int64...);
     * {@code -1} for a size of any length.
     */
    static final class InputSpec implements CommandLine.ITypeConverter<dev.jtorch.serve.TensorSpec> {
        @Override
        public dev.jtorch.serve.TensorSpec convert(String value) {
            String[] parts = value.split(":", -1);
            if (parts.length != 3 || parts[0].isBlank()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not NAME:DTYPE:SHAPE (e.g."
                        + " tokens:INT64:-1,16)");
            }
            dev.jtorch.DType dtype = dev.jtorch.serve.http.JtorchServer.dtype(parts[1].toUpperCase(java.util.Locale.ROOT));
            for (dev.jtorch.DType d : dev.jtorch.DType.values()) {
                if (dtype == null && (d.toString().equalsIgnoreCase(parts[1]) || d.name().equalsIgnoreCase(parts[1]))) {
                    dtype = d;
                }
            }
            if (dtype == null) {
                throw new CommandLine.TypeConversionException("'" + value + "': unknown dtype '" + parts[1]
                        + "' (FP32, FP64, FP16, BF16, INT64, INT32, INT16, INT8, UINT8, BOOL)");
            }
            String[] dims = parts[2].isBlank() ? new String[0] : parts[2].split(",");
            long[] shape = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = integer(dims[i], -1, Integer.MAX_VALUE);
            }
            try {
                return new dev.jtorch.serve.TensorSpec(parts[0], dtype, shape);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "': " + e.getMessage());
            }
        }
    }

    /** A finite number above 0 ({@code --lr}). */
    static final class PositiveNumber extends RangeConverter<Double> {
        PositiveNumber() {
            super(value -> number(value, 0, false, Double.POSITIVE_INFINITY));
        }
    }

    /** A finite number of at least 0 ({@code --momentum}). */
    static final class NonNegativeNumber extends RangeConverter<Double> {
        NonNegativeNumber() {
            super(value -> number(value, 0, true, Double.POSITIVE_INFINITY));
        }
    }

    /** {@code --dist-timeout}: seconds in (0, {@value #MAX_DIST_TIMEOUT_S}]. */
    static final class TimeoutSeconds extends RangeConverter<Double> {
        TimeoutSeconds() {
            super(value -> number(value, 0, false, MAX_DIST_TIMEOUT_S));
        }
    }

    /** {@code --master HOST:PORT}, unresolved; an IPv6 host in brackets ({@code [::1]:29500}). */
    static final class HostPort implements CommandLine.ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not HOST:PORT");
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "': the port must be an integer in [1, 65535] (HOST:PORT)");
            }
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return InetSocketAddress.createUnresolved(host, port);
        }
    }

    /** {@code --model mlp|cnn|cifar-cnn}. */
    static final class ArchitectureConverter implements CommandLine.ITypeConverter<Architecture> {
        @Override
        public Architecture convert(String value) {
            try {
                return Architecture.of(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --device auto|cpu|cuda|cuda:N}. */
    static final class DeviceConverter implements CommandLine.ITypeConverter<Device> {
        @Override
        public Device convert(String value) {
            if (value.equalsIgnoreCase("auto")) {
                return Device.best();
            }
            try {
                return Device.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage().replace("(expected ", "(expected auto, "));
            }
        }
    }

    /** {@code --verbose}, which every command takes ({@link Main} reads it before parsing). */
    static final class Verbose {
        @Option(names = "--verbose") boolean verbose;
    }

    /** {@code --json}, for the commands that print reports or results. */
    static final class Json {
        @Option(names = "--json") boolean on;
    }

    /** {@code --device}, for the commands that run a model. */
    static final class DeviceOption {
        @Option(names = "--device", defaultValue = "auto", converter = DeviceConverter.class) Device device;
    }

    /**
     * {@code --trust-code} and {@code --model}: how the commands that load model files read them
     * (eval, predict and serve).
     */
    static class ModelFormat {
        @Option(names = "--trust-code") boolean trustCode;
        @Option(names = "--model", converter = ArchitectureConverter.class) Architecture model;

        /** What {@code --trust-code} allows. */
        dev.jtorch.io.Trust trust() {
            return trustCode ? dev.jtorch.io.Trust.CODE : dev.jtorch.io.Trust.DATA;
        }
    }

    /** {@code --checkpoint FILE [--trust-code] [--model ...]}, for the commands that load one model file. */
    static final class ModelFile extends ModelFormat {
        @Option(names = "--checkpoint", required = true) Path checkpoint;
    }

    /** {@code --max-pixels}, for the commands that decode images they are sent (predict, serve). */
    static final class MaxPixels {
        @Option(names = "--max-pixels", converter = PositiveLong.class, defaultValue = "67108864") long value;
    }
}

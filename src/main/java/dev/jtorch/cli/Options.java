package dev.jtorch.cli;

import dev.jtorch.Device;
import dev.jtorch.models.Architecture;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Converters shared by the commands: bad values become exit code 2 with the value named. */
final class Options {
    private Options() {}

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
        @Option(names = "--verbose", description = "stack traces on errors")
        boolean verbose;
    }

    /** {@code --device}, for the commands that run a model. */
    static final class DeviceOption {
        @Option(names = "--device", defaultValue = "auto", converter = DeviceConverter.class,
                description = "auto (default), cpu, cuda or cuda:N")
        Device device;
    }

    /** {@code --checkpoint FILE [--model ...]}, for the commands that load a model file. */
    static final class ModelFile {
        @Option(names = "--checkpoint", required = true,
                description = "jtorch checkpoint, state dict (Java or Python) or safetensors; detected from content."
                        + " A TorchScript archive only with --trust-code")
        Path checkpoint;

        @Option(names = "--trust-code",
                description = "allow a TorchScript archive as --checkpoint: it is code, and loading and running it"
                        + " executes what it contains")
        boolean trustCode;

        /** What {@code --trust-code} allows. */
        dev.jtorch.io.Trust trust() {
            return trustCode ? dev.jtorch.io.Trust.CODE : dev.jtorch.io.Trust.DATA;
        }

        @Option(names = "--model", converter = ArchitectureConverter.class,
                description = "architecture of a bare state dict or safetensors file (a checkpoint records its own)")
        Architecture model;
    }
}

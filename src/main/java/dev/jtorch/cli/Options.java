package dev.jtorch.cli;

import dev.jtorch.Device;
import dev.jtorch.models.Architecture;
import picocli.CommandLine;

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
}

package dev.jtorch.data;

/**
 * The settings every loader's builder has: the batch size, the shuffle order and the device. Their
 * setters and fields are generated into {@link LoaderBuilderSetters} from
 * {@code src/generator/resources/builder_setters.tsv}; each loader gives its own default batch size.
 *
 * @param <B> the builder itself, which every setter returns
 */
abstract class LoaderBuilder<B extends LoaderBuilder<B>> extends LoaderBuilderSetters<B> {
    LoaderBuilder(int batchSize) {
        this.batchSize = batchSize;
    }
}

package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Runs its children in order, each on the previous one's output, as PyTorch's
 * {@code nn.Sequential}; children are named {@code "0"}, {@code "1"}, ... so state-dict keys
 * ({@code 0.weight}) match PyTorch's.
 *
 * <pre>{@code
 * Sequential net = Sequential.of(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10));
 * }</pre>
 *
 * <p>Pure Java: it holds Java modules and lambdas (a lambda takes an index like any child but has
 * no state), which libtorch's own {@code Sequential} cannot.
 */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    /** An empty container; {@link #add} appends. */
    public Sequential() {}

    /** A container holding {@code modules} in order. */
    public static Sequential of(Module... modules) {
        Sequential s = new Sequential();
        for (Module m : modules) {
            s.add(m);
        }
        return s;
    }

    /**
     * A container holding {@code modules} under their keys, in the map's order, as PyTorch's
     * {@code nn.Sequential(OrderedDict(...))}: state-dict keys are {@code conv.weight}.
     *
     * @throws IllegalArgumentException if a key is empty or contains a dot
     */
    public static Sequential of(Map<String, ? extends Module> modules) {
        Sequential s = new Sequential();
        modules.forEach(s::add);
        return s;
    }

    /**
     * Appends {@code module} under {@code name}.
     *
     * @throws IllegalArgumentException if the name is taken, empty or contains a dot
     */
    public Sequential add(String name, Module module) {
        layers.add(register(name, module));
        return this;
    }

    /**
     * The child at {@code index} (negative counts from the end, as in Python).
     *
     * @throws IndexOutOfBoundsException naming the index and the size
     */
    public Module get(int index) {
        int i = index < 0 ? index + layers.size() : index;
        if (i < 0 || i >= layers.size()) {
            throw new IndexOutOfBoundsException("Sequential index " + index + " out of range for " + layers.size()
                    + " layers");
        }
        return layers.get(i);
    }

    /** Appends a module under the next index. */
    public Sequential add(Module module) {
        layers.add(register(Integer.toString(layers.size()), module));
        return this;
    }

    /** Appends a stateless function (e.g. {@code F::relu}) under the next index. */
    public Sequential add(UnaryOperator<Tensor> function) {
        return add(new Lambda(function));
    }

    /** The children in order. */
    public List<Module> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** Number of children. */
    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        Tensor x = input;
        for (Module m : layers) {
            x = m.forward(x);
        }
        return x;
    }

    /** A function as a module without parameters. */
    private static final class Lambda extends Module {
        private final UnaryOperator<Tensor> function;

        Lambda(UnaryOperator<Tensor> function) {
            this.function = function;
        }

        @Override
        public Tensor forward(Tensor input) {
            checkOpen();
            return function.apply(input);
        }
    }
}

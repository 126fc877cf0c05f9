package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The module API against PyTorch (fixtures/modules.json from scripts/fixtures_modules.py): the key
 * lists of every container, non-persistent buffers, tied and frozen parameters, strict loading of
 * PyTorch's state dict, outputs and gradients.
 */
class ModuleContainersTest {
    /** Mirrors Net in scripts/fixtures_modules.py. */
    static final class Net extends Module {
        final Tensor scale = registerParameter("scale", () -> Tensor.ones(3));
        final Tensor mask = registerBuffer("mask", () -> Tensor.zeros(3), false);
        final Tensor count = registerBuffer("count", () -> Tensor.zeros(1));
        final Linear emb = register("emb", new Linear(4, 3));
        final ModuleList<Linear> blocks = register("blocks", ModuleList.of(new Linear(3, 3), new Linear(3, 3)));
        final ModuleDict<Linear> heads = register("heads", new ModuleDict<Linear>()
                .put("a", new Linear(3, 2)).put("b", new Linear(3, 2)));
        final ParameterList extra = register("extra", new ParameterList());
        final ParameterDict pd = register("pd", new ParameterDict());
        final Sequential seq = register("seq", Sequential.of(seqLayers()));
        final Linear out = register("out", new Linear(4, 3, false));
        final Linear frozen = register("frozen", new Linear(3, 3));

        Net() {
            extra.add(() -> Tensor.zeros(2));
            extra.add(() -> Tensor.zeros(3));
            pd.put("alpha", () -> Tensor.zeros(1));
            tieParameter("out.weight", emb.weight());
            frozen.requiresGrad(false);
        }

        private static Map<String, Module> seqLayers() {
            Map<String, Module> named = new LinkedHashMap<>();
            named.put("proj", new Linear(2, 2));
            named.put("act", new Tanh());
            return named;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = emb.forward(x).mul(scale).add(mask);
            for (Linear b : blocks) {
                h = b.forward(h).relu().add(extra.get(1));
            }
            Tensor y = heads.get("a").forward(h).add(heads.get("b").forward(h).mul(pd.get("alpha"))).add(extra.get(0));
            y = seq.forward(y);
            Tensor z = frozen.forward(out.forward(x));
            return Tensor.cat(List.of(y, z), 1);
        }
    }

    private long liveBefore;
    private TensorScope scope;

    @BeforeEach
    void openScope() {
        Torch.init();
        liveBefore = Torch.liveHandles();
        scope = TensorScope.open();
    }

    @AfterEach
    void closeScopeAndCheckLeaks() {
        if (!scope.isClosed()) {
            scope.close();
        }
        assertFalse(TensorScope.isOpen(), "a test left a scope open");
        assertEquals(liveBefore, Torch.liveHandles(), "native handles leaked by this test");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void keyListsMatchPyTorch() {
        JsonNode fx = Fixtures.load("modules.json");
        try (Net net = new Net()) {
            assertEquals(strings(fx.get("state_dict_keys")), new ArrayList<>(net.stateDict().keySet()));
            assertEquals(strings(fx.get("named_parameters")), new ArrayList<>(net.namedParameters().keySet()));
            assertEquals(strings(fx.get("named_buffers")), new ArrayList<>(net.namedBuffers().keySet()));
            assertEquals(strings(fx.get("named_modules")), new ArrayList<>(net.namedModules().keySet()));
        }
    }

    @Test
    void pytorchStateDictLoadsStrictlyAndOutputsAndGradientsMatch() {
        JsonNode fx = Fixtures.load("modules.json");
        try (Net net = new Net()) {
            net.loadStateDict(Fixtures.tensorMap(fx.get("state_dict")));
            Tensor x = Fixtures.tensor(fx.get("input"));
            Tensor y = net.forward(x);
            Fixtures.assertClose(fx.get("output"), y, 1e-5, 1e-5);
            y.sum().backward();
            Map<String, Tensor> params = net.namedParameters();
            JsonNode grads = fx.get("grads");
            grads.fieldNames().forEachRemaining(k -> Fixtures.assertClose(grads.get(k), params.get(k).grad(), 1e-5, 1e-5));
            assertNull(net.frozen.weight().grad(), "frozen parameters get no gradient");
            assertFalse(net.frozen.weight().requiresGrad());
        }
    }

    @Test
    void tiedParameterIsOneTensor() {
        try (Net net = new Net()) {
            assertTrue(net.stateDict().containsKey("out.weight"));
            assertFalse(net.namedParameters().containsKey("out.weight"));
            assertSame(net.emb.weight(), net.getParameter("emb.weight"));
            try (NoGrad g = NoGrad.enter()) {
                net.emb.weight().fill_(0.25);
            }
            assertEquals(0.25, net.out.weight().mean().item(), 0);
            long distinct = net.parameterCount();
            assertEquals(net.parameters().size(), net.namedParameters().size());
            assertEquals(distinct, net.namedParameters().values().stream().mapToLong(Tensor::numel).sum());
            // a dtype move keeps the tie
            net.to(DType.FLOAT64);
            try (NoGrad g = NoGrad.enter()) {
                net.emb.weight().fill_(0.5);
            }
            assertEquals(0.5, net.out.weight().mean().item(), 0);
            assertEquals(DType.FLOAT64, net.out.weight().dtype());
        }
    }

    @Test
    void registeringAnotherModulesParameterTiesIt() {
        final class Tied extends Module {
            final Linear enc = register("enc", new Linear(2, 2));
            final Tensor w = registerParameter("w", enc.weight());

            @Override
            public Tensor forward(Tensor input) {
                return input;
            }
        }
        try (Tied t = new Tied()) {
            // as PyTorch: the module's own entries first, the tied one listed once under its first name
            assertEquals(List.of("w", "enc.bias"), new ArrayList<>(t.namedParameters().keySet()));
            assertEquals(List.of("w", "enc.weight", "enc.bias"), new ArrayList<>(t.stateDict().keySet()));
            try (NoGrad g = NoGrad.enter()) {
                t.w.fill_(3.0);
            }
            assertEquals(3.0, t.enc.weight().mean().item(), 0);
        }
    }

    @Test
    void nonPersistentBufferMovesButIsNotSaved() {
        try (Net net = new Net()) {
            assertFalse(net.stateDict().containsKey("mask"));
            assertSame(net.mask, net.getBuffer("mask"));
            net.to(DType.FLOAT64);
            assertEquals(DType.FLOAT64, net.mask.dtype());
        }
    }

    @Test
    void tieParameterChecksItsArguments() {
        try (Net net = new Net()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.tieParameter("blocks.0.weight", net.emb.weight()));
            assertTrue(e.getMessage().contains("[3, 3]") || e.getMessage().contains("3, 3"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> net.tieParameter("nope.weight", net.emb.weight()));
            Tensor plain = Tensor.zeros(3, 4);
            e = assertThrows(IllegalArgumentException.class, () -> net.tieParameter("emb.weight", plain));
            assertTrue(e.getMessage().contains("not a parameter"), e.getMessage());
        }
    }

    @Test
    void navigation() {
        try (Net net = new Net()) {
            assertSame(net.blocks.get(1), net.getSubmodule("blocks.1"));
            assertSame(net.blocks.get(-1), net.blocks.get(1));
            assertSame(net.heads.get("b"), net.getSubmodule("heads.b"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.getSubmodule("blocks.7"));
            assertTrue(e.getMessage().contains("'7'"), e.getMessage());
            assertSame(net.blocks.get(0).bias(), net.getParameter("blocks.0.bias"));
            assertSame(net.extra.get(1), net.getParameter("extra.1"));
            assertThrows(IllegalArgumentException.class, () -> net.getParameter("blocks.0.nothing"));
            assertThrows(IndexOutOfBoundsException.class, () -> net.extra.get(2));
            List<String> visited = new ArrayList<>();
            net.seq.apply(m -> visited.add(m.getClass().getSimpleName()));
            assertEquals(List.of("Linear", "Tanh", "Sequential"), visited);
            assertEquals(net.namedModules().size(), net.modules().size());
            assertEquals(8, net.children().size());
        }
    }

    @Test
    void requiresGradFreezesAndUnfreezes() {
        try (Net net = new Net()) {
            net.requiresGrad(false);
            assertTrue(net.parameters().stream().noneMatch(Tensor::requiresGrad));
            net.requiresGrad(true);
            assertTrue(net.parameters().stream().allMatch(Tensor::requiresGrad));
            assertEquals(2, net.stateDict().keySet().stream().filter(k -> k.startsWith("frozen.")).count());
        }
    }

    @Test
    void parameterContainersRejectBadNames() {
        try (ParameterDict d = new ParameterDict()) {
            d.put("a", () -> Tensor.zeros(1));
            assertThrows(IllegalArgumentException.class, () -> d.put("a", () -> Tensor.zeros(1)));
            assertThrows(IllegalArgumentException.class, () -> d.put("a.b", () -> Tensor.zeros(1)));
            assertThrows(UnsupportedOperationException.class, () -> d.forward(Tensor.zeros(1)));
        }
        try (ParameterList l = ParameterList.of(Tensor.zeros(2), Tensor.ones(3))) {
            assertEquals(List.of("0", "1"), new ArrayList<>(l.stateDict().keySet()));
            assertTrue(l.get(0).requiresGrad());
            assertTrue(l.toString().contains("Parameter"), l.toString());
        }
    }
}

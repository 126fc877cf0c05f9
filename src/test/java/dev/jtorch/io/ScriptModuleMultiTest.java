package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TorchScript scripts with several inputs and tuple, dict and scalar outputs, written by PyTorch
 * 1.13 (scripts/fixtures_torchscript_multi.py): same values as PyTorch, clear errors, no leaks.
 */
class ScriptModuleMultiTest {
    @TempDir
    Path dir;
    private static JsonNode expected;
    private long handlesBefore;

    @BeforeAll
    static void readExpected() throws IOException {
        try (InputStream in = ScriptModuleMultiTest.class.getResourceAsStream("/torchscript/multi_expected.json")) {
            expected = new ObjectMapper().readTree(in);
        }
    }

    @BeforeEach
    void recordHandles() {
        Torch.init();
        handlesBefore = Torch.liveHandles();
    }

    @AfterEach
    void noLeaks() {
        assertEquals(handlesBefore, Torch.liveHandles(), "native handles leaked");
    }

    @Test
    void twoInputsTupleOutput() throws IOException {
        JsonNode fx = expected.get("two_in_tuple");
        try (ScriptModule m = ScriptModule.load(SafeTensorsTest.resource(dir, "two_in_tuple.pt"));
             NoGrad g = NoGrad.enter(); TensorScope s = TensorScope.open()) {
            List<Tensor> out = m.forwardTensors(Fixtures.tensor(fx.get("x")), Fixtures.tensor(fx.get("y")));
            assertEquals(2, out.size());
            Fixtures.assertClose(fx.get("out0"), out.get(0), 1e-5, 1e-5);
            Fixtures.assertClose(fx.get("out1"), out.get(1), 1e-5, 1e-5);
            TorchException e = assertThrows(TorchException.class,
                    () -> m.forward(Fixtures.tensor(fx.get("x")), Fixtures.tensor(fx.get("y"))));
            assertTrue(e.getMessage().contains("forwardTensors"), e.getMessage());
            e = assertThrows(TorchException.class, () -> m.forward(Fixtures.tensor(fx.get("x"))));
            assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        }
    }

    @Test
    void lstmNestedTupleFlattens() throws IOException {
        JsonNode fx = expected.get("lstm_tuple");
        try (ScriptModule m = ScriptModule.load(SafeTensorsTest.resource(dir, "lstm_tuple.pt"));
             NoGrad g = NoGrad.enter(); TensorScope s = TensorScope.open()) {
            List<String> keys = new ArrayList<>();
            fx.get("state_dict_keys").forEach(k -> keys.add(k.asText()));
            assertEquals(keys, new ArrayList<>(m.stateDict().keySet()));
            Tensor x = Fixtures.tensor(fx.get("x"));
            List<Tensor> out = m.forwardTensors(x);
            assertEquals(3, out.size());
            Fixtures.assertClose(fx.get("out"), out.get(0), 1e-5, 1e-5);
            Fixtures.assertClose(fx.get("h"), out.get(1), 1e-5, 1e-5);
            Fixtures.assertClose(fx.get("c"), out.get(2), 1e-5, 1e-5);
            Object v = m.forwardValue(x);
            List<?> top = assertInstanceOf(List.class, v);
            assertEquals(2, top.size());
            List<?> state = assertInstanceOf(List.class, top.get(1));
            Fixtures.assertClose(fx.get("c"), (Tensor) state.get(1), 1e-5, 1e-5);
        }
    }

    @Test
    void scalarsStringsNoneAndDicts() throws IOException {
        JsonNode fx = expected.get("mixed_out");
        try (ScriptModule m = ScriptModule.load(SafeTensorsTest.resource(dir, "mixed_out.pt"));
             TensorScope s = TensorScope.open()) {
            Tensor x = Fixtures.tensor(fx.get("x"));
            Tensor mask = Fixtures.tensor(fx.get("mask")).to(DType.BOOL);
            List<?> out = assertInstanceOf(List.class, m.forwardValue(x, 1.5, 2L, true, "abc", mask));
            assertEquals(7, out.size());
            Map<?, ?> d = assertInstanceOf(Map.class, out.get(0));
            assertEquals(List.of("scaled", "sum"), new ArrayList<>(d.keySet()));
            Fixtures.assertClose(fx.get("scaled"), (Tensor) d.get("scaled"), 1e-6, 1e-6);
            Fixtures.assertClose(fx.get("sum"), (Tensor) d.get("sum"), 1e-5, 1e-5);
            assertEquals(3L, out.get(1));
            assertEquals(3.0, out.get(2));
            assertEquals(false, out.get(3));
            assertEquals("abc!", out.get(4));
            assertNull(out.get(5));
            List<?> l = assertInstanceOf(List.class, out.get(6));
            Fixtures.assertClose(fx.get("list1"), (Tensor) l.get(1), 1e-6, 1e-6);
            // None for the optional mask, an int passed as Integer
            List<?> noMask = assertInstanceOf(List.class, m.forwardValue(x, 1.5, 2, true, "abc", null));
            assertEquals(3L, noMask.get(1));
            TorchException e = assertThrows(TorchException.class, () -> m.forwardTensors(x));
            assertTrue(e.getMessage().contains("forward"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.forwardValue(x, new Object(), 2L, true, "a", null));
            e = assertThrows(TorchException.class, () -> m.forwardValue(x, "not a float", 2L, true, "a", null));
            assertTrue(e.getMessage().contains("\"not a float\""), e.getMessage());
        }
    }

    @Test
    void structuredCallsNeedAScope() throws IOException {
        try (ScriptModule m = ScriptModule.load(SafeTensorsTest.resource(dir, "two_in_tuple.pt"))) {
            Tensor[] in = new Tensor[2];
            assertThrows(IllegalStateException.class, () -> m.forwardTensors(in));
        }
    }
}

package dev.jtorch.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CLI's architectures: layer names, shapes, and clear errors for data of the wrong shape. */
class ArchitectureTest {
    private long baseline;

    @BeforeEach
    void before() {
        baseline = Torch.liveHandles();
    }

    @AfterEach
    void after() {
        assertEquals(baseline, Torch.liveHandles(), "native handles leaked");
    }

    private static Map<String, Shape> shapes(Module m) {
        Map<String, Shape> out = new java.util.LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.shape()));
        return out;
    }

    @Test
    void mlpIsTheTutorialsSimpleNN() {
        try (Module m = Architecture.of("mlp").create(); TensorScope s = TensorScope.open()) {
            assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(m.stateDict().keySet()));
            assertEquals(Shape.of(128, 784), shapes(m).get("fc1.weight"));
            assertEquals(Shape.of(5, 10), m.forward(Tensor.rand(5, 1, 28, 28)).shape());
            assertEquals(Shape.of(5, 10), m.forward(Tensor.rand(5, 784)).shape());
        }
    }

    @Test
    void cnnHasTheDesignsLayers() {
        try (Module m = Architecture.CNN.create(); TensorScope s = TensorScope.open()) {
            assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                    "fc2.weight", "fc2.bias"), List.copyOf(m.stateDict().keySet()));
            assertEquals(Shape.of(32, 1, 3, 3), shapes(m).get("conv1.weight"));
            assertEquals(Shape.of(64, 32, 3, 3), shapes(m).get("conv2.weight"));
            assertEquals(Shape.of(128, 1600), shapes(m).get("fc1.weight"));
            assertEquals(Shape.of(3, 10), m.forward(Tensor.rand(3, 1, 28, 28)).shape());
        }
    }

    @Test
    void cifarCnnTakesColourImages() {
        try (Module m = Architecture.of("cifar-cnn").create(); TensorScope s = TensorScope.open()) {
            assertEquals(Shape.of(2, 10), m.forward(Tensor.rand(2, 3, 32, 32)).shape());
            assertEquals(Shape.of(256, 2048), shapes(m).get("fc1.weight"));
        }
    }

    @Test
    void wrongInputShapesAreNamed() {
        try (Module mlp = Architecture.MLP.create(); Module cnn = Architecture.CNN.create();
             Module cifar = Architecture.CIFAR_CNN.create(); TensorScope s = TensorScope.open()) {
            TorchException e = assertThrows(TorchException.class, () -> mlp.forward(Tensor.rand(2, 3, 32, 32)));
            assertTrue(e.getMessage().contains("mlp expects images of 1x28x28") && e.getMessage().contains("[2, 3, 32, 32]"),
                    e.getMessage());
            e = assertThrows(TorchException.class, () -> cnn.forward(Tensor.rand(2, 784)));
            assertTrue(e.getMessage().contains("cnn") && e.getMessage().contains("[2, 784]"), e.getMessage());
            e = assertThrows(TorchException.class, () -> cifar.forward(Tensor.rand(2, 1, 28, 28)));
            assertTrue(e.getMessage().contains("3x32x32"), e.getMessage());
        }
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.of("resnet"));
        assertTrue(e.getMessage().contains("[mlp, cnn, cifar-cnn]"), e.getMessage());
        assertEquals(Architecture.CIFAR_CNN, Architecture.of(" CIFAR-CNN "));
    }

    @Test
    void seededCreationIsRepeatable() {
        Torch.manualSeed(7);
        try (Module a = Architecture.MLP.create(); TensorScope s = TensorScope.open()) {
            Torch.manualSeed(7);
            try (Module b = Architecture.MLP.create()) {
                assertEquals(a.stateDict().get("fc1.weight").sum().item(), b.stateDict().get("fc1.weight").sum().item());
            }
        }
    }
}

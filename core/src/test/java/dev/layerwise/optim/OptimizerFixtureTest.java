package dev.layerwise.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.DType;
import dev.layerwise.testing.Fixtures;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer against the book's {@code common/optimizer.py}, step for step: five updates of {@code W} (3, 4) and
 * {@code b} (4) from the fixture's gradients, with the fixture's own hyperparameters.
 */
class OptimizerFixtureTest {

    static Stream<Arguments> cases() {
        Map<String, Map<String, Double>> hyper = Map.of(
                "sgd", Map.of("lr", 0.1),
                "momentum", Map.of("lr", 0.1, "momentum", 0.9),
                "nesterov", Map.of("lr", 0.1, "momentum", 0.9),
                "adagrad", Map.of("lr", 0.1),
                "rmsprop", Map.of("lr", 0.01, "decay_rate", 0.99),
                "adam", Map.of("lr", 0.001, "beta1", 0.9, "beta2", 0.999));
        return Optimizers.names().stream().flatMap(name -> Stream.of(DType.values())
                .map(dtype -> Arguments.of(name, hyper.get(name), dtype)));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void followsTheBookStepForStep(String name, Map<String, Double> hyper, DType dtype) {
        Fixtures f = Fixtures.load("optimizers");
        Parameters params = Parameters.allocate(dtype, List.of(Parameters.spec("W", 3, 4), Parameters.spec("b", 4)));
        params.setValues(Map.of("W", f.tensor("W0", dtype), "b", f.tensor("b0", dtype)));
        Optimizer optimizer = Optimizers.create(name, hyper);
        assertEquals(name, optimizer.name());
        for (int step = 0; step < 5; step++) {
            params.get("W").grad().copyFrom(f.tensor("gW" + step, dtype));
            params.get("b").grad().copyFrom(f.tensor("gb" + step, dtype));
            optimizer.update(params);
            f.assertMatches(name + "_W" + (step + 1), params.get("W").value());
            f.assertMatches(name + "_b" + (step + 1), params.get("b").value());
        }
        assertEquals(5, optimizer.iterations());
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void theFixtureHyperparametersAreTheOnesGiven(String name, Map<String, Double> hyper, DType dtype) {
        // The constructors and the factory agree: the same five steps from a constructor give the same values.
        Fixtures f = Fixtures.load("optimizers");
        Optimizer direct;
        switch (name) {
            case "sgd": direct = new SGD(0.1); break;
            case "momentum": direct = new Momentum(0.1, 0.9); break;
            case "nesterov": direct = new Nesterov(0.1, 0.9); break;
            case "adagrad": direct = new AdaGrad(0.1); break;
            case "rmsprop": direct = new RMSprop(0.01, 0.99); break;
            default: direct = new Adam(0.001, 0.9, 0.999); break;
        }
        Parameters params = Parameters.allocate(dtype, List.of(Parameters.spec("W", 3, 4), Parameters.spec("b", 4)));
        params.setValues(Map.of("W", f.tensor("W0", dtype), "b", f.tensor("b0", dtype)));
        for (int step = 0; step < 5; step++) {
            params.get("W").grad().copyFrom(f.tensor("gW" + step, dtype));
            params.get("b").grad().copyFrom(f.tensor("gb" + step, dtype));
            direct.update(params);
        }
        f.assertMatches(name + "_W5", params.get("W").value());
        f.assertMatches(name + "_b5", params.get("b").value());
    }
}

package dev.layerwise.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The factory, the book's defaults, validation, lazy named state, reset, checkpointed state and schedules. */
class OptimizersTest {

    static Parameters params(DType dtype, long seed) {
        Parameters p = Parameters.allocate(dtype, List.of(Parameters.spec("W1", 4, 3), Parameters.spec("b1", 3)));
        Rng rng = new Rng(seed);
        for (int i = 0; i < p.totalSize(); i++) {
            p.flatValues().setDouble(i, rng.nextGaussian());
            p.flatGrads().setDouble(i, rng.nextGaussian());
        }
        return p;
    }

    @Test
    void namesAndTheBooksDefaults() {
        assertEquals(List.of("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"), Optimizers.names());
        assertEquals(Map.of("lr", 0.01), Optimizers.defaults("SGD"));
        assertEquals(Map.of("lr", 0.01, "momentum", 0.9), Optimizers.defaults("Momentum"));
        assertEquals(Map.of("lr", 0.01, "momentum", 0.9), Optimizers.defaults("nesterov"));
        assertEquals(Map.of("lr", 0.01), Optimizers.defaults("AdaGrad"));
        assertEquals(Map.of("lr", 0.01, "decay_rate", 0.99), Optimizers.defaults("RMSprop"));
        assertEquals(Map.of("lr", 0.001, "beta1", 0.9, "beta2", 0.999), Optimizers.defaults("Adam"));
        assertEquals(1e-7, Optimizers.EPSILON);

        assertEquals(0.01, ((SGD) Optimizers.create("sgd")).lr());
        assertEquals(0.01, new SGD().lr());
        Momentum m = (Momentum) Optimizers.create("Momentum");
        assertEquals(0.01, m.lr());
        assertEquals(0.9, m.momentum());
        assertEquals(0.9, new Nesterov().momentum());
        assertEquals(0.01, new AdaGrad().lr());
        assertEquals(0.99, new RMSprop().decayRate());
        Adam adam = new Adam();
        assertEquals(0.001, adam.lr());
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        Adam tuned = (Adam) Optimizers.create("adam", Map.of("lr", 0.01, "beta2", 0.99));
        assertEquals(0.01, tuned.lr());
        assertEquals(0.9, tuned.beta1(), "not given: the book's default");
        assertEquals(0.99, tuned.beta2());
        assertEquals("Adam(lr=0.01, beta1=0.9, beta2=0.99)", tuned.toString());
        for (String name : Optimizers.names()) {
            assertEquals(name, Optimizers.create(name).name());
        }
    }

    @Test
    void badNamesAndHyperparametersAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("adamw"));
        assertTrue(e.getMessage().contains("unknown optimizer 'adamw'") && e.getMessage().contains("adagrad"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sgd", Map.of("momentum", 0.9)));
        assertTrue(e.getMessage().contains("sgd takes lr; not 'momentum'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", Map.of("lr", -0.1)));
        assertTrue(e.getMessage().contains("lr") && e.getMessage().contains("-0.1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Momentum(0.1, 1.0));
        assertTrue(e.getMessage().contains("momentum must be in [0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RMSprop(0.1, -0.5));
        assertTrue(e.getMessage().contains("decay_rate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 0.9, 1.5));
        assertTrue(e.getMessage().contains("beta2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdaGrad(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Nesterov(Double.POSITIVE_INFINITY, 0.9));
    }

    @Test
    void stateIsCreatedPerParameterNameOnFirstUse() {
        Momentum m = new Momentum(0.1, 0.9);
        assertEquals(Map.of(), m.state().tensors());
        Parameters p = params(DType.FLOAT64, 1);
        m.update(p);
        assertEquals(List.of("v/W1", "v/b1"), List.copyOf(m.state().tensors().keySet()));
        // The first velocity is −lr·g.
        Tensor v = m.state().tensors().get("v/b1");
        for (int i = 0; i < v.size(); i++) {
            assertEquals(-0.1 * p.get("b1").grad().getDouble(i), v.getDouble(i), 1e-15);
        }
        Parameters other = Parameters.allocate(DType.FLOAT64, List.of(Parameters.spec("W1", 2, 2)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.update(other));
        assertTrue(e.getMessage().contains("W1") && e.getMessage().contains("reset()"), e.getMessage());
        m.reset();
        assertEquals(0, m.iterations());
        m.update(other);
        assertEquals(List.of("v/W1"), List.copyOf(m.state().tensors().keySet()));
    }

    @Test
    void aRestoredStateContinuesExactly() {
        for (String name : Optimizers.names()) {
            for (DType dtype : DType.values()) {
                Optimizer a = Optimizers.create(name);
                Parameters pa = params(dtype, 2);
                for (int i = 0; i < 3; i++) {
                    a.update(pa);
                }
                Optimizer.State saved = a.state();
                assertEquals(3, saved.iterations());
                Parameters pb = params(dtype, 2);
                pb.flatValues().copyFrom(pa.flatValues());
                Optimizer b = Optimizers.create(name);
                b.restore(saved);
                a.update(pa);
                b.update(pb);
                assertArrayEquals(pa.flatValues().toDoubleArray(), pb.flatValues().toDoubleArray(),
                        name + " " + dtype);
                assertEquals(4, b.iterations());
            }
        }
        Optimizer.State momentumState = new Momentum().state();
        assertThrows(IllegalArgumentException.class, () -> new Adam().restore(new Optimizer.State(1,
                Map.of("v/W1", Tensor.zeros(DType.FLOAT64, 2)))), "Adam needs m and v");
        assertEquals(0, momentumState.iterations());
    }

    @Test
    void schedules() {
        LearningRateSchedule constant = LearningRateSchedule.constant();
        assertEquals(0.1, constant.rate(0.1, 12345));
        LearningRateSchedule step = LearningRateSchedule.step(100, 0.5);
        assertEquals(0.1, step.rate(0.1, 0));
        assertEquals(0.1, step.rate(0.1, 99));
        assertEquals(0.05, step.rate(0.1, 100));
        assertEquals(0.025, step.rate(0.1, 250));
        LearningRateSchedule cosine = LearningRateSchedule.cosine(100, 0.001);
        assertEquals(0.1, cosine.rate(0.1, 0), 1e-15);
        assertEquals(0.001 + (0.1 - 0.001) / 2, cosine.rate(0.1, 50), 1e-15);
        assertEquals(0.001, cosine.rate(0.1, 100), 1e-15);
        assertEquals(0.001, cosine.rate(0.1, 500), 1e-15, "after the run, the minimum");
        assertInstanceOf(LearningRateSchedule.Step.class, LearningRateSchedule.parse("step:100:0.5", 10));
        assertEquals(new LearningRateSchedule.Cosine(2000, 0), LearningRateSchedule.parse("cosine", 2000));
        assertEquals(new LearningRateSchedule.Cosine(2000, 1e-4), LearningRateSchedule.parse("Cosine:1e-4", 2000));
        assertEquals(constant, LearningRateSchedule.parse("constant", 1));
        for (String bad : List.of("linear", "step:0:0.5", "step:10", "step:10:1.5", "cosine:-1", "step:a:b")) {
            assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse(bad, 100), bad);
        }
    }

    @Test
    void theScheduleSetsTheRateOfEachUpdate() {
        SGD sgd = new SGD(0.1, LearningRateSchedule.step(2, 0.5));
        Parameters p = params(DType.FLOAT64, 3);
        double[] expectedRates = {0.1, 0.1, 0.05, 0.05, 0.025};
        for (double rate : expectedRates) {
            assertEquals(rate, sgd.currentLearningRate());
            double[] before = p.flatValues().toDoubleArray();
            sgd.update(p);
            double[] after = p.flatValues().toDoubleArray();
            double[] g = p.flatGrads().toDoubleArray();
            for (int i = 0; i < g.length; i++) {
                assertEquals(before[i] - rate * g[i], after[i], 1e-15);
            }
        }
        assertTrue(sgd.toString().contains("schedule=step:2:0.5"), sgd.toString());
    }
}

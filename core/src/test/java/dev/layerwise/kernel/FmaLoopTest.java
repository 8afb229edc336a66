package dev.layerwise.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The register-only multiply-add loop that measures the ceiling, on every available implementation. */
class FmaLoopTest {

    static java.util.List<Kernels> implementations() {
        return KernelsTest.implementations();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void countsItsMultiplyAddsInProportionToTheRounds(Kernels kernels) {
        float[] sink = new float[1];
        long perRound = kernels.matrix().fmaLoop(1, sink);
        assertTrue(perRound >= 8, "at least 8 independent multiply-adds a round, got " + perRound);
        assertEquals(0, kernels.matrix().fmaLoop(0, sink));
        assertEquals(3001 * perRound, kernels.matrix().fmaLoop(3001, sink));
    }

    /**
     * Every accumulator steps {@code acc = x·y + acc} with {@code x·y = 2⁻¹¹}, exactly: the sink, the sum of all of
     * them, grows by {@code 2⁻¹¹} for each multiply-add, so a lane or accumulator left out (or a step done twice)
     * would show.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void theSinkSumsEveryAccumulator(Kernels kernels) {
        float[] sink = new float[1];
        kernels.matrix().fmaLoop(0, sink);
        float start = sink[0];
        long multiplyAdds = kernels.matrix().fmaLoop(20_480, sink);
        assertEquals(start + multiplyAdds / 2048.0, sink[0], 1e-6 * multiplyAdds);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void negativeRoundsAreRefused(Kernels kernels) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernels.matrix().fmaLoop(-1, new float[1]));
        assertTrue(e.getMessage().contains("rounds"), e.getMessage());
    }
}

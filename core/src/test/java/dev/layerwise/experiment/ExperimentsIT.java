package dev.layerwise.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The book's conclusions on optimizers, weight initialisation, batch norm, weight decay and dropout, reproduced on
 * MNIST at the book's sizes (minutes; run by failsafe in {@code mvn verify}). MNIST comes from the cache, fetched
 * there on first use by the project's own fetcher.
 */
class ExperimentsIT {
    static Mnist.Data mnist;

    @BeforeAll
    static void loadMnist() throws IOException {
        MnistFetcher fetcher = new MnistFetcher(MnistFetcher.defaultCacheDir(), System.out::println);
        mnist = Mnist.load(fetcher.fetch(), Mnist.Options.defaults());
    }

    static ExperimentResult run(String name) {
        ExperimentResult r = Experiments.run(name, mnist, Experiments.Settings.defaults(), line -> { });
        r.summary().forEach(System.out::println);
        System.out.printf("%s: %.1f s%n", name, r.seconds());
        return r;
    }

    @Test
    void momentumAdaGradAndAdamEndBelowSgd() {
        Map<String, Double> loss = run("optimizers").byRun("final_loss");
        assertEquals(List.of("sgd", "momentum", "adagrad", "adam"), List.copyOf(loss.keySet()));
        for (String better : List.of("momentum", "adagrad", "adam")) {
            assertTrue(loss.get(better) < loss.get("sgd"), better + " ends below SGD: " + loss);
        }
        assertTrue(loss.get("sgd") < 0.5, "SGD learns too, only slower: " + loss);
    }

    @Test
    void stdPointZeroOneDoesNotLearnWhileHeEndsBelowXavier() {
        Map<String, Double> loss = run("weight-init").byRun("final_loss");
        assertEquals(Math.log(10), loss.get("std=0.01"), 0.02, "std 0.01 stays at ln 10: " + loss);
        assertTrue(loss.get("xavier") < 1.0, "Xavier learns: " + loss);
        assertTrue(loss.get("he") < loss.get("xavier"), "He ends below Xavier: " + loss);
    }

    @Test
    @SuppressWarnings("unchecked")
    void batchNormTrainsFasterAtMostWeightScales() {
        ExperimentResult r = run("batchnorm");
        int scales = (Integer) r.figures().get("scales");
        int faster = (Integer) r.figures().get("batchnorm_faster");
        assertEquals(16, scales);
        assertTrue(faster > scales / 2, "batch norm faster at " + faster + " of " + scales + " scales");
        List<Double> w = (List<Double>) r.figures().get("weight_scales");
        Map<String, List<Double>> acc = (Map<String, List<Double>>) r.figures().get("final_train_accuracy");
        for (int k = 0; k < scales; k++) {
            if (w.get(k) < 0.02) {
                // Tiny weights stall the plain net (chance accuracy) but not the normalised one.
                assertTrue(acc.get("plain").get(k) < 0.2 && acc.get("batchnorm").get(k) > 0.3,
                        "at weight scale " + w.get(k) + ": " + acc.get("plain").get(k) + " vs "
                                + acc.get("batchnorm").get(k));
            }
        }
    }

    @Test
    void weightDecayNarrowsTheGapBetweenTrainingAndTestAccuracy() {
        ExperimentResult r = run("weight-decay");
        Map<String, Double> gap = r.byRun("gap");
        assertTrue(r.byRun("train_accuracy").get("none") > 0.99, "300 images are learnt by heart: " + r.figures());
        assertTrue(gap.get("weight_decay") < gap.get("none"), "weight decay narrows the gap: " + gap);
    }

    @Test
    void dropoutNarrowsTheGapBetweenTrainingAndTestAccuracy() {
        ExperimentResult r = run("dropout");
        Map<String, Double> gap = r.byRun("gap");
        assertTrue(r.byRun("train_accuracy").get("none") > 0.99, "300 images are learnt by heart: " + r.figures());
        assertTrue(gap.get("dropout") < gap.get("none"), "dropout narrows the gap: " + gap);
    }
}

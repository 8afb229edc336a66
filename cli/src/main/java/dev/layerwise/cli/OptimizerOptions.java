package dev.layerwise.cli;

import dev.layerwise.net.NetworkType;
import dev.layerwise.optim.Optimizers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code train}'s options of the optimizer: which one, its hyperparameters and the learning-rate schedule. */
final class OptimizerOptions {
    @Option(names = "--optimizer", paramLabel = "OPTIMIZER", converter = OptionTypes.OptimizerNames.class,
            completionCandidates = OptionTypes.OptimizerCandidates.class,
            description = "sgd, momentum, nesterov, adagrad, rmsprop or adam. Default: adam for the conv nets "
                    + "(the book's train_convnet.py), else sgd.")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate. Default: 0.1 for two-layer with sgd (the book's chapter-5 run), else the "
                    + "optimizer's book default (0.01; adam 0.001).")
    Double lr;

    @Option(names = "--momentum", paramLabel = "M", description = "Momentum of momentum and nesterov. Default: 0.9.")
    Double momentum;

    @Option(names = "--decay-rate", paramLabel = "D", description = "Decay rate of rmsprop. Default: 0.99.")
    Double decayRate;

    @Option(names = "--beta1", paramLabel = "B", description = "beta1 of adam. Default: 0.9.")
    Double beta1;

    @Option(names = "--beta2", paramLabel = "B", description = "beta2 of adam. Default: 0.999.")
    Double beta2;

    @Option(names = "--lr-schedule", paramLabel = "SCHEDULE", defaultValue = "constant",
            converter = OptionTypes.Schedules.class,
            description = "constant, step:EVERY:GAMMA (multiply the rate by GAMMA every EVERY steps) or "
                    + "cosine[:MIN_LR] (anneal to MIN_LR over the run). Default: ${DEFAULT-VALUE}.")
    String lrSchedule;

    /** An optimizer hyperparameter beyond the rate: its option, its name and the value given (null: none). */
    private record Extra(String option, String key, Double value) {
    }

    /** The optimizer to use for {@code model}: the one given, else the network's default. */
    String name(NetworkType model) {
        return optimizer != null ? optimizer : model.training().optimizer();
    }

    /** The optimizer's hyperparameters: its defaults, the network's learning rate, and those given, checked. */
    Map<String, Double> params(NetworkType model, CommandSpec spec) {
        String name = name(model);
        Map<String, Double> params = new LinkedHashMap<>(Optimizers.defaults(name));
        double rate = lr != null ? lr : model.training().learningRates().getOrDefault(name, params.get("lr"));
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw TrainCommand.usage(spec, "--lr must be a positive number, got " + rate);
        }
        params.put("lr", rate);
        for (Extra e : List.of(new Extra("--momentum", "momentum", momentum),
                new Extra("--decay-rate", "decay_rate", decayRate), new Extra("--beta1", "beta1", beta1),
                new Extra("--beta2", "beta2", beta2))) {
            if (e.value() == null) {
                continue;
            }
            if (!params.containsKey(e.key())) {
                throw TrainCommand.usage(spec, e.option() + " applies to --optimizer "
                        + String.join(" or ", takers(e.key())) + ", not " + name);
            }
            if (!(e.value() >= 0 && e.value() < 1)) {
                throw TrainCommand.usage(spec, e.option() + " must be in [0, 1), got " + e.value());
            }
            params.put(e.key(), e.value());
        }
        return params;
    }

    /** The optimizers that have the hyperparameter {@code key}. */
    private static List<String> takers(String key) {
        List<String> takers = new ArrayList<>();
        for (String name : Optimizers.names()) {
            if (Optimizers.defaults(name).containsKey(key)) {
                takers.add(name);
            }
        }
        return takers;
    }
}

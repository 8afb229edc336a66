package dev.layerwise.cli;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.serve.ServeOptions;
import dev.layerwise.serve.Server;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code layerwise serve --model FILE}: an HTTP inference server and a page to draw digits on. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a model over HTTP, with a page to draw digits on.",
            "POST /v1/predict takes JSON or an image; GET /v1/model, /healthz and",
            "/metrics (Prometheus); the page at / shows each layer's output.",
            "Stops on Ctrl-C or SIGTERM once the requests in flight are answered."})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelSource source;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address to listen on. Default: ${DEFAULT-VALUE} (this machine only).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "The port (0: any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--workers", paramLabel = "N",
            description = "Inference threads, each with its own copies of the network. Default: one per core.")
    Integer workers;

    @Option(names = "--batch-window", paramLabel = "MS", defaultValue = "2",
            description = "Requests queued together run as one batch; a worker that finds a lone request, or a few "
                    + "while another worker runs a batch, waits up to this long, in milliseconds, for more to join "
                    + "(0: no batching). Default: ${DEFAULT-VALUE}.")
    double batchWindowMillis;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "64",
            description = "The most examples in one batch. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-body", paramLabel = "MB", defaultValue = "16",
            description = "The largest request body, in megabytes (413 above). Default: ${DEFAULT-VALUE}.")
    int maxBodyMegabytes;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "The longest a request waits for its answer (503 after). Default: ${DEFAULT-VALUE}.")
    double timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServeOptions options;
        try {
            options = new ServeOptions(host, port, workers != null ? workers
                    : Runtime.getRuntime().availableProcessors(),
                    Duration.ofNanos(Math.round(batchWindowMillis * 1e6)), maxBatch, (long) maxBodyMegabytes << 20,
                    Duration.ofNanos(Math.round(timeoutSeconds * 1e9)));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Model model = source.load();
        if (model.contract() == null) {
            // Parameters trained elsewhere carry no contract; the book's networks are MNIST networks.
            try {
                model = model.withContract(DataContract.mnist());
            } catch (IllegalArgumentException e) {
                throw new IOException("the model says nothing of its inputs and does not take MNIST digits: "
                        + e.getMessage());
            }
        }
        Server server;
        try {
            server = Server.start(model, options);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("serving " + model.network().architecture().name() + " (" + model.network().dtype() + ", "
                + options.workers() + " workers, " + (options.batching() ? "batches of up to " + options.maxBatch()
                + " within " + batchWindowMillis + " ms" : "no batching") + ") at " + server.url()
                + "/ ; Ctrl-C stops");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "layerwise-serve-shutdown"));
        stopped.await();
        return 0;
    }
}

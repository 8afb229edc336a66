package dev.layerwise.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.Architecture;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * An HTTP inference server for a {@link Model}: a JSON API, Prometheus metrics and a page where one draws a digit and
 * sees each layer's answer.
 *
 * <pre>{@code
 * try (Server server = Server.start(Model.load(Path.of("mnist.lw")), ServeOptions.defaults().withPort(0))) {
 *     System.out.println("listening on " + server.url());
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code POST /v1/predict} (a JSON batch {@code {"inputs": [...]}} or one image, {@code image/png} or
 * {@code image/jpeg}), {@code POST /v1/layers} (one example or image: every layer's output), {@code GET /v1/model},
 * {@code GET /healthz}, {@code GET /metrics} and the page at {@code GET /}. Errors are JSON {@code {"error": "..."}}
 * naming what was wrong, never a stack trace. {@link #close()} stops taking requests, lets those in flight finish,
 * then stops.
 */
public final class Server implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Marks a response whose error this server wrote, so that the generic 404 handler leaves it alone. */
    private static final String ERROR = "layerwise.error";
    private static final String WEB = "/dev/layerwise/serve/web/";
    private static final Map<String, String> STATIC = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    private final Model model;
    private final ServeOptions options;
    private final Metrics metrics = new Metrics();
    private final Batcher batcher;
    private final Inputs inputs;
    private final byte[] modelInfo;
    private final Javalin app;
    private final ServerThreads threads = new ServerThreads();
    private final Timeouts timeouts;
    private volatile boolean closing;

    private Server(Model model, ServeOptions options) {
        if (model.contract() == null) {
            throw new IllegalArgumentException("the model has no data contract (input shape and class names); "
                    + "give it one with Model.withContract");
        }
        this.model = model;
        this.options = options;
        this.inputs = new Inputs(model.contract());
        this.batcher = new Batcher(model, options, metrics, threads::answeringBatch);
        this.timeouts = new Timeouts("layerwise-timeouts");
        try {
            this.modelInfo = JSON.writeValueAsBytes(modelInfo());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long idleMillis = 2 * options.requestTimeout().toMillis();
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = options.maxBodyBytes();
            config.http.prefer405over404 = true;
            config.jetty.threadPool = threads;
            // Twice the request timeout, so that a request that waits too long for the model still gets its 503.
            config.jetty.addConnector((server, http) -> {
                ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http)) {
                    @Override
                    protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector,
                                                                SelectionKey key) {
                        SocketChannelEndPoint endPoint = new OneEmptyReadEndPoint(channel, selector, key,
                                getScheduler());
                        endPoint.setIdleTimeout(getIdleTimeout());
                        return endPoint;
                    }
                };
                c.setHost(options.host());
                c.setPort(options.port());
                c.setIdleTimeout(idleMillis);
                return c;
            });
            // Javalin puts its servlet context inside this handler, which takes the common JSON predictions first.
            config.jetty.modifyServer(server -> server.setHandler(new JsonPredictions()));
            config.routes.post("/v1/predict", countedLater("predict", ctx -> predict(ctx, false)));
            config.routes.post("/v1/layers", countedLater("layers", ctx -> predict(ctx, true)));
            config.routes.get("/v1/model", counted("model", ctx -> ctx.contentType("application/json")
                    .result(modelInfo)));
            config.routes.get("/healthz", counted("healthz", ctx -> {
                if (closing) {
                    error(ctx, 503, "shutting down");
                } else {
                    ctx.contentType("application/json").result("{\"status\":\"ok\"}");
                }
            }));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.text()));
            config.routes.get("/", ctx -> resource(ctx, "index.html", "text/html; charset=utf-8"));
            config.routes.get("/static/{file}", ctx -> {
                String file = ctx.pathParam("file");
                if (STATIC.containsKey(file)) {
                    resource(ctx, file, STATIC.get(file));
                } else {
                    error(ctx, 404, "no such file: /static/" + file);
                }
            });
            config.routes.exception(Exception.class, (e, ctx) -> error(ctx, 500, "internal error"));
            config.routes.error(404, ctx -> {
                if (ctx.attribute(ERROR) == null) {
                    error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
                }
            });
            config.routes.error(405, ctx -> error(ctx, 405, ctx.method() + " is not allowed on " + ctx.path()));
        });
    }

    /**
     * Starts a server for {@code model} (which must have a {@link DataContract}) and returns once it listens.
     *
     * @throws IllegalArgumentException if the model has no contract
     * @throws UncheckedIOException     if the address cannot be bound
     */
    public static Server start(Model model, ServeOptions options) {
        Server s = new Server(model, options);
        try {
            s.app.start();
        } catch (RuntimeException e) {
            s.batcher.close();
            s.timeouts.close();
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof IOException)) {
                cause = cause.getCause();
            }
            throw new UncheckedIOException("cannot listen on " + options.host() + ":" + options.port() + ": "
                    + cause.getMessage(), cause instanceof IOException io ? io : new IOException(e.getMessage()));
        }
        return s;
    }

    /** The port the server listens on (the one chosen when the options said 0). */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port}. */
    public String url() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port();
    }

    public ServeOptions options() {
        return options;
    }

    /**
     * Graceful shutdown: new requests are refused with 503, those in flight finish (up to the request timeout), then
     * the listener and the inference workers stop.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        while (metrics.inflight().sum() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        app.stop();
        batcher.close();
        timeouts.close();
    }

    /** An endpoint that may answer later: it returns the future of its answer, or null once it has answered. */
    private interface Endpoint {
        CompletableFuture<?> handle(Context ctx) throws Exception;
    }

    private Handler counted(String endpoint, Handler h) {
        return countedLater(endpoint, ctx -> {
            h.handle(ctx);
            return null;
        });
    }

    /** Counts a request in the metrics when its answer is written, which for an inference is after the handler. */
    private Handler countedLater(String endpoint, Endpoint h) {
        return ctx -> {
            long t0 = System.nanoTime();
            metrics.inflight().increment();
            CompletableFuture<?> later = null;
            try {
                if (closing) {
                    error(ctx, 503, "the server is shutting down");
                } else {
                    later = h.handle(ctx);
                }
            } catch (BadRequest e) {
                error(ctx, e.status(), e.getMessage());
            } finally {
                if (later == null) {
                    metrics.inflight().decrement();
                    metrics.request(endpoint, ctx.statusCode(), System.nanoTime() - t0);
                }
            }
            if (later != null) {
                CompletableFuture<?> answered = later.whenComplete((r, e) -> {
                    metrics.inflight().decrement();
                    metrics.request(endpoint, ctx.statusCode(), System.nanoTime() - t0);
                });
                // The handler's thread goes back to the connections; the answer is written by the thread that
                // completes it (an inference worker), so no thread waits for the model per request.
                ctx.future(() -> answered);
            }
        };
    }

    private CompletableFuture<Void> predict(Context ctx, boolean layers) throws Exception {
        long t0 = System.nanoTime();
        String mime = mime(ctx.contentType() == null ? "" : ctx.contentType());
        boolean image = mime.equals("image/png") || mime.equals("image/jpeg") || mime.equals("image/gif")
                || mime.equals("image/bmp");
        if (!image && !mime.equals("application/json")) {
            throw new BadRequest(415, (mime.isEmpty() ? "no Content-Type" : "Content-Type " + mime)
                    + " is not accepted: send application/json ({\"inputs\": [...]}) or an image (image/png, "
                    + "image/jpeg)");
        }
        byte[] body = body(ctx);
        // As predict: a digit on a light background is inverted unless asked not to; invert=true inverts any image.
        boolean invert = "true".equals(ctx.queryParam("invert"));
        boolean autoInvert = !"false".equals(ctx.queryParam("auto_invert"));
        Inputs.Batch batch = image ? inputs.image(body, invert, autoInvert) : inputs.json(body);
        if (layers && batch.rows() != 1) {
            throw BadRequest.of("/v1/layers takes one example, got " + batch.rows());
        }
        return answer(batch, layers, t0).handle((result, e) -> {
            try {
                if (e != null) {
                    throw failure(e);
                }
                if (layers) {
                    ctx.contentType("application/json").result(layers(batch, result));
                } else {
                    // Written whole to the response, past Javalin's copy through a fresh 32 KB buffer per answer.
                    byte[] answer = predictions(result);
                    HttpServletResponse res = ctx.res();
                    res.setContentType("application/json");
                    res.setContentLength(answer.length);
                    res.getOutputStream().write(answer);
                }
            } catch (BadRequest b) {
                error(ctx, b.status(), b.getMessage());
            } catch (IOException | RuntimeException x) {
                error(ctx, 500, "internal error");
            }
            return null;
        });
    }

    /** The answer for {@code batch}, or a timeout once the request, received at {@code t0}, has waited too long. */
    private CompletableFuture<Object> answer(Inputs.Batch batch, boolean layers, long t0) throws BadRequest {
        Batcher.Job job = batcher.submit(batch.x(), batch.rows(), layers);
        // A request that times out completes its job, which the workers then skip.
        timeouts.add(job.answer, t0 + options.requestTimeout().toNanos());
        return job.answer;
    }

    /** The media type of a Content-Type header, lower case, without its parameters. */
    private static String mime(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        int semi = type.indexOf(';');
        return (semi < 0 ? type : type.substring(0, semi)).trim();
    }

    private BadRequest failure(Throwable e) {
        if (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof TimeoutException || e instanceof CancellationException) {
            return new BadRequest(503, "no answer within the request timeout of "
                    + options.requestTimeout().toMillis() + " ms; the server is overloaded");
        }
        if (e instanceof IllegalStateException) {
            return new BadRequest(503, e.getMessage());
        }
        return new BadRequest(500, "inference failed: " + e.getMessage());
    }

    /**
     * {@code {"predictions": [...]}}, written straight from the answer: the same bytes as mapping it through objects,
     * without making them.
     */
    private byte[] predictions(Object result) throws IOException {
        Replica.Answer a = (Replica.Answer) result;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * a.probabilities().length);
        try (JsonGenerator g = JSON.getFactory().createGenerator(bytes)) {
            g.writeStartObject();
            g.writeFieldName("predictions");
            g.writeStartArray();
            List<String> names = model.contract().classNames();
            for (int i = 0; i < a.classes().length; i++) {
                g.writeStartObject();
                g.writeNumberField("class", a.classes()[i]);
                g.writeStringField("name", names.get(a.classes()[i]));
                g.writeFieldName("probabilities");
                g.writeArray(a.probabilities(), i * a.classCount(), a.classCount());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    private byte[] layers(Inputs.Batch batch, Object result) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        Object[] pair = (Object[]) result;
        out.put("predictions", predictionList((Replica.Answer) pair[0]));
        out.put("input", toFloats(batch.x()));
        List<Object> ls = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Replica.LayerOutput> outputs = (List<Replica.LayerOutput>) pair[1];
        for (Replica.LayerOutput l : outputs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("shape", l.shape());
            m.put("values", l.values());
            ls.add(m);
        }
        out.put("layers", ls);
        return JSON.writeValueAsBytes(out);
    }

    private List<Object> predictionList(Replica.Answer a) {
        List<String> names = model.contract().classNames();
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < a.classes().length; i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("class", a.classes()[i]);
            p.put("name", names.get(a.classes()[i]));
            double[] probs = new double[a.classCount()];
            System.arraycopy(a.probabilities(), i * a.classCount(), probs, 0, probs.length);
            p.put("probabilities", probs);
            list.add(p);
        }
        return list;
    }

    private static float[] toFloats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    /** The body, refused with 413 beyond the limit (before reading it when its length is declared). */
    private byte[] body(Context ctx) throws BadRequest, IOException {
        long max = options.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw new BadRequest(413, "the body is " + declared + " bytes, more than the limit of " + max + " bytes");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            if (b.length > max) {
                throw new BadRequest(413, "the body is more than the limit of " + max + " bytes");
            }
            return b;
        }
    }

    private Map<String, Object> modelInfo() {
        DataContract c = model.contract();
        Architecture a = model.network().architecture();
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("name", a.name());
        arch.put("config", a.config());
        m.put("architecture", arch);
        m.put("dtype", model.network().dtype().label());
        m.put("input_shape", c.exampleShape());
        m.put("class_names", c.classNames());
        m.put("data", c.toMap());
        m.put("parameters", model.network().parameters().totalSize());
        Map<String, Object> serving = new LinkedHashMap<>();
        serving.put("workers", options.workers());
        serving.put("batch_window_ms", options.batchWindow().toNanos() / 1e6);
        serving.put("max_batch", options.maxBatch());
        serving.put("max_body_bytes", options.maxBodyBytes());
        m.put("serving", serving);
        return m;
    }

    private static void resource(Context ctx, String name, String type) throws IOException {
        try (InputStream in = Server.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                error(ctx, 404, "no such file: " + name);
                return;
            }
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    private static void error(Context ctx, int status, String message) {
        ctx.attribute(ERROR, Boolean.TRUE);
        ctx.status(status).contentType("application/json").result(errorBody(message));
    }

    private static byte[] errorBody(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            return "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * {@code POST /v1/predict} of a JSON body of declared length within the limit, served by Jetty itself: the
     * servlet layer beneath cost more per request than the model. Every other request (an image, no length, a wrong
     * type, an oversized body, shutting down) goes on to the servlet routes, which refuse or serve it; the body is
     * read, checked and answered by the same code and in the same words as there.
     */
    private final class JsonPredictions extends org.eclipse.jetty.server.Handler.Wrapper {
        /** Encoded once: written with every answer. */
        private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");

        /**
         * Never blocks, so Jetty runs it on the thread that read the request (a selector's) instead of handing every
         * request to its pool: a hand-off per request costs a thread wake-up and a context switch. The body is read
         * as it arrives, the answer is written by the inference worker, and every other request is handed to the
         * pool here, since the servlet routes behind may block.
         */
        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            long length = request.getLength();
            if (closing || !"POST".equals(request.getMethod()) || !"/v1/predict".equals(Request.getPathInContext(request))
                    || type == null || !mime(type).equals("application/json") || length < 0
                    || length > options.maxBodyBytes()) {
                getServer().getThreadPool().execute(() -> servlets(request, response, callback));
                return true;
            }
            long t0 = System.nanoTime();
            metrics.inflight().increment();
            Content.Source.asByteArrayAsync(request, (int) length).whenComplete((body, unread) -> {
                if (unread != null) {
                    send(response, callback, 500, errorBody("internal error"), t0);
                    return;
                }
                try {
                    answer(inputs.json(body), false, t0).whenComplete((result, e) -> {
                        byte[] predictions;
                        try {
                            if (e != null) {
                                throw failure(e);
                            }
                            predictions = predictions(result);
                        } catch (BadRequest b) {
                            send(response, callback, b.status(), errorBody(b.getMessage()), t0);
                            return;
                        } catch (IOException | RuntimeException x) {
                            send(response, callback, 500, errorBody("internal error"), t0);
                            return;
                        }
                        send(response, callback, 200, predictions, t0);
                    });
                } catch (BadRequest b) {
                    send(response, callback, b.status(), errorBody(b.getMessage()), t0);
                } catch (RuntimeException x) {
                    send(response, callback, 500, errorBody("internal error"), t0);
                }
            });
            return true;
        }

        /** The servlet routes' answer to a request this handler does not serve itself, on a pool thread. */
        private void servlets(Request request, Response response, Callback callback) {
            try {
                if (!super.handle(request, response, callback)) {
                    Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable x) {
                callback.failed(x);
            }
        }

        /** Writes the answer without blocking, then counts the request, as the servlet routes count theirs. */
        private void send(Response response, Callback callback, int status, byte[] json, long t0) {
            response.setStatus(status);
            response.getHeaders().put(JSON_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
            threads.answering(() -> response.write(true, ByteBuffer.wrap(json), Callback.from(() -> {
                counted(status, t0);
                callback.succeeded();
            }, x -> {
                counted(status, t0);
                callback.failed(x);
            })));
        }

        private void counted(int status, long t0) {
            metrics.inflight().decrement();
            metrics.request("predict", status, System.nanoTime() - t0);
        }
    }
}

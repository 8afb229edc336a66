package dev.layerwise.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.layerwise.data.DataContract;
import dev.layerwise.data.ImageDecoder;
import dev.layerwise.data.ImageExamples;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.Shapes;
import java.io.IOException;
import java.util.Arrays;

/**
 * Turns a request body into a batch of examples for a model's {@link DataContract}: a JSON batch of the network's
 * inputs, or an image prepared as {@code predict} prepares an image file. Every refusal is a {@link BadRequest} naming
 * what was wrong.
 */
final class Inputs {
    // NaN and Infinity are read (they are not JSON, but common writers emit them) so that they can be refused by name.
    // Reading the numbers is most of a request's cost: Jackson's fast parser rounds as Double.parseDouble does, in a
    // fraction of its time.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
            .build();

    private final DataContract contract;
    private final int features;

    Inputs(DataContract contract) {
        this.contract = contract;
        this.features = contract.features();
    }

    /** A parsed batch: {@code rows} examples of {@link DataContract#features()} values, row-major. */
    record Batch(double[] x, int rows) {
    }

    /**
     * Reads {@code {"inputs": [example, …]}}: each example is a flat list of the network's input values or a nested list
     * of the example shape (e.g. {@code (1, 28, 28)}); values are what the network takes (already normalised).
     */
    Batch json(byte[] body) throws BadRequest {
        Batch plain = PlainJson.read(body, features);
        if (plain != null) {
            return plain;
        }
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw BadRequest.of("the body must be a JSON object {\"inputs\": [...]}");
            }
            Batch batch = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("inputs")) {
                    throw BadRequest.of("unknown field '" + field + "' (expected \"inputs\")");
                }
                batch = inputs(p);
            }
            if (p.nextToken() != null) {
                throw BadRequest.of("unexpected content after the JSON object");
            }
            if (batch == null) {
                throw BadRequest.of("field \"inputs\" is missing: send {\"inputs\": [[...], ...]}");
            }
            return batch;
        } catch (JsonProcessingException e) {
            throw BadRequest.of("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw BadRequest.of("unreadable JSON: " + firstLine(e.getMessage()));
        }
    }

    private Batch inputs(JsonParser p) throws IOException, BadRequest {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw BadRequest.of("\"inputs\" must be a list of examples, got " + describe(p.currentToken()));
        }
        double[] x = new double[features];
        int rows = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw BadRequest.of("inputs[" + rows + "] must be a list of " + features + " numbers or of shape "
                        + Shapes.toString(contract.exampleShape()) + ", got " + describe(p.currentToken()));
            }
            if ((long) (rows + 1) * features > Integer.MAX_VALUE - 8) {
                throw BadRequest.of("too many examples in one request");
            }
            if (x.length < (rows + 1) * features) {
                x = Arrays.copyOf(x, Math.max((rows + 1) * features, 2 * x.length));
            }
            example(p, x, rows);
            rows++;
        }
        if (rows == 0) {
            throw BadRequest.of("\"inputs\" is empty: send at least one example");
        }
        return new Batch(rows * features == x.length ? x : Arrays.copyOf(x, rows * features), rows);
    }

    /** Reads one example (its opening bracket already read) into {@code x} at row {@code row}. */
    private void example(JsonParser p, double[] x, int row) throws IOException, BadRequest {
        String where = "inputs[" + row + "]";
        // Names of single values are made only for a message: making one per value cost as much as reading it.
        int at = row * features;
        JsonToken t = p.nextToken();
        int[] shape = contract.exampleShape();
        if (t == JsonToken.START_ARRAY && shape.length > 1) {
            nested(p, x, at, shape, 0, where);
            return;
        }
        int n = 0;
        for (; t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (n == features) {
                throw BadRequest.of(where + " has more than " + features + " values; the model takes " + features
                        + " per example, shape " + Shapes.toString(shape));
            }
            x[at + n] = number(p, where, n);
            n++;
        }
        if (n != features) {
            throw BadRequest.of(where + " has " + n + " values; the model takes " + features + " per example, shape "
                    + Shapes.toString(shape));
        }
    }

    /** Reads a nested list of shape {@code shape[axis…]} (its opening bracket already read); returns the next index. */
    private int nested(JsonParser p, double[] x, int at, int[] shape, int axis, String where)
            throws IOException, BadRequest {
        int i = 0;
        for (JsonToken t = axis == 0 ? p.currentToken() : p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (i == shape[axis]) {
                throw BadRequest.of(where + " has more than " + shape[axis] + " entries along axis " + axis
                        + "; examples have shape " + Shapes.toString(shape));
            }
            if (axis == shape.length - 1) {
                x[at++] = number(p, where, i);
            } else {
                String here = where + "[" + i + "]";
                if (t != JsonToken.START_ARRAY) {
                    throw BadRequest.of(here + " must be a list (examples have shape " + Shapes.toString(shape)
                            + "), got " + describe(t));
                }
                at = nested(p, x, at, shape, axis + 1, here);
            }
            i++;
        }
        if (i != shape[axis]) {
            throw BadRequest.of(where + " has " + i + " entries along axis " + axis + "; examples have shape "
                    + Shapes.toString(shape));
        }
        return at;
    }

    /** The number at {@code where[i]}. */
    private static double number(JsonParser p, String where, int i) throws IOException, BadRequest {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw BadRequest.of(where + "[" + i + "] must be a number, got " + describe(t));
        }
        double v = p.getDoubleValue();
        if (Double.isNaN(v)) {
            throw BadRequest.of(where + "[" + i + "] is NaN; inputs must be finite numbers");
        }
        if (Double.isInfinite(v)) {
            throw BadRequest.of(where + "[" + i + "] is " + (v > 0 ? "" : "-") + "infinite (" + p.getText()
                    + "); inputs must be finite numbers");
        }
        return v;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the body";
        }
        switch (t) {
            case START_OBJECT: return "an object";
            case START_ARRAY: return "a list";
            case VALUE_STRING: return "a string";
            case VALUE_TRUE: case VALUE_FALSE: return "a boolean";
            case VALUE_NULL: return "null";
            case VALUE_NUMBER_INT: case VALUE_NUMBER_FLOAT: return "a number";
            default: return "'" + t.asString() + "'";
        }
    }

    /**
     * One image (PNG, JPEG, GIF, BMP) made into an example as the model's contract says, by the same code as
     * {@code predict} makes an image file into one ({@link ImageExamples}): for MNIST digits, framed as MNIST's were;
     * otherwise resized bilinearly to H×W, grey or RGB; then normalised. The size is read from the header and checked
     * against {@link ImageDecoder}'s limits before any pixel is decoded.
     */
    Batch image(byte[] body, boolean invert, boolean autoInvert) throws BadRequest {
        if (contract.kind() != DataContract.Kind.IMAGES) {
            throw new BadRequest(415, "this model takes table features " + Shapes.toString(contract.exampleShape())
                    + ", not images: send application/json");
        }
        if (invert && contract.imageFit() != DataContract.ImageFit.MNIST_DIGIT) {
            throw BadRequest.of("invert=true applies to models of MNIST's digits; this model reads images as they are");
        }
        try {
            return new Batch(ImageExamples.example(ImageDecoder.Source.of(body, "the request body"), contract, invert,
                    autoInvert), 1);
        } catch (FileFormatException e) {
            // The decoder's message names the request body and what was wrong with it.
            throw BadRequest.of(e.getMessage());
        } catch (IOException e) {
            throw BadRequest.of("the request body could not be read as an image");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

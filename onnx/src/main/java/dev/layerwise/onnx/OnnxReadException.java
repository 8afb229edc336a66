package dev.layerwise.onnx;

/** What is wrong in an ONNX file, before the file's name is put in front of it. */
final class OnnxReadException extends Exception {
    private static final long serialVersionUID = 1L;

    OnnxReadException(String message) {
        super(message);
    }
}

package dev.layerwise.serve;

/** A request the server refuses, with the HTTP status and a message naming what was wrong. */
final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    BadRequest(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static BadRequest of(String message) {
        return new BadRequest(400, message);
    }

    int status() {
        return status;
    }
}

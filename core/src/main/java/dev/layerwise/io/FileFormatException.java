package dev.layerwise.io;

import java.io.IOException;

/**
 * A file that is not what it claims to be: wrong magic number, unsupported version, truncated, corrupted, or with
 * fields that contradict each other. The message names the file (when known) and what was wrong.
 */
public class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public FileFormatException(String message) {
        super(message);
    }

    public FileFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

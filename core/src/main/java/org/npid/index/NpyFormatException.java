package org.npid.index;

/** A file is not a NumPy array this package can load; the message names the file and why. */
public final class NpyFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NpyFormatException(String message) {
        super(message);
    }
}

package org.npid.train;

/** A run that cannot go on, with a message that says what happened and what to do. */
public class TrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }

    public TrainingException(String message) {
        this(message, null);
    }
}

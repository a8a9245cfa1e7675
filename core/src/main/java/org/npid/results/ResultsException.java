package org.npid.results;

/** The results store or a doc's markers are not as the generator needs them; says which and how. */
public final class ResultsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ResultsException(String message) {
        super(message);
    }

    public ResultsException(String message, Throwable cause) {
        super(message, cause);
    }
}

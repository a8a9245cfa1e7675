package org.npid.config;

/** Validation shared by the config sections: every message names the key a user writes. */
final class Checks {
    private Checks() {}

    static void require(boolean ok, String key, String message) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": " + message);
        }
    }

    static <T> T present(T value, String key, String choices) {
        require(value != null, key, "must be " + choices);
        return value;
    }
}

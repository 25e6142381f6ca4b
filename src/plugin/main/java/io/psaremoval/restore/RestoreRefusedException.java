package io.psaremoval.restore;

/** A restore that may not go on, in words for the person: nothing was written. */
public class RestoreRefusedException extends RuntimeException {

    public RestoreRefusedException(String message) {
        super(message);
    }
}

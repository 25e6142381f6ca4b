package io.psaremoval.integration;

/** The integration cannot be used as asked: unknown, of another account, not a PSA, or busy. */
public class IntegrationUnavailableException extends RuntimeException {

    public IntegrationUnavailableException(String message) {
        super(message);
    }
}

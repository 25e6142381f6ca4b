package io.psaremoval.removal;

/**
 * A write step found what the process promised on the way there no longer true (the requester demoted or
 * gone, bulk delete switched off, no recent backup for this removal, the removal in another state): it wrote
 * nothing, and the removal is ended as refused with this message.
 */
public class RemovalRefusedException extends RuntimeException {

    public RemovalRefusedException(String message) {
        super(message);
    }
}

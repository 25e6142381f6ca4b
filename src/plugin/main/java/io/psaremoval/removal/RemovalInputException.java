package io.psaremoval.removal;

/**
 * What a person submitted to a removal's form cannot be taken (a wrong typed name, a step the removal is not
 * waiting for, a person who may not decide it). The message is for that person; nothing was changed.
 */
public class RemovalInputException extends RuntimeException {

    public RemovalInputException(String message) {
        super(message);
    }
}

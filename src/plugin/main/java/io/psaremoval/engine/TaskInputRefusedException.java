package io.psaremoval.engine;

import org.camunda.bpm.engine.BadUserRequestException;

/**
 * What a person entered to complete a task was refused by the task's check: the message is the sentence they read.
 * The engine guard gives a completion refused this way back to the caller as itself, not wrapped into the engine's
 * "exception while invoking the TaskListener", so that it is an HTTP 400 with the sentence and no error in the log.
 */
public class TaskInputRefusedException extends BadUserRequestException {

    public TaskInputRefusedException(String message) {
        super(message);
    }

    TaskInputRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}

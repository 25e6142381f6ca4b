package io.psaremoval.engine;

import java.util.Locale;

/**
 * Why a job failed, in words a requester and an operator can act on. The removal's own refusals are sentences
 * already and pass unchanged; the engine wraps every database failure in one message ("An exception occurred in the
 * persistence layer. Please check the server logs ..."), which says nothing of the cause: that message is replaced by
 * what the job's stack trace names as its root cause, and a lost or refused database connection is said as such.
 */
final class FailureInWords {

    static final String ENGINE_PERSISTENCE_MESSAGE = "An exception occurred in the persistence layer";
    private static final String CAUSED_BY = "Caused by: ";

    private FailureInWords() {
    }

    /**
     * @param message    the job's exception message, as the engine recorded it
     * @param stacktrace the job's exception stack trace, as the engine recorded it, or null
     */
    static String of(String message, String stacktrace) {
        boolean engineWords = message == null || message.isBlank() || message.startsWith(ENGINE_PERSISTENCE_MESSAGE);
        String root = rootCause(stacktrace);
        if (!engineWords || root == null || root.contains(ENGINE_PERSISTENCE_MESSAGE)) {
            return message;
        }
        String lower = root.toLowerCase(Locale.ROOT);
        String cause = root.substring(root.indexOf(':') + 1).strip();
        if (lower.contains("terminating connection due to administrator command")
                || lower.contains("the database system is shutting down")
                || lower.contains("the database system is starting up")) {
            return "the database stopped or restarted while the step ran: " + cause;
        }
        if (lower.contains("connection refused") || lower.contains("connectexception")
                || lower.contains("connection attempt failed") || lower.contains("unknownhostexception")) {
            return "the database could not be reached: " + cause;
        }
        if (lower.contains("connection is not available")) {
            return "no database connection became free in time: " + cause;
        }
        if (lower.contains("connection is closed") || lower.contains("this connection has been closed")
                || lower.contains("i/o error occurred")) {
            return "the connection to the database was lost: " + cause;
        }
        return "a database error: " + cause;
    }

    /** The deepest "Caused by:" line of a stack trace, without its prefix (the first line when there is none). */
    static String rootCause(String stacktrace) {
        if (stacktrace == null || stacktrace.isBlank()) {
            return null;
        }
        String root = null;
        for (String line : stacktrace.lines().toList()) {
            if (line.startsWith(CAUSED_BY)) {
                root = line.substring(CAUSED_BY.length()).strip();
            }
        }
        return root != null ? root : stacktrace.lines().findFirst().map(String::strip).orElse(null);
    }
}

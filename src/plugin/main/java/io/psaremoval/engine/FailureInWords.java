package io.psaremoval.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.impl.util.ExceptionUtil;

/**
 * Why a job failed, in words a requester and an operator can act on. The removal's own refusals are sentences
 * already and pass unchanged. A database failure reaches the job as the engine's "An exception occurred in the
 * persistence layer ..." or as a Spring or JDBC exception carrying SQL: it is said by what its stack trace names (a
 * database that stopped or restarted, one that cannot be reached, a lost connection, no free connection, or any other
 * database error), the words alone for the requester, with the database's own message for the operators. Any other
 * failure (an exception not of the plugin's, whose message may name classes, statements or hosts) is "a technical
 * failure" for the requester, with its message for the operators.
 */
public final class FailureInWords {

    /** The failure for the requester ({@code plain}) and, when there is one, the cause for the operators. */
    record Failure(String plain, String detail) {

        /** What the operators and the audit read: the words and the cause. */
        String forOperators() {
            return detail == null ? plain : plain + ": " + detail;
        }
    }

    private record Kind(String words, List<String> signs) {
    }

    /** Most specific first: a cause line that shows one of a kind's signs gives the failure that kind's words. */
    private static final List<Kind> KINDS = List.of(
            new Kind("the database stopped or restarted while the step ran", List.of(
                    "terminating connection due to administrator command", "the database system is shutting down",
                    "the database system is starting up", "the database system is in recovery mode")),
            new Kind("the database could not be reached", List.of(
                    "connection refused", "java.net.connectexception", "the connection attempt failed",
                    "java.net.unknownhostexception", "java.net.noroutetohostexception")),
            new Kind("no database connection became free in time", List.of("connection is not available")),
            new Kind("the connection to the database was lost", List.of(
                    "connection is closed", "this connection has been closed", "an i/o error occurred",
                    "java.io.eofexception", "connection reset", "broken pipe", "read timed out")));

    /** Exceptions that say the failure came from the database, whatever the message on top. */
    private static final List<String> DATABASE_EXCEPTIONS = List.of("java.sql.", "org.postgresql.",
            "org.springframework.dao.", "org.springframework.jdbc.", "org.springframework.transaction.",
            "org.apache.ibatis.", "com.zaxxer.hikari.");

    private static final String CAUSED_BY = "Caused by: ";

    private FailureInWords() {
    }

    /**
     * @param message    the job's exception message, as the engine recorded it
     * @param stacktrace the job's exception stack trace, as the engine recorded it, or null
     */
    static Failure of(String message, String stacktrace) {
        List<String> chain = chain(stacktrace);
        boolean engineWords = message != null && message.startsWith(ExceptionUtil.PERSISTENCE_EXCEPTION_MESSAGE);
        // Only the exception on top decides: a sentence of the removal's that wraps a database error stays a sentence.
        boolean fromTheDatabase = !chain.isEmpty() && DATABASE_EXCEPTIONS.stream().anyMatch(chain.get(0)::startsWith);
        if (!engineWords && !fromTheDatabase) {
            // The plugin's own exceptions say what happened in a sentence; anything else is for the operators only.
            boolean sentence = chain.isEmpty() ? message != null && !TECHNICAL.matcher(message).find()
                    : chain.get(0).startsWith(OWN_EXCEPTIONS);
            return sentence ? new Failure(message, null) : new Failure(TECHNICAL_FAILURE, message);
        }
        for (Kind kind : KINDS) {
            Optional<String> sign = chain.stream().filter(shows(kind)).reduce((outer, inner) -> inner);
            if (sign.isPresent()) {
                return new Failure(kind.words(), messageOf(sign.get()));
            }
        }
        String root = chain.isEmpty() ? null : chain.get(chain.size() - 1);
        return root == null || root.contains(ExceptionUtil.PERSISTENCE_EXCEPTION_MESSAGE)
                ? new Failure(message, null)
                : new Failure("a database error", messageOf(root));
    }

    /**
     * The failure as an account's people read it (the requester, an account's auditor in the audit): {@link #of}'s
     * words, which never hold the database's own message nor any message but a sentence of the plugin's own.
     */
    public static String forAnAccount(String message, String stacktrace) {
        return of(message, stacktrace).plain();
    }

    /** What an account's people read of a failure that is neither a sentence of the plugin's nor the database's. */
    static final String TECHNICAL_FAILURE = "a technical failure (the operators read its cause)";

    /** The plugin's exceptions, whose messages are sentences for people. */
    private static final String OWN_EXCEPTIONS = "io.psaremoval.";

    /**
     * With no stack trace to tell where a message came from: what gives it away as technical (an exception's or a
     * package's name, SQL, a database's error line).
     */
    private static final Pattern TECHNICAL = Pattern.compile(
            "(?is)(\\b(java|javax|jakarta|org|com|io)\\.[a-z]+\\.|exception|sql \\[|bad sql grammar|\\berror:|\\bfatal:"
                    + "|\\bselect\\b.*\\bfrom\\b|\\binsert into\\b|\\bupdate\\b.*\\bset\\b|\\bdelete from\\b|jdbc)");

    private static Predicate<String> shows(Kind kind) {
        return line -> {
            String lower = line.toLowerCase(Locale.ROOT);
            return kind.signs().stream().anyMatch(lower::contains);
        };
    }

    /** The exception lines of a stack trace, outermost first: its first line and every "Caused by:" line. */
    private static List<String> chain(String stacktrace) {
        if (stacktrace == null || stacktrace.isBlank()) {
            return List.of();
        }
        List<String> lines = stacktrace.lines().toList();
        List<String> chain = new ArrayList<>();
        chain.add(lines.get(0).strip());
        for (String line : lines) {
            if (line.startsWith(CAUSED_BY)) {
                chain.add(line.substring(CAUSED_BY.length()).strip());
            }
        }
        return chain;
    }

    /** "org.postgresql.util.PSQLException: FATAL: ..." → "FATAL: ..."; a line without a message is kept whole. */
    private static String messageOf(String exceptionLine) {
        int colon = exceptionLine.indexOf(": ");
        return colon < 0 ? exceptionLine : exceptionLine.substring(colon + 2).strip();
    }
}

package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.engine.FailureInWords.Failure;
import org.junit.jupiter.api.Test;

class FailureInWordsTest {

    private static final String ENGINE = "An exception occurred in the persistence layer. Please check the server logs "
            + "for a detailed message and the entire exception stack trace.";

    /** A stack trace whose first line is {@code top} and whose causes follow, outermost first. */
    private static String trace(String top, String... causes) {
        StringBuilder trace = new StringBuilder(top + "\n\tat org.camunda.bpm.engine.impl.Somewhere.run(Somewhere.java:1)\n");
        for (String cause : causes) {
            trace.append("Caused by: ").append(cause).append("\n\tat somewhere(Somewhere.java:1)\n\t... 10 more\n");
        }
        return trace.toString();
    }

    private static String engineTrace(String... causes) {
        return trace("org.camunda.bpm.engine.ProcessEnginePersistenceException: " + ENGINE, causes);
    }

    @Test
    void theRemovalsOwnSentencesPassUnchanged() {
        String refusal = "Only psa-corp.admin, an Administrator, may confirm this deletion.";
        assertThat(FailureInWords.of(refusal, trace("io.psaremoval.removal.RemovalRefusedException: " + refusal)))
                .isEqualTo(new Failure(refusal, null));
        assertThat(FailureInWords.of(null, trace("java.lang.IllegalStateException")))
                .as("a failure without a message is not taken for the database's")
                .isEqualTo(new Failure(FailureInWords.TECHNICAL_FAILURE, null));
        assertThat(FailureInWords.of("Index 3 out of bounds for length 2",
                trace("java.lang.ArrayIndexOutOfBoundsException: Index 3 out of bounds for length 2")))
                .as("anything but the plugin's own sentence is for the operators")
                .isEqualTo(new Failure(FailureInWords.TECHNICAL_FAILURE, "Index 3 out of bounds for length 2"));
    }

    /** An account's auditor reads the words: never the database's message, a statement or an exception's name. */
    @Test
    void anAccountReadsTheWordsOnly() {
        String sql = "PreparedStatementCallback; SQL [select secret from vault v]; ERROR: relation \"vault\" does not exist";
        assertThat(FailureInWords.forAnAccount(sql, trace("org.springframework.jdbc.BadSqlGrammarException: " + sql,
                "org.postgresql.util.PSQLException: ERROR: relation \"vault\" does not exist")))
                .isEqualTo("a database error");
        assertThat(FailureInWords.forAnAccount(sql, null)).as("no stack trace kept: the message gives itself away")
                .isEqualTo("a technical failure (the operators read its cause)");
        assertThat(FailureInWords.forAnAccount("Cannot invoke \"java.lang.Long.longValue()\" because x is null",
                trace("java.lang.NullPointerException: Cannot invoke \"java.lang.Long.longValue()\" because x is null")))
                .isEqualTo("a technical failure (the operators read its cause)");
        String refusal = "Not delivered, retried on the back-off: RMM integration 7 answered HTTP 503";
        assertThat(FailureInWords.forAnAccount(refusal, trace("io.psaremoval.rmm.RmmNotDeliveredException: " + refusal)))
                .as("a sentence of the removal's own").isEqualTo(refusal);
        assertThat(FailureInWords.forAnAccount(ENGINE, engineTrace(
                "org.postgresql.util.PSQLException: FATAL: terminating connection due to administrator command")))
                .isEqualTo("the database stopped or restarted while the step ran");
    }

    @Test
    void aDatabaseThatStoppedUnderTheStepIsSaidSoTheOperatorsReadItsOwnWords() {
        Failure failure = FailureInWords.of(ENGINE, engineTrace(
                "org.apache.ibatis.exceptions.PersistenceException: ### Error querying database.",
                "org.postgresql.util.PSQLException: FATAL: terminating connection due to administrator command"));
        assertThat(failure.plain()).isEqualTo("the database stopped or restarted while the step ran");
        assertThat(failure.forOperators()).isEqualTo("the database stopped or restarted while the step ran:"
                + " FATAL: terminating connection due to administrator command");
    }

    @Test
    void aSpringOrJdbcFailureIsReadByItsCausesNotItsSql() {
        Failure failure = FailureInWords.of("PreparedStatementCallback; SQL [select a.id from attachment a]; FATAL: "
                + "terminating connection due to administrator command", trace(
                "org.springframework.dao.DataAccessResourceFailureException: PreparedStatementCallback; SQL [select a.id"
                        + " from attachment a]; FATAL: terminating connection due to administrator command",
                "org.postgresql.util.PSQLException: FATAL: terminating connection due to administrator command"));
        assertThat(failure).isEqualTo(new Failure("the database stopped or restarted while the step ran",
                "FATAL: terminating connection due to administrator command"));
    }

    @Test
    void aLostOrRefusedConnectionIsSaidSoWhicheverCauseShowsIt() {
        assertThat(FailureInWords.of(ENGINE, engineTrace(
                "org.springframework.transaction.TransactionSystemException: JDBC rollback failed",
                "java.sql.SQLException: Connection is closed")))
                .isEqualTo(new Failure("the connection to the database was lost", "Connection is closed"));
        assertThat(FailureInWords.of(ENGINE, engineTrace("org.postgresql.util.PSQLException: An I/O error occurred while"
                + " sending to the backend.", "java.io.EOFException")))
                .isEqualTo(new Failure("the connection to the database was lost", "java.io.EOFException"));
        assertThat(FailureInWords.of(ENGINE, engineTrace("org.postgresql.util.PSQLException: Connection to localhost:5432"
                + " refused. Check that the hostname and port are correct", "java.net.ConnectException: Connection refused")))
                .isEqualTo(new Failure("the database could not be reached", "Connection refused"));
        assertThat(FailureInWords.of(ENGINE, engineTrace("java.sql.SQLTransientConnectionException: psa - Connection is not"
                + " available, request timed out after 20000ms (total=0, active=0, idle=0, waiting=0)")).plain())
                .isEqualTo("no database connection became free in time");
    }

    @Test
    void anyOtherDatabaseErrorNamesItsRootCauseToTheOperators() {
        assertThat(FailureInWords.of(ENGINE, engineTrace(
                "org.postgresql.util.PSQLException: ERROR: deadlock detected\n  Detail: Process 1 waits for ShareLock")))
                .isEqualTo(new Failure("a database error", "ERROR: deadlock detected"));
    }

    @Test
    void withoutACauseTheEnginesMessageStays() {
        assertThat(FailureInWords.of(ENGINE, null)).isEqualTo(new Failure(ENGINE, null));
        assertThat(FailureInWords.of(ENGINE, engineTrace())).isEqualTo(new Failure(ENGINE, null));
        assertThat(FailureInWords.of(null, null)).as("nothing to say: still words")
                .isEqualTo(new Failure(FailureInWords.TECHNICAL_FAILURE, null));
    }
}

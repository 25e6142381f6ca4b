package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailureInWordsTest {

    private static final String ENGINE = "An exception occurred in the persistence layer. Please check the server logs "
            + "for a detailed message and the entire exception stack trace.";

    private static String trace(String... causes) {
        StringBuilder trace = new StringBuilder("org.camunda.bpm.engine.ProcessEnginePersistenceException: " + ENGINE
                + "\n\tat org.camunda.bpm.engine.impl.util.ExceptionUtil.wrapPersistenceException(ExceptionUtil.java:340)\n");
        for (String cause : causes) {
            trace.append("Caused by: ").append(cause).append("\n\tat somewhere(Somewhere.java:1)\n\t... 10 more\n");
        }
        return trace.toString();
    }

    @Test
    void theRemovalsOwnSentencesPassUnchanged() {
        String refusal = "Only psa-corp.admin, an Administrator, may confirm this deletion.";
        assertThat(FailureInWords.of(refusal, trace("java.lang.IllegalStateException: x"))).isEqualTo(refusal);
    }

    @Test
    void aDatabaseThatStoppedUnderTheStepIsSaidSoWithItsOwnWords() {
        assertThat(FailureInWords.of(ENGINE, trace(
                "org.apache.ibatis.exceptions.PersistenceException: ### Error querying database.",
                "org.postgresql.util.PSQLException: FATAL: terminating connection due to administrator command")))
                .isEqualTo("the database stopped or restarted while the step ran:"
                        + " FATAL: terminating connection due to administrator command");
    }

    @Test
    void aLostOrRefusedConnectionIsSaidSo() {
        assertThat(FailureInWords.of(ENGINE, trace(
                "org.springframework.transaction.TransactionSystemException: JDBC rollback failed",
                "java.sql.SQLException: Connection is closed")))
                .isEqualTo("the connection to the database was lost: Connection is closed");
        assertThat(FailureInWords.of(ENGINE, trace("org.postgresql.util.PSQLException: Connection to localhost:5432"
                + " refused. Check that the hostname and port are correct", "java.net.ConnectException: Connection refused")))
                .isEqualTo("the database could not be reached: Connection refused");
        assertThat(FailureInWords.of(ENGINE, trace("java.sql.SQLTransientConnectionException: psa - Connection is not"
                + " available, request timed out after 20000ms (total=0, active=0, idle=0, waiting=0)")))
                .startsWith("no database connection became free in time: psa - Connection is not available");
    }

    @Test
    void anyOtherDatabaseErrorNamesItsRootCause() {
        assertThat(FailureInWords.of(ENGINE, trace(
                "org.postgresql.util.PSQLException: ERROR: deadlock detected\n  Detail: Process 1 waits for ShareLock")))
                .isEqualTo("a database error: ERROR: deadlock detected");
    }

    @Test
    void withoutACauseTheEnginesMessageStays() {
        assertThat(FailureInWords.of(ENGINE, null)).isEqualTo(ENGINE);
        assertThat(FailureInWords.of(ENGINE, "org.camunda.bpm.engine.ProcessEnginePersistenceException: " + ENGINE))
                .isEqualTo(ENGINE);
        assertThat(FailureInWords.of(null, null)).isNull();
    }
}

package io.psaremoval.system;

import static io.psaremoval.system.EngineRestCalls.chooseIntegration;
import static io.psaremoval.system.EngineRestCalls.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.RemovalDriver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Everything a person or a script can get wrong when submitting a removal's tasks over the engine's REST API
 * (the same calls Tasklist's forms make): each is refused with a clear message, the task stays where it was,
 * and no data changes.
 */
@PlatformTest
@ExtendWith(OutputCaptureExtension.class)
class BadInputTest {

    @Autowired
    TestRestTemplate rest;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    JdbcClient jdbc;

    EngineRestCalls calls;
    GeneratedAccount account;
    String manager;
    String checksum;

    @BeforeEach
    void anAccount() {
        calls = new EngineRestCalls(rest);
        account = fixtures.create();
        manager = fixtures.username(account, Role.MANAGER);
        checksum = fixtures.accountChecksum(account.accountId());
    }

    @Test
    void choosingAnIntegrationThatCannotBeRemovedIsRefused() {
        GeneratedAccount other = fixtures.create();
        long formerPsa = formerIntegration("DISCONNECTED");
        long deletedPsa = formerIntegration("DELETED");
        String removal = start();
        String task = openTask(removal);

        assertRefused(complete(task, chooseIntegration("987654321")), "does not exist in your account");
        assertRefused(complete(task, chooseIntegration(other.psaIntegrationId())),
                "does not exist in your account");
        assertRefused(complete(task, chooseIntegration(account.rmmIntegrationId())),
                "is an RMM integration");
        assertRefused(complete(task, chooseIntegration(formerPsa)), "was disconnected already");
        assertRefused(complete(task, chooseIntegration(deletedPsa)), "was deleted already");

        assertThat(openTask(removal)).as("the same task still waits").isEqualTo(task);
        assertNothingChanged();
        assertThat(fixtures.integrationStatus(other.psaIntegrationId())).isEqualTo("ACTIVE");
    }

    @Test
    void anIntegrationThatAnotherRemovalHoldsIsRefusedNamingThatRemoval() {
        String first = start();
        String second = start();
        assertThat(complete(openTask(first), chooseIntegration(account.psaIntegrationId())).getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        driver.runJobs(first);
        String firstKey = jdbc.sql("select business_key from removal where process_instance_id = :pid")
                .param("pid", first).query(String.class).single();

        assertRefused(complete(openTask(second), chooseIntegration(account.psaIntegrationId())),
                "is already being removed: removal " + firstKey + ", requested by " + manager);
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(checksum);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("REMOVING");
    }

    @Test
    void missingOrMalformedVariablesAreRefused() {
        String removal = start();
        String task = openTask(removal);

        assertRefused(complete(task, "{\"variables\": {}}"), "integrationDecision");
        assertRefused(complete(task, "{}"), "integrationDecision");
        assertRefused(complete(task, chooseIntegration("not-a-number")), "not 'not-a-number'");
        assertRefused(complete(task, """
                {"variables": {"integrationId": {"value": "%d"}, "integrationDecision": {"value": "DESTROY"}}}"""
                .formatted(account.psaIntegrationId())), "integrationDecision");
        assertRefused(complete(task, """
                {"variables": {"integrationId": {"value": %d, "type": "Long"}, "integrationDecision": {"value": 1, "type": "Integer"}}}"""
                .formatted(account.psaIntegrationId())), "integrationDecision");
        assertRefused(complete(task, "{\"variables\": "), "not valid JSON");

        assertThat(complete(task, chooseIntegration(account.psaIntegrationId())).getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        driver.runJobs(removal);
        assertRefused(complete(openTask(removal), "{\"variables\": {\"removalMode\": {\"value\": \"NUKE\"}}}"), "removalMode");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(checksum);
    }

    @Test
    void aWrongConfirmationIsRefusedThroughCompleteAndThroughTheFormSubmission(CapturedOutput log) {
        String removal = toConfirmation();
        String task = openTask(removal);
        int logBefore = log.length();

        assertRefused(complete(task, confirmDeletion("ConnectWise")), "does not match");
        assertRefused(post("/engine-rest/task/" + task + "/submit-form", confirmDeletion("connectwise manage ")),
                "does not match");
        assertRefused(complete(task, "{\"variables\": {\"deletionDecision\": {\"value\": \"DELETE\"}}}"), "does not match");

        assertThat(openTask(removal)).isEqualTo(task);
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(checksum);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("REMOVING");
        assertThat(jdbc.sql("""
                select username || ' | ' || task_id || ' | ' || detail from security_event
                where process_instance_id = :pid and kind = 'TASK_INPUT_REFUSED' order by id""")
                .param("pid", removal).query(String.class).list())
                .as("every refused attempt recorded for the auditors, with who, which task and the sentence shown")
                .hasSize(3).allSatisfy(row -> assertThat(row).startsWith(manager + " | " + task + " | 'Confirm the deletion': ")
                        .contains("does not match"));
        String logged = log.toString().substring(logBefore);
        assertThat(logged).as("a typo is no engine error with a stack trace")
                .contains("Security event TASK_INPUT_REFUSED").doesNotContain("ENGINE-16004").doesNotContain("ENGINE-REST-HTTP500")
                .doesNotContain("ENGINE-03051");
    }

    @Test
    void completingATaskTwiceOrATaskOfACancelledRemovalIsRefusedWith404() {
        String removal = start();
        String task = openTask(removal);
        String choice = chooseIntegration(account.psaIntegrationId());
        assertThat(complete(task, choice).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);

        ResponseEntity<String> again = complete(task, choice);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(message(again)).contains("is not open");

        driver.runJobs(removal);
        String modeTask = openTask(removal);
        assertThat(complete(modeTask, "{\"variables\": {\"removalMode\": {\"value\": \"CANCEL\"}}}").getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        driver.runJobs(removal);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).as("released by the cancellation")
                .isEqualTo("ACTIVE");

        ResponseEntity<String> afterCancel = complete(modeTask, "{\"variables\": {\"removalMode\": {\"value\": \"DELETE\"}}}");
        assertThat(afterCancel.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(message(afterCancel)).contains("is not open");
        assertNothingChanged();
    }

    // --- helpers -----------------------------------------------------------------------------------

    private void assertNothingChanged() {
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(checksum);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("ACTIVE");
        assertThat(fixtures.count("select count(*) from rmm_unmatch_notice n join removal r on r.id = n.removal_id "
                + "where r.account_id = :p", account.accountId())).isZero();
    }

    private static void assertRefused(ResponseEntity<String> response, String because) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(message(response)).contains(because);
    }

    /** A PSA the account used before, already disconnected or deleted by an earlier removal. */
    private long formerIntegration(String status) {
        return jdbc.sql("""
                insert into integration (account_id, kind, provider, name, status)
                values (:account, 'PSA', 'Autotask', :name, :status) returning id""")
                .param("account", account.accountId()).param("name", "Former Autotask " + status)
                .param("status", status).query(Long.class).single();
    }

    private String toConfirmation() {
        String removal = start();
        assertThat(complete(openTask(removal), chooseIntegration(account.psaIntegrationId()))
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        driver.runJobs(removal);
        assertThat(complete(openTask(removal), "{\"variables\": {\"removalMode\": {\"value\": \"DELETE\"}}}")
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        driver.runJobs(removal);
        return removal;
    }

    private String start() {
        return calls.start(manager);
    }

    private String openTask(String processInstanceId) {
        return calls.openTask(manager, processInstanceId);
    }

    private ResponseEntity<String> post(String path, String body) {
        return calls.post(manager, path, body);
    }

    private ResponseEntity<String> complete(String taskId, String body) {
        return post("/engine-rest/task/" + taskId + "/complete", body);
    }

    private static String confirmDeletion(String typed) {
        return """
                {"variables": {"deletionDecision": {"value": "DELETE"}, "confirmationText": {"value": "%s"}}}"""
                .formatted(typed);
    }
}

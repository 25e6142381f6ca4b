package io.psaremoval.system;

import static io.psaremoval.system.EngineRestCalls.chooseIntegration;
import static io.psaremoval.system.EngineRestCalls.json;
import static io.psaremoval.system.EngineRestCalls.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.RemovalDriver;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.LinkedMultiValueMap;

/** The engine's REST API as callers meet it: who is refused what, and that refusals change nothing. */
@PlatformTest
class SecurityTest {

    @Autowired
    TestRestTemplate rest;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    HistoryService history;
    @Autowired
    DataSource dataSource;

    EngineRestCalls calls;
    GeneratedAccount accountA;
    GeneratedAccount accountB;
    String managerA;
    String managerB;

    @BeforeEach
    void twoAccounts() {
        calls = new EngineRestCalls(rest);
        accountA = fixtures.create();
        accountB = fixtures.create();
        managerA = fixtures.username(accountA, Role.MANAGER);
        managerB = fixtures.username(accountB, Role.MANAGER);
    }

    @Test
    void aRefusalHoldsOneConnectionAtATimeSoThatRefusedCallsCannotDrainThePool() throws Exception {
        String removal = calls.start(managerA);
        HikariDataSource pool = (HikariDataSource) dataSource;
        List<Connection> held = new ArrayList<>();
        try {
            // Every connection but one taken, as by callers whose refusals are under way at once.
            while (held.size() < pool.getMaximumPoolSize() - 1) {
                held.add(pool.getConnection());
            }
            ResponseEntity<String> suspend = rest.withBasicAuth(managerA, PlatformFixtures.PASSWORD).exchange(
                    "/engine-rest/process-instance/" + removal + "/suspended", HttpMethod.PUT,
                    json("{\"suspended\": true}"), String.class);
            assertThat(suspend.getStatusCode()).as("refused and recorded on the one connection left: "
                    + suspend.getBody()).isEqualTo(HttpStatus.FORBIDDEN);
            ResponseEntity<String> delete = rest.withBasicAuth(managerA, PlatformFixtures.PASSWORD).exchange(
                    "/engine-rest/process-instance/" + removal, HttpMethod.DELETE, null, String.class);
            assertThat(delete.getStatusCode()).as(delete.getBody()).isEqualTo(HttpStatus.FORBIDDEN);
        } finally {
            for (Connection connection : held) {
                connection.close();
            }
        }
        assertThat(jdbc.sql("""
                select count(*) from security_event
                where username = :u and process_instance_id = :pid and kind = 'ENGINE_OPERATION_REFUSED'""")
                .param("u", managerA).param("pid", removal).query(Long.class).single()).as("both refusals recorded")
                .isEqualTo(2);
    }

    @Test
    void anonymousRequestsAreRefusedWith401() {
        record Call(HttpMethod method, String path) {
        }
        List<Call> calls = List.of(
                new Call(HttpMethod.POST, "/engine-rest/process-definition/key/RemovePsaIntegration/start"),
                new Call(HttpMethod.POST, "/engine-rest/task/any/complete"),
                new Call(HttpMethod.GET, "/engine-rest/history/process-instance"),
                new Call(HttpMethod.POST, "/engine-rest/deployment/create"),
                new Call(HttpMethod.GET, "/engine-rest/user"),
                new Call(HttpMethod.GET, "/engine-rest/task"));
        long instancesBefore = history.createHistoricProcessInstanceQuery().count();
        for (Call call : calls) {
            ResponseEntity<String> response = rest.exchange(call.path(), call.method(), json("{}"), String.class);
            assertThat(response.getStatusCode()).as(call.toString()).isEqualTo(HttpStatus.UNAUTHORIZED);
        }
        assertThat(history.createHistoricProcessInstanceQuery().count()).isEqualTo(instancesBefore);
    }

    @Test
    void managerOfAnotherAccountCannotSeeClaimCompleteOrReadHistory() {
        String removalB = calls.start(managerB);
        String taskB = calls.openTask(managerB, removalB);
        String checksumB = fixtures.accountChecksum(accountB.accountId());

        assertThat(calls.get(managerA, "/engine-rest/task?processInstanceId=" + removalB)).isEmpty();
        assertThat(calls.get(managerA, "/engine-rest/history/process-instance?processInstanceId=" + removalB)).isEmpty();
        assertThat(calls.get(managerA, "/engine-rest/history/task?processInstanceId=" + removalB)).isEmpty();
        // Another account's task is answered as one that does not exist, in the same words: neither its name nor
        // whether it is open is told (ids are guessable where a host's engine uses the "simple" id generator).
        ResponseEntity<String> missing = calls.post(managerA, "/engine-rest/task/no-such-task/claim",
                "{\"userId\":\"" + managerA + "\"}");
        assertThat(missing.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        String notOpen = EngineRestCalls.message(missing).replace("no-such-task", taskB);
        ResponseEntity<String> claim = calls.post(managerA, "/engine-rest/task/" + taskB + "/claim", "{\"userId\":\"" + managerA + "\"}");
        assertThat(claim.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(EngineRestCalls.message(claim)).isEqualTo(notOpen);
        ResponseEntity<String> complete = calls.post(managerA, "/engine-rest/task/" + taskB + "/complete",
                chooseIntegration(accountB.psaIntegrationId()));
        assertThat(complete.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(EngineRestCalls.message(complete)).isEqualTo(notOpen);
        for (String read : List.of("variables", "identity-links", "form-variables")) {
            ResponseEntity<String> missingRead = rest.withBasicAuth(managerA, PlatformFixtures.PASSWORD)
                    .getForEntity("/engine-rest/task/no-such-task/" + read, String.class);
            ResponseEntity<String> othersRead = rest.withBasicAuth(managerA, PlatformFixtures.PASSWORD)
                    .getForEntity("/engine-rest/task/" + taskB + "/" + read, String.class);
            assertThat(othersRead.getStatusCode()).as(read).isEqualTo(missingRead.getStatusCode());
            assertThat(othersRead.getBody()).as(read + ": the same words as for a task that does not exist")
                    .isEqualTo(missingRead.getBody().replace("no-such-task", taskB));
        }
        // Nor its comments, which the engine serves by the task's id and the comment's without a check of its own.
        ResponseEntity<String> commented = calls.post(managerB, "/engine-rest/task/" + taskB + "/comment/create",
                "{\"message\": \"Our PSA contract ends on the 31st\"}");
        assertThat(commented.getStatusCode()).as(commented.getBody()).isEqualTo(HttpStatus.OK);
        String comment = read(commented.getBody()).get("id").asText();
        ResponseEntity<String> readComment = rest.withBasicAuth(managerA, PlatformFixtures.PASSWORD)
                .getForEntity("/engine-rest/task/" + taskB + "/comment/" + comment, String.class);
        assertThat(readComment.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(readComment.getBody()).doesNotContain("PSA contract");
        assertThat(rest.withBasicAuth(managerB, PlatformFixtures.PASSWORD).getForObject(
                "/engine-rest/task/" + taskB + "/comment/" + comment, String.class)).as("its assignee reads it")
                .contains("Our PSA contract ends on the 31st");
        assertThat(jdbc.sql("select count(*) from security_event where username = :u and kind = 'TASK_NOT_VISIBLE'")
                .param("u", managerA).query(Long.class).single()).as("each attempt recorded").isGreaterThanOrEqualTo(3);

        assertThat(calls.get(managerB, "/engine-rest/task?processInstanceId=" + removalB)).hasSize(1);
        assertThat(calls.get(managerB, "/engine-rest/history/process-instance?processInstanceId=" + removalB)).hasSize(1);
        assertThat(fixtures.accountChecksum(accountB.accountId())).isEqualTo(checksumB);
        assertThat(integrationStatus(accountB.psaIntegrationId())).isEqualTo("ACTIVE");
    }

    @Test
    void managerCannotRemoveAnotherAccountsIntegration() {
        String removalA = calls.start(managerA);
        String taskA = calls.openTask(managerA, removalA);

        ResponseEntity<String> response = calls.post(managerA, "/engine-rest/task/" + taskA + "/complete",
                chooseIntegration(accountB.psaIntegrationId()));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(response.getBody()).contains("does not exist in your account");
        assertThat(integrationStatus(accountB.psaIntegrationId())).isEqualTo("ACTIVE");
        assertThat(calls.openTask(managerA, removalA)).as("the task stays open").isEqualTo(taskA);
    }

    @Test
    void editorWhoForgesAdministratorIsRefusedAtTheStartAndNothingStarts() {
        String editor = fixtures.username(accountA, Role.EDITOR);
        long before = history.createHistoricProcessInstanceQuery().count();
        ResponseEntity<String> started = calls.post(editor, "/engine-rest/process-definition/key/RemovePsaIntegration/start", """
                {"variables": {"removalReason": {"value": "forged"}, "requesterRole": {"value": "ADMINISTRATOR"},
                               "removalPermission": {"value": "DISCONNECT_OR_DELETE"}, "accountId": {"value": %d}}}"""
                .formatted(accountA.accountId()));

        assertThat(started.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(EngineRestCalls.message(started))
                .isEqualTo("its start form accepts only [removalReason]; refused: [accountId, removalPermission, requesterRole].");
        assertThat(history.createHistoricProcessInstanceQuery().count()).isEqualTo(before);
        assertThat(fixtures.count("select count(*) from security_event where username = '" + editor
                + "' and kind = 'INPUT_REFUSED' and :p = :p", 0)).isEqualTo(1);
        assertThat(integrationStatus(accountA.psaIntegrationId())).isEqualTo("ACTIVE");

        // Without forged variables the Editor may start, and is told in Tasklist that only Managers and Administrators may remove.
        String removal = calls.start(editor);
        assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(removal)
                .activityId("UserTask_NotPermitted").count()).as("told why, in Tasklist").isEqualTo(1);
        assertThat(jdbc.sql("select status from removal where process_instance_id = :pid").param("pid", removal)
                .query(String.class).single()).isEqualTo("NOT_PERMITTED");
        JsonNode decision = calls.get(editor, "/engine-rest/history/variable-instance?processInstanceId=" + removal
                + "&variableName=requesterRole");
        assertThat(decision.get(0).get("value").asText()).isEqualTo("EDITOR");
    }

    @Test
    void fieldsATaskDidNotAskForAreRefused() {
        String removal = calls.start(managerA);
        String task = calls.openTask(managerA, removal);

        ResponseEntity<String> response = calls.post(managerA, "/engine-rest/task/" + task + "/complete", """
                {"variables": {"integrationId": {"value": "%d"}, "integrationDecision": {"value": "REMOVE"},
                               "removalMode": {"value": "DELETE"}, "confirmationText": {"value": "x"}}}"""
                .formatted(accountA.psaIntegrationId()));
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(response.getBody()).contains("refused: [confirmationText, removalMode]");

        ResponseEntity<String> change = rest.withBasicAuth(managerA, PlatformFixtures.PASSWORD).exchange(
                "/engine-rest/process-instance/" + removal + "/variables/removalMode", HttpMethod.PUT,
                json("{\"value\": \"DELETE\"}"), String.class);
        assertThat(change.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(fixtures.count("select count(*) from security_event where username = '" + managerA
                + "' and kind in ('INPUT_REFUSED', 'ENGINE_OPERATION_REFUSED') and :p = :p", 0)).isEqualTo(2);
        assertThat(calls.openTask(managerA, removal)).isEqualTo(task);
    }

    @Test
    void auditorReadsHistoryAndCannotStartClaimCompleteOrDelete() {
        String removal = calls.start(managerA);
        String task = calls.openTask(managerA, removal);

        assertThat(calls.get("auditor", "/engine-rest/history/process-instance?processInstanceId=" + removal)).hasSize(1);
        assertThat(calls.get("auditor", "/engine-rest/history/activity-instance?processInstanceId=" + removal)).isNotEmpty();
        assertThat(calls.post("auditor", "/engine-rest/process-definition/key/RemovePsaIntegration/start", "{}")
                .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(calls.post("auditor", "/engine-rest/task/" + task + "/claim", "{\"userId\":\"auditor\"}")
                .getStatusCode().is4xxClientError()).isTrue();
        assertThat(calls.post("auditor", "/engine-rest/task/" + task + "/complete", chooseIntegration(accountA.psaIntegrationId()))
                .getStatusCode().is4xxClientError()).isTrue();
        assertThat(rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD).exchange(
                "/engine-rest/history/process-instance/" + removal, HttpMethod.DELETE, null, String.class)
                .getStatusCode().is4xxClientError()).isTrue();
        assertThat(rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD).exchange(
                "/engine-rest/process-instance/" + removal, HttpMethod.DELETE, null, String.class)
                .getStatusCode().is4xxClientError()).isTrue();
        assertThat(calls.openTask(managerA, removal)).isEqualTo(task);
    }

    @Test
    void nonAdministratorCannotDeployAProcess() {
        long before = jdbc.sql("select count(*) from act_re_deployment").query(Long.class).single();
        LinkedMultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
        form.add("deployment-name", "evil");
        form.add("evil.bpmn", new ByteArrayResource("""
                <?xml version="1.0" encoding="UTF-8"?>
                <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="x">
                  <process id="Evil" isExecutable="true" /></definitions>""".getBytes()) {
            @Override
            public String getFilename() {
                return "evil.bpmn";
            }
        });
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.MULTIPART_FORM_DATA);
        ResponseEntity<String> response = rest.withBasicAuth(fixtures.username(accountA, Role.ADMINISTRATOR),
                PlatformFixtures.PASSWORD).postForEntity("/engine-rest/deployment/create",
                new HttpEntity<>(form, headers), String.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(jdbc.sql("select count(*) from act_re_deployment").query(Long.class).single()).isEqualTo(before);

        // the engine's administrator may read every deployment, so the refusal above is about who asks
        assertThat(rest.withBasicAuth("operator", "test-operator-password")
                .getForEntity("/engine-rest/deployment/count", String.class).getBody()).isEqualTo("{\"count\":" + before + "}");
    }

    // --- helpers -----------------------------------------------------------------------------------

    private String integrationStatus(long integrationId) {
        return fixtures.integrationStatus(integrationId);
    }
}

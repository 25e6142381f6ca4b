package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.removal.RemovalMode;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.test.RmmReceiver;
import java.net.ServerSocket;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricTaskInstance;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A removal that stops for good reaches people: its step (here the delivery of the RMM notice, to an RMM that is
 * down) runs out of retries, the requester finds in Tasklist what happened in plain words, the operators a task that
 * names the incident; neither can be completed or deleted by the requester through the raw API; the operator's
 * successful retry closes both, and so does ending the removal in Cockpit. Auditors read every stop.
 */
@PlatformTest
class StuckRemovalTest {

    private static final String OPERATOR_PASSWORD = "test-operator-password";

    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    ProcessEngine engine;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    TestRestTemplate rest;

    RmmReceiver rmm;
    GeneratedAccount account;
    String requester;
    ProcessInstance removal;
    Job delivery;

    @BeforeEach
    void aDeleteWhoseRmmIsDown() throws Exception {
        rmm = RmmReceiver.start();
        account = fixtures.create();
        requester = fixtures.username(account, Role.MANAGER);
        setEndpoint("http://localhost:" + aClosedPort() + "/hooks");
        removal = driver.decide(account, RemovalMode.DELETE);
        runJobsUpToTheDelivery();
        delivery = engine.getManagementService().createJobQuery().processInstanceId(removal.getId())
                .activityId("Task_DeliverRmmNotices").singleResult();
        for (int attempt = 1; attempt <= 5; attempt++) {
            assertThatThrownBy(() -> engine.getManagementService().executeJob(delivery.getId()))
                    .hasMessageContaining("Not delivered");
        }
    }

    @AfterEach
    void stop() {
        rmm.close();
        // The context is shared: no stuck removal stays behind for the next test class.
        if (engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(removal.getId()).count() > 0) {
            engine.getRuntimeService().deleteProcessInstance(removal.getId(), "test over");
        }
    }

    @Test
    void theRequesterAndTheOperatorsAreToldAndTheSuccessfulRetryClosesBothTasks() throws Exception {
        Incident incident = engine.getRuntimeService().createIncidentQuery().processInstanceId(removal.getId()).singleResult();
        assertThat(incident).isNotNull();

        JsonNode requesterTasks = tasks(requester, "assignee=" + requester + STUCK);
        assertThat(requesterTasks).hasSize(1);
        JsonNode told = requesterTasks.get(0);
        assertThat(told.path("name").asText()).isEqualTo("Your removal of "
                + fixtures.integrationName(account.psaIntegrationId()) + " waits for an operator");
        assertThat(told.path("description").asText()).contains("stopped at the step \"Deliver the notices to the RMM\"")
                .contains("Not delivered").contains("nothing more is removed until an operator")
                .contains("closes by itself");
        assertThat(tasks(fixtures.username(account, Role.ADMINISTRATOR), "assignee=" + requester))
                .as("no one else of the account sees it").isEmpty();

        JsonNode operatorTasks = tasks("operator", "candidateGroup=camunda-admin&nameLike=Retry the stuck removal%");
        assertThat(operatorTasks).hasSize(1);
        assertThat(operatorTasks.get(0).path("description").asText()).contains("incident " + incident.getId())
                .contains("job " + delivery.getId())
                .contains("/camunda/app/cockpit/default/#/process-instance/" + removal.getId());

        // The requester cannot make the notice go away through the raw API.
        String taskId = told.path("id").asText();
        assertThat(as(requester, HttpMethod.POST, "/engine-rest/task/" + taskId + "/complete", "{}").getStatusCode().value())
                .isEqualTo(403);
        assertThat(as(requester, HttpMethod.DELETE, "/engine-rest/task/" + taskId, null).getStatusCode().value())
                .isEqualTo(403);
        assertThat(as(requester, HttpMethod.POST, "/engine-rest/task/" + taskId + "/unclaim", "").getStatusCode().value())
                .as("nor give it back: it would be offered to no one").isEqualTo(403);
        assertThat(as(requester, HttpMethod.PUT, "/engine-rest/job/" + delivery.getId() + "/retries", "{\"retries\": 1}")
                .getStatusCode().value()).as("nor retry the step").isEqualTo(403);

        // The operator fixes the cause (the RMM's address) and retries: the tasks wait for the retry to succeed.
        setEndpoint(rmm.url());
        assertThat(as("operator", HttpMethod.PUT, "/engine-rest/job/" + delivery.getId() + "/retries", "{\"retries\": 1}")
                .getStatusCode().value()).isEqualTo(204);
        assertThat(tasks(requester, "assignee=" + requester + STUCK)).as("open until the retry succeeded").hasSize(1);

        engine.getManagementService().executeJob(delivery.getId());

        assertThat(tasks(requester, "assignee=" + requester + STUCK)).isEmpty();
        assertThat(tasks("operator", "candidateGroup=camunda-admin&nameLike=Retry the stuck removal%")).isEmpty();
        assertThat(tasks(requester, "assignee=" + requester + "&processDefinitionKey=RemovalNotice"))
                .as("the requester's notices: the one that it ran was withdrawn when it stopped; now how it ended")
                .extracting(task -> task.path("name").asText())
                .containsExactly("Removal done: " + fixtures.integrationName(account.psaIntegrationId()) + " and its data deleted");
        HistoricTaskInstance closed = engine.getHistoryService().createHistoricTaskInstanceQuery().taskId(taskId).singleResult();
        assertThat(closed.getDeleteReason()).contains("retry of the step succeeded");
        assertThat(jdbc.sql("select closed_how || ' ' || retried_by from removal_stuck_notice where incident_id = :i")
                .param("i", incident.getId()).query(String.class).single()).isEqualTo("RESUMED operator");
        assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(removal.getId())
                .finished().count()).isEqualTo(1);
        assertThat(rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD).getForObject("/api/audit/removals/"
                + removalId(), String.class)).contains("after its retries ran out").contains("retried")
                .contains("went on after the retry");
        String words = jdbc.sql("select failure_in_words from removal_stuck_notice where incident_id = :i")
                .param("i", incident.getId()).query(String.class).single();
        assertThat(words).as("the words kept apart from the cause").startsWith("Not delivered");
        assertThat(rest.withBasicAuth(fixtures.username(account, Role.ADMINISTRATOR), PlatformFixtures.PASSWORD)
                .getForObject("/api/audit/removals/" + removalId(), String.class))
                .as("the account's Administrator reads the stop in words").contains("after its retries ran out")
                .contains("Not delivered").doesNotContain("Exception");
    }

    @Test
    void endingTheStuckRemovalInCockpitClosesBothTasks() throws Exception {
        assertThat(tasks(requester, "assignee=" + requester + STUCK)).hasSize(1);

        assertThat(as("operator", HttpMethod.DELETE, "/engine-rest/process-instance/" + removal.getId(), null)
                .getStatusCode().value()).isEqualTo(204);

        assertThat(tasks(requester, "assignee=" + requester + STUCK)).isEmpty();
        assertThat(jdbc.sql("select closed_how from removal_stuck_notice where process_instance_id = :p")
                .param("p", removal.getId()).query(String.class).single()).isEqualTo("ENDED");
    }

    @Test
    void aRetryThatFailsAgainKeepsTheSameTasksWithTheNewIncident() throws Exception {
        String firstTask = tasks(requester, "assignee=" + requester + STUCK).get(0).path("id").asText();
        assertThat(as("operator", HttpMethod.PUT, "/engine-rest/job/" + delivery.getId() + "/retries", "{\"retries\": 1}")
                .getStatusCode().value()).isEqualTo(204);
        assertThatThrownBy(() -> engine.getManagementService().executeJob(delivery.getId()))
                .hasMessageContaining("Not delivered");

        Incident again = engine.getRuntimeService().createIncidentQuery().processInstanceId(removal.getId()).singleResult();
        JsonNode requesterTasks = tasks(requester, "assignee=" + requester + STUCK);
        assertThat(requesterTasks).hasSize(1);
        assertThat(requesterTasks.get(0).path("id").asText()).isEqualTo(firstTask);
        JsonNode operatorTasks = tasks("operator", "candidateGroup=camunda-admin&nameLike=Retry the stuck removal%");
        assertThat(operatorTasks).hasSize(1);
        assertThat(operatorTasks.get(0).path("description").asText()).contains("incident " + again.getId());
        assertThat(jdbc.sql("select times_stopped from removal_stuck_notice where process_instance_id = :p")
                .param("p", removal.getId()).query(Integer.class).single()).isEqualTo(2);
    }

    // --- helpers -----------------------------------------------------------------------------------

    /** The requester's task of a stuck removal (not the removal's notices, which tell how it runs and ends). */
    private static final String STUCK = "&nameLike=%waits for an operator";

    private JsonNode tasks(String user, String query) throws Exception {
        String password = user.equals("operator") ? OPERATOR_PASSWORD : PlatformFixtures.PASSWORD;
        ResponseEntity<String> answer = rest.withBasicAuth(user, password).getForEntity("/engine-rest/task?firstResult=0&maxResults=50&" + query,
                String.class);
        assertThat(answer.getStatusCode().value()).as(answer.getBody()).isEqualTo(200);
        return new ObjectMapper().readTree(answer.getBody());
    }

    private ResponseEntity<String> as(String user, HttpMethod method, String path, String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        String password = user.equals("operator") ? OPERATOR_PASSWORD : PlatformFixtures.PASSWORD;
        return rest.withBasicAuth(user, password).exchange(path, method, new HttpEntity<>(body, headers), String.class);
    }

    private void setEndpoint(String url) throws Exception {
        String body = new ObjectMapper().writeValueAsString(Map.of("url", url, "secret", "shared-secret-of-the-rmm-webhook"));
        assertThat(as(fixtures.username(account, Role.ADMINISTRATOR), HttpMethod.PUT,
                "/api/rmm-integrations/" + account.rmmIntegrationId() + "/endpoint", body).getStatusCode().value())
                .isEqualTo(200);
    }

    private static int aClosedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void runJobsUpToTheDelivery() {
        while (engine.getManagementService().createJobQuery().processInstanceId(removal.getId())
                .activityId("Task_DeliverRmmNotices").count() == 0) {
            Job next = engine.getManagementService().createJobQuery().processInstanceId(removal.getId()).messages()
                    .listPage(0, 1).stream().findFirst().orElseThrow();
            engine.getManagementService().executeJob(next.getId());
        }
    }

    private long removalId() {
        return fixtures.removalId(removal.getId());
    }
}

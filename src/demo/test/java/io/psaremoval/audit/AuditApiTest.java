package io.psaremoval.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.removal.RemovalMode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** The audit data as JSON and CSV, for auditors only. */
@PlatformTest
class AuditApiTest {

    @Autowired
    TestRestTemplate rest;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    io.psaremoval.account.PlatformUserRepository users;
    @Autowired
    io.psaremoval.engine.IdentityMirror identity;
    @Autowired
    AuditService audit;
    @Autowired
    org.camunda.bpm.engine.HistoryService history;
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @Test
    void auditorGetsJsonAndCsvOthersAreRefused() throws Exception {
        GeneratedAccount account = fixtures.create();
        driver.remove(account, RemovalMode.DISCONNECT);
        String manager = fixtures.username(account, Role.MANAGER);

        assertThat(rest.getForEntity("/api/audit/removals", String.class).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        // (a wrong password delays the user's next sign-in: Camunda's login throttling; hence another user here)
        assertThat(rest.withBasicAuth(fixtures.username(account, Role.LITE), "wrong").getForEntity("/api/audit/removals", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(rest.withBasicAuth(manager, PlatformFixtures.PASSWORD).getForEntity("/api/audit/removals", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);

        ResponseEntity<String> json = rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD)
                .getForEntity("/api/audit/removals", String.class);
        assertThat(json.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(json.getBody()).contains("\"requestedBy\":\"" + manager + "\"").contains("\"status\":\"DISCONNECTED\"");

        long id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.getBody()).get(0).get("id").asLong();
        ResponseEntity<String> detail = rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD)
                .getForEntity("/api/audit/removals/" + id, String.class);
        assertThat(detail.getStatusCode()).as(detail.getBody()).isEqualTo(HttpStatus.OK);
        assertThat(detail.getBody()).contains("\"timeline\"").contains("Disconnect the records, chunk by chunk")
                .contains("organization: 12 done, 0 left");

        ResponseEntity<String> csv = rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD)
                .getForEntity("/api/audit/removals.csv", String.class);
        assertThat(csv.getHeaders().getContentType().toString()).startsWith("text/csv");
        assertThat(csv.getBody()).startsWith("id,business_key,account,integration,requested_by")
                .contains("," + manager + ",MANAGER,DISCONNECT,DISCONNECTED,");
    }

    @Test
    void anAccountsAuditorReadsThatAccountsRemovalsOnly() throws Exception {
        GeneratedAccount own = fixtures.create();
        GeneratedAccount other = fixtures.create();
        driver.remove(own, RemovalMode.DISCONNECT);
        driver.remove(other, RemovalMode.DISCONNECT);
        String accountAuditor = "auditor-of-" + own.accountId();
        users.create(own.accountId(), accountAuditor, "Account Auditor", accountAuditor + "@example.com", Role.AUDITOR);
        identity.mirror(users.findActiveByUsername(accountAuditor).orElseThrow(), PlatformFixtures.PASSWORD);

        com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                rest.withBasicAuth(accountAuditor, PlatformFixtures.PASSWORD).getForEntity("/api/audit/removals", String.class)
                        .getBody());
        assertThat(list).isNotEmpty().allMatch(removal -> removal.get("accountId").asLong() == own.accountId());
        long otherRemoval = jdbc.sql("select id from removal where account_id = :a").param("a", other.accountId())
                .query(Long.class).single();
        assertThat(rest.withBasicAuth(accountAuditor, PlatformFixtures.PASSWORD)
                .getForEntity("/api/audit/removals/" + otherRemoval, String.class).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(rest.withBasicAuth(accountAuditor, PlatformFixtures.PASSWORD)
                .getForEntity("/api/audit/removals.csv", String.class).getBody())
                .doesNotContain(fixtures.username(other, Role.MANAGER));
    }

    @Test
    void csvCellsAreQuotedAndFormulasNeutralised() {
        assertThat(AuditController.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(AuditController.cell("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(AuditController.cell(null)).isEmpty();
    }

    @Test
    void theTimelineShowsWhenEachStepEndedInWordsAndTheChoicesAsTheFormsWordedThem() {
        GeneratedAccount account = fixtures.create();
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.remove(account, RemovalMode.DELETE);
        long id = jdbc.sql("select id from removal where process_instance_id = :pid").param("pid", removal.getId())
                .query(Long.class).single();

        java.util.List<AuditService.Event> timeline = audit.removal(id).orElseThrow().timeline();

        assertThat(timeline).extracting(AuditService.Event::kind).as("no engine words")
                .doesNotContain("userTask", "serviceTask", "noneEndEvent", "startEvent", "businessRuleTask")
                .contains("task", "step", "start", "end", "input");
        for (var task : history.createHistoricTaskInstanceQuery().processInstanceId(removal.getId()).finished().list()) {
            assertThat(timeline).as("'%s' is shown when it was completed", task.getName())
                    .anyMatch(event -> event.kind().equals("task") && event.step().equals(task.getName())
                            && event.what().equals("completed") && event.at().equals(task.getEndTime().toInstant()));
        }
        for (var step : history.createHistoricActivityInstanceQuery().processInstanceId(removal.getId())
                .activityType("serviceTask").finished().list()) {
            assertThat(timeline).as("'%s' is shown when it ended", step.getActivityName())
                    .anyMatch(event -> event.step() != null && event.step().equals(step.getActivityName())
                            && event.at().equals(step.getEndTime().toInstant()));
        }
        assertThat(timeline).filteredOn(event -> event.kind().equals("input")).extracting(AuditService.Event::what)
                .as("choices in the words of the forms").contains("Permanently delete all data")
                .doesNotContain("DELETE", "REMOVE");
    }

    @Test
    void kindsOfStepsAreNamedInWords() {
        assertThat(AuditService.kindInWords("userTask")).isEqualTo("task");
        assertThat(AuditService.kindInWords("serviceTask")).isEqualTo("step");
        assertThat(AuditService.kindInWords("noneEndEvent")).isEqualTo("end");
        assertThat(AuditService.kindInWords("errorEndEvent")).isEqualTo("end");
        assertThat(AuditService.kindInWords("boundaryTimer")).isEqualTo("timer");
        assertThat(AuditService.kindInWords("startEvent")).isEqualTo("start");
    }
}

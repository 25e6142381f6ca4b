package io.psaremoval.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.removal.RemovalMode;
import java.util.List;
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
    org.camunda.bpm.engine.TaskService tasks;
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;
    @Autowired
    org.camunda.bpm.engine.RuntimeService runtime;
    @Autowired
    org.camunda.bpm.engine.ManagementService management;
    @Autowired
    org.camunda.bpm.engine.IdentityService identityService;

    /**
     * The audit page's session: signed in once with the password, it reads the audit and nothing else (an RMM
     * endpoint, which changes something, still needs credentials in the request: no cross-site change rides on the
     * cookie); a new session id at each sign-in; signed out, it reads nothing.
     */
    @org.springframework.boot.test.web.server.LocalServerPort
    int port;

    @Test
    void theAuditPagesSessionReadsTheAuditOnly() throws Exception {
        GeneratedAccount account = fixtures.create();
        java.net.CookieManager cookies = new java.net.CookieManager();
        java.net.http.HttpClient browser = java.net.http.HttpClient.newBuilder().cookieHandler(cookies).build();
        String base = "http://localhost:" + port;
        java.util.function.Function<String, java.net.http.HttpRequest.Builder> request =
                path -> java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path));
        var text = java.net.http.HttpResponse.BodyHandlers.ofString();

        assertThat(browser.send(request.apply("/api/audit/session").header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"username\": \"auditor\", \"password\": \""
                        + PlatformFixtures.PASSWORD + "\"}")).build(), text).statusCode())
                .as("what a form of another site can send signs nobody in").isEqualTo(415);
        assertThat(browser.send(request.apply("/api/audit/session").header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"username\": \"" + fixtures.username(account, Role.LITE) + "\", \"password\": \"wrong\"}")).build(), text)
                .statusCode()).as("a wrong password (another user: Camunda throttles the next sign-in)").isEqualTo(401);
        browser.send(request.apply("/api/audit/removals").GET().build(), text); // a session from before the sign-in
        String before = sessionId(cookies);
        assertThat(browser.send(request.apply("/api/audit/session").header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"username\": \"auditor\", \"password\": \"" + PlatformFixtures.PASSWORD + "\"}")).build(), text)
                .statusCode()).isEqualTo(204);
        assertThat(sessionId(cookies)).as("a new session id at sign-in").isNotNull().isNotEqualTo(before);

        assertThat(browser.send(request.apply("/api/audit/removals").GET().build(), text).statusCode()).isEqualTo(200);
        var put = browser.send(request.apply("/api/rmm-integrations/" + account.rmmIntegrationId() + "/endpoint")
                .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"url\": \"https://rmm.example.com/hook\", \"secret\": \"0123456789abcdef0123\"}")).build(), text);
        assertThat(put.statusCode()).as("a session changes nothing: " + put.body()).isEqualTo(401);

        assertThat(browser.send(request.apply("/api/audit/session").DELETE().build(), text).statusCode()).isEqualTo(204);
        assertThat(browser.send(request.apply("/api/audit/removals").GET().build(), text).statusCode()).isEqualTo(401);
    }

    private static String sessionId(java.net.CookieManager cookies) {
        return cookies.getCookieStore().getCookies().stream().filter(cookie -> cookie.getName().equals("JSESSIONID"))
                .map(java.net.HttpCookie::getValue).findFirst().orElse(null);
    }

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
    void anAccountsAdministratorReadsThatAccountsRemovalsOnlyAndAManagerNone() throws Exception {
        GeneratedAccount own = fixtures.create();
        GeneratedAccount other = fixtures.create();
        driver.remove(own, RemovalMode.DISCONNECT);
        driver.remove(other, RemovalMode.DISCONNECT);
        var administrator = rest.withBasicAuth(fixtures.username(own, Role.ADMINISTRATOR), PlatformFixtures.PASSWORD);

        com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                administrator.getForEntity("/api/audit/removals", String.class).getBody());
        assertThat(list).hasSize(1).allMatch(removal -> removal.get("accountId").asLong() == own.accountId());
        long otherRemoval = jdbc.sql("select id from removal where account_id = :a").param("a", other.accountId())
                .query(Long.class).single();
        assertThat(administrator.getForEntity("/api/audit/removals/" + otherRemoval, String.class).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(administrator.getForEntity("/api/audit/removals/" + list.get(0).get("id").asLong(), String.class)
                .getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(rest.withBasicAuth(fixtures.username(own, Role.MANAGER), PlatformFixtures.PASSWORD)
                .getForEntity("/api/audit/removals", String.class).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void csvCellsAreQuotedAndFormulasNeutralised() {
        assertThat(AuditController.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(AuditController.cell("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(AuditController.cell(null)).isEmpty();
        assertThat(AuditController.cell("\t=1+1")).isEqualTo("'\t=1+1");
        assertThat(AuditController.cell("\r=1+1")).isEqualTo("\"'\r=1+1\"");
        assertThat(AuditController.cell("NULL")).as("an integration so named keeps its name").isEqualTo("NULL");
    }

    @Test
    void theTimelineShowsWhenEachStepEndedInWordsAndTheChoicesAsTheFormsWordedThem() {
        GeneratedAccount account = fixtures.create();
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.remove(account, RemovalMode.DELETE);
        long id = fixtures.removalId(removal.getId());

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
    void theAuditReconcilesTheConfirmedPreviewWithTheRowsWrittenInTheFormsWords() throws Exception {
        GeneratedAccount account = fixtures.create();
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.remove(account, RemovalMode.DELETE);
        long id = fixtures.removalId(removal.getId());

        com.fasterxml.jackson.databind.JsonNode lines = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD)
                        .getForEntity("/api/audit/removals/" + id, String.class).getBody()).get("reconciliation");

        java.util.Map<String, Long> counted = new java.util.HashMap<>();
        jdbc.sql("select kind, rows from removal_count where removal_id = :id and action in ('DELETED', 'UNMATCHED')")
                .param("id", id).query((rs, n) -> counted.put(rs.getString(1), rs.getLong(2))).list();
        java.util.Map<String, Long> previewed = new java.util.HashMap<>();
        jdbc.sql("select kind, psa_synced + platform_only from removal_preview where removal_id = :id")
                .param("id", id).query((rs, n) -> previewed.put(rs.getString(1), rs.getLong(2))).list();
        assertThat(lines).extracting(line -> line.get("kind").asText()).containsExactly("Organizations",
                "Configurations", "Contacts", "Locations", "Passwords", "Domains", "Documents", "Flexible assets",
                "Attachments", "Related items", "RMM devices");
        for (var line : lines) {
            String kind = line.get("kind").asText().equals("RMM devices") ? "RMM_DEVICE"
                    : line.get("kind").asText().toUpperCase(java.util.Locale.ROOT).replace(' ', '_').replaceAll("S$", "");
            assertThat(line.get("confirmed").asLong()).as(kind).isEqualTo(previewed.get(kind))
                    .isEqualTo(line.get("fromThePsa").asLong() + line.get("onlyInThePlatform").asLong());
            assertThat(line.get("written").asLong()).as(kind).isEqualTo(counted.getOrDefault(kind, 0L))
                    .isEqualTo(line.get("confirmed").asLong());
            assertThat(line.get("difference").asLong()).as(kind).isZero();
        }
    }

    /** The audit page runs its own script and style only, in no other site's frame, its files never sniffed. */
    @Test
    void theAuditPageIsSentWithAPolicyThatRunsOnlyItsOwnScript() {
        for (String file : List.of("/audit/index.html", "/audit/audit.js", "/audit/audit.css")) {
            ResponseEntity<String> sent = rest.getForEntity(file, String.class);
            assertThat(sent.getStatusCode().value()).as(file).isEqualTo(200);
            assertThat(sent.getHeaders().getFirst("Content-Security-Policy")).as(file).contains("default-src 'none'")
                    .contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe");
            assertThat(sent.getHeaders().getFirst("X-Content-Type-Options")).as(file).isEqualTo("nosniff");
        }
    }

    /** A stop's cause (the database's own message) is for the operators and the platform's auditors; an account reads its words. */
    @Test
    void anAccountReadsAStoppedStepInWordsAndThePlatformsAuditorItsCause() throws Exception {
        GeneratedAccount account = fixtures.create();
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.remove(account, RemovalMode.DISCONNECT);
        long id = fixtures.removalId(removal.getId());
        String cause = "FATAL: no pg_hba.conf entry for host \"10.20.0.7\", database \"platform_prod\"";
        jdbc.sql("""
                insert into removal_stuck_notice (removal_id, process_instance_id, job_id, incident_id, step_name, failure,
                                                  failure_in_words, requester, closed_at, closed_how)
                values (:removal, :pid, 'job-1', :incident, 'Disconnect the integration', :failure, :words, 'someone',
                        now(), 'RESUMED')""")
                .param("removal", id).param("pid", removal.getId()).param("incident", "incident-" + id)
                .param("failure", "the database could not be reached: " + cause)
                .param("words", "the database could not be reached").update();

        String platformAuditor = rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD)
                .getForObject("/api/audit/removals/" + id, String.class);
        assertThat(platformAuditor).contains("pg_hba.conf").contains("10.20.0.7");
        String forTheAccount = rest.withBasicAuth(fixtures.username(account, Role.ADMINISTRATOR), PlatformFixtures.PASSWORD)
                .getForObject("/api/audit/removals/" + id, String.class);
        assertThat(forTheAccount).contains("stopped at 'Disconnect the integration'")
                .contains("the database could not be reached").doesNotContain("pg_hba.conf").doesNotContain("10.20.0.7")
                .doesNotContain("platform_prod");
    }

    /** Where the server keeps an export is the platform auditors' to read; an account's reader is told the file's name. */
    @Test
    void anAccountReadsTheFileOfAnExportNotTheServersFolders() throws Exception {
        GeneratedAccount account = fixtures.create();
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.remove(account, RemovalMode.DISCONNECT);
        long id = fixtures.removalId(removal.getId());
        jdbc.sql("""
                insert into account_backup (account_id, kind, requested_by, location, removal_id, completed_at)
                values (:account, 'PLATFORM_EXPORT', 'someone', '/srv/psa/private-exports/account-7-export.zip', :removal, now())""")
                .param("account", account.accountId()).param("removal", id).update();

        String platformAuditor = rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD)
                .getForObject("/api/audit/removals/" + id, String.class);
        assertThat(platformAuditor).contains("/srv/psa/private-exports/account-7-export.zip");
        String forTheAccount = rest.withBasicAuth(fixtures.username(account, Role.ADMINISTRATOR), PlatformFixtures.PASSWORD)
                .getForObject("/api/audit/removals/" + id, String.class);
        assertThat(forTheAccount).contains("account-7-export.zip").doesNotContain("/srv/psa").doesNotContain("private-exports");
    }

    /** An account's reader learns that a user of another account tried something on its removal, not who. */
    @Test
    void anAccountReadsThatAUserOfAnotherAccountTriedSomethingNotWho() throws Exception {
        GeneratedAccount account = fixtures.create();
        String stranger = fixtures.username(fixtures.create(), Role.ADMINISTRATOR);
        String colleague = fixtures.username(account, Role.EDITOR);
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.remove(account, RemovalMode.DISCONNECT);
        long id = fixtures.removalId(removal.getId());
        for (String who : List.of(stranger, colleague)) {
            jdbc.sql("""
                    insert into security_event (username, kind, process_instance_id, detail)
                    values (:who, 'OPERATION_REFUSED', :pid, :detail)""")
                    .param("who", who).param("pid", removal.getId())
                    .param("detail", "Refused for " + who + ": only the task's assignee completes it.").update();
        }

        String forTheAccount = rest.withBasicAuth(fixtures.username(account, Role.ADMINISTRATOR), PlatformFixtures.PASSWORD)
                .getForObject("/api/audit/removals/" + id, String.class);
        assertThat(forTheAccount).doesNotContain(stranger).contains("Refused for " + AuditService.ANOTHER_ACCOUNTS_USER)
                .as("a colleague of the account is named").contains("Refused for " + colleague);
        assertThat(rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD).getForObject("/api/audit/removals/" + id,
                String.class)).as("the platform's auditor reads who").contains("Refused for " + stranger);
    }

    /**
     * A flood of one refusal is one line, with how often and until when, and does not push a later attempt out of the
     * timeline; of more distinct attempts than it holds, the first and the latest show and a line says how many are
     * left out.
     */
    @Test
    void aFloodOfRefusalsNeverHidesTheLatestAttempt() {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.start(manager);
        long id = fixtures.removalId(removal.getId());
        var asManager = rest.withBasicAuth(manager, PlatformFixtures.PASSWORD);
        String suspend = "/engine-rest/process-instance/" + removal.getId() + "/suspended";
        for (int i = 0; i < 3; i++) {
            assertThat(asManager.exchange(suspend, org.springframework.http.HttpMethod.PUT,
                    jsonBody("{\"suspended\": true}"), String.class).getStatusCode())
                    .isEqualTo(HttpStatus.FORBIDDEN);
        }
        assertThat(asManager.exchange("/engine-rest/process-instance/" + removal.getId(),
                org.springframework.http.HttpMethod.DELETE, null, String.class).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);

        List<String> refused = audit.removal(id).orElseThrow().timeline().stream()
                .filter(event -> event.kind().equals("refused")).map(AuditService.Event::what).toList();
        assertThat(refused).hasSize(2);
        assertThat(refused.get(0)).contains("suspend").contains("(3 times, the last at ");
        assertThat(refused.get(1)).contains("delete").doesNotContain("times, the last at");

        // Past what the timeline holds: 6,000 distinct attempts before the latest one (written as the guard writes them).
        jdbc.sql("""
                insert into security_event (occurred_at, username, kind, process_instance_id, detail)
                select now() - interval '1 hour' + n * interval '1 millisecond', :u, 'ENGINE_OPERATION_REFUSED', :pid,
                       'attempt ' || n
                from generate_series(1, 6000) n""").param("u", manager).param("pid", removal.getId()).update();
        assertThat(asManager.exchange(suspend, org.springframework.http.HttpMethod.PUT,
                jsonBody("{\"suspended\": false}"), String.class).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        List<AuditService.Event> flooded = audit.removal(id).orElseThrow().timeline().stream()
                .filter(event -> event.kind().equals("refused")).toList();
        assertThat(flooded).hasSize(5001);
        assertThat(flooded.get(2500).step()).isEqualTo("more refused attempts than the timeline shows");
        assertThat(flooded.get(2500).what()).startsWith("1,003 further attempts (1,003 refusals) from here on are left out");
        assertThat(flooded.get(5000).what()).as("the latest attempt shows").contains("activate");
    }

    private static org.springframework.http.HttpEntity<String> jsonBody(String body) {
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.setContentType(org.springframework.http.MediaType.APPLICATION_JSON);
        return new org.springframework.http.HttpEntity<>(body, headers);
    }

    /** What an operator did to a removal through the engine's API is in its timeline, with who, when and what changed. */
    @Test
    void theTimelineShowsWhatOperatorsDidToTheRemoval() {
        GeneratedAccount account = fixtures.create();
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.decide(account, RemovalMode.DISCONNECT);
        long id = fixtures.removalId(removal.getId());
        List<String> plain = operations(id);
        assertThat(plain).as("the requester's start and completions are shown as such, not as operations").isEmpty();

        runtimeAsOperator(() -> {
            runtime.suspendProcessInstanceById(removal.getId());
            runtime.activateProcessInstanceById(removal.getId());
            String job = management.createJobQuery().processInstanceId(removal.getId()).singleResult().getId();
            management.setJobRetries(job, 7);
        });
        driver.runJobs(removal);

        List<String> operations = operations(id);
        assertThat(operations).containsExactly(
                "suspend (process instance) | operator | suspensionState: suspended",
                "activate (process instance) | operator | suspensionState: active",
                "set job retries (job) | operator | retries: 5 → 7");
    }

    private List<String> operations(long removalId) {
        return audit.removal(removalId).orElseThrow().timeline().stream().filter(event -> event.kind().equals("operation"))
                .map(event -> event.step() + " | " + event.who() + " | " + event.what()).toList();
    }

    private void runtimeAsOperator(Runnable action) {
        identityService.setAuthentication("operator", List.of("camunda-admin"));
        try {
            action.run();
        } finally {
            identityService.clearAuthentication();
        }
    }

    /** Who the removal told what, and whether they read it: each notice given, read, withdrawn or left open. */
    @Test
    void theAuditShowsWhoWasToldWhatAndWhetherTheyReadIt() throws Exception {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.remove(account, RemovalMode.DISCONNECT);
        org.camunda.bpm.engine.task.Task outcome = tasks.createTaskQuery().processDefinitionKey("RemovalNotice")
                .taskAssignee(manager).singleResult();
        driver.asUser(manager, () -> {
            tasks.complete(outcome.getId());
            return null;
        });
        long id = fixtures.removalId(removal.getId());

        String running = "Removal of " + fixtures.integrationName(account.psaIntegrationId()) + " is running: disconnecting";
        // The platform's auditor, the account's auditor and its Administrators read the same: the notices are the removal's.
        String accountAuditor = "auditor-of-" + account.accountId();
        users.create(account.accountId(), accountAuditor, "Account Auditor", accountAuditor + "@example.com", Role.AUDITOR);
        identity.mirror(users.findActiveByUsername(accountAuditor).orElseThrow(), PlatformFixtures.PASSWORD);
        for (String reader : List.of("auditor", accountAuditor, fixtures.username(account, Role.ADMINISTRATOR))) {
            com.fasterxml.jackson.databind.JsonNode timeline = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    rest.withBasicAuth(reader, PlatformFixtures.PASSWORD)
                            .getForEntity("/api/audit/removals/" + id, String.class).getBody()).get("timeline");
            java.util.List<String> notices = new java.util.ArrayList<>();
            java.util.List<String> reasons = new java.util.ArrayList<>();
            for (var event : timeline) {
                if (event.get("kind").asText().equals("notice")) {
                    notices.add(event.get("step").asText() + " | " + event.get("who").asText() + " | "
                            + event.get("what").asText());
                } else if (event.get("step").asText().equals("reason given")) {
                    reasons.add(event.get("what").asText());
                }
            }
            assertThat(reasons).as(reader + ": the reason given once, as written (the forms' escaped copy is no input)")
                    .containsExactly("Moving to another PSA");
            assertThat(notices).as(reader + ": in the order they happened").containsExactly(
                    "notice given | " + manager + " | " + running,
                    "notice withdrawn: it no longer held | null | " + running,
                    "notice given | " + manager + " | " + outcome.getName(),
                    "notice read | " + manager + " | " + outcome.getName());
        }
    }

    @Test
    void theAuditShowsEachRoundOfTheConfirmedScopeWithAChecksumAnyoneCanRecompute() throws Exception {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.decide(account, RemovalMode.DELETE);
        long id = fixtures.removalId(removal.getId());
        jdbc.sql("""
                insert into item (account_id, organization_id, kind, name, body)
                select account_id, id, 'DOCUMENT', 'Written after the confirmation', 'new' from organization
                where psa_integration_id = :psa order by id desc limit 1""").param("psa", account.psaIntegrationId()).update();
        driver.runJobs(removal); // finds the change before the first write
        driver.complete(manager, removal, java.util.Map.of("scopeDecision", "GO_ON",
                "confirmationText", fixtures.integrationName(account.psaIntegrationId())));
        driver.runJobs(removal);

        com.fasterxml.jackson.databind.JsonNode audited = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD)
                        .getForEntity("/api/audit/removals/" + id, String.class).getBody());

        assertThat(audited.get("removal").get("status").asText()).isEqualTo("DELETED");
        com.fasterxml.jackson.databind.JsonNode rounds = audited.get("scope");
        assertThat(rounds).hasSize(2);
        assertThat(rounds.get(0).get("difference").isNull()).as("the preview's round").isTrue();
        assertThat(rounds.get(1).get("difference").asText()).contains("**1** organization was added or changed")
                .contains("| Documents |");
        assertThat(rounds.get(1).get("confirmedBy").asText()).isEqualTo(manager);
        assertThat(rounds.get(0).get("organizationsDeleted").asLong()).as("the change was found before the first write")
                .isZero();
        assertThat(rounds.get(1).get("organizationsDeleted").asLong()).as("every organization deleted under round 2")
                .isEqualTo(12);
        for (var round : rounds) {
            // The documented checksum, from the stored rows, by SQL alone.
            assertThat(round.get("checksum").asText()).isEqualTo(jdbc.sql("""
                    select md5(string_agg(organization_id || ':' || delete_rows || ':' || delete_fingerprint || chr(10), ''
                                          order by organization_id))
                    from removal_scope where removal_id = :id and round = :round""")
                    .param("id", id).param("round", round.get("round").asInt()).query(String.class).single());
        }
        for (var line : audited.get("reconciliation")) {
            assertThat(line.get("difference").asLong()).as(line.get("kind").asText())
                    .as("the second round, confirmed, is what was deleted").isZero();
        }
        assertThat(audited.get("reconciliation").get(6).get("kind").asText()).isEqualTo("Documents");
        assertThat(audited.get("reconciliation").get(6).get("confirmed").asLong())
                .isEqualTo(jdbc.sql("select rows from removal_count where removal_id = :id and kind = 'DOCUMENT'")
                        .param("id", id).query(Long.class).single());
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

    /**
     * Years of removals: 10,000 of one account (and 500 of another) in the audit's history; the list's criteria and
     * pages return exactly the removals expected, the CSV every one that matches; the times are printed, not asserted.
     */
    @Test
    void tenThousandRemovalsAreFilteredPagedAndExportedExactly() throws Exception {
        GeneratedAccount account = fixtures.create();
        GeneratedAccount other = fixtures.create();
        String tag = "bulk" + System.nanoTime();
        // Removal i started i hours before 2024-06-01, so newest first is i ascending; every third a delete, the rest
        // disconnects; every tenth cancelled; requesters in turn a, b, c, d.
        jdbc.sql("""
                insert into removal (process_instance_id, business_key, requested_by, requester_role, account_id, mode,
                                     status, started_at, ended_at)
                select :tag || '-' || a.id || '-' || i, :tag || '-' || a.id || '-' || i,
                       :tag || '.' || (array['a', 'b', 'c', 'd'])[1 + i % 4], 'MANAGER', a.id,
                       case when i % 3 = 0 then 'DELETE' else 'DISCONNECT' end,
                       case when i % 10 = 0 then 'CANCELLED' when i % 3 = 0 then 'DELETED' else 'DISCONNECTED' end,
                       timestamptz '2024-06-01 00:00:00+00' - i * interval '1 hour',
                       timestamptz '2024-06-01 00:00:00+00' - i * interval '1 hour' + interval '5 minutes'
                from (values (:account, 10000), (:other, 500)) as a(id, n), generate_series(1, a.n) i""")
                .param("tag", tag).param("account", account.accountId()).param("other", other.accountId()).update();
        var auditor = rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String ofAccount = "/api/audit/removals?account=" + account.accountId();

        java.util.List<String> keys = new java.util.ArrayList<>();
        long listStarted = System.nanoTime();
        for (int page = 0; page < 21; page++) {
            ResponseEntity<String> response = auditor.getForEntity(ofAccount + "&size=500&page=" + page, String.class);
            assertThat(response.getHeaders().getFirst("X-Total-Count")).isEqualTo("10000");
            json.readTree(response.getBody()).forEach(removal -> keys.add(removal.get("businessKey").asText()));
        }
        long listMillis = (System.nanoTime() - listStarted) / 1_000_000;
        assertThat(keys).as("every removal of the account once, newest first").hasSize(10000).doesNotHaveDuplicates()
                .startsWith(tag + "-" + account.accountId() + "-1", tag + "-" + account.accountId() + "-2")
                .endsWith(tag + "-" + account.accountId() + "-10000");

        long firstPageStarted = System.nanoTime();
        ResponseEntity<String> firstPage = auditor.getForEntity(ofAccount, String.class);
        long firstPageMillis = (System.nanoTime() - firstPageStarted) / 1_000_000;
        assertThat(json.readTree(firstPage.getBody())).as("50 by default").hasSize(50);

        long filteredStarted = System.nanoTime();
        ResponseEntity<String> filtered = auditor.getForEntity(ofAccount + "&status=DELETED&mode=DELETE&requestedBy="
                + tag + ".a&from=2024-01-01&before=2024-03-01T00:00:00Z&size=500", String.class);
        long filteredMillis = (System.nanoTime() - filteredStarted) / 1_000_000;
        long expected = jdbc.sql("""
                select count(*) from removal where account_id = :account and status = 'DELETED' and mode = 'DELETE'
                and requested_by = :who and started_at >= '2024-01-01' and started_at < '2024-03-01'""")
                .param("account", account.accountId()).param("who", tag + ".a").query(Long.class).single();
        assertThat(expected).isPositive();
        assertThat(filtered.getHeaders().getFirst("X-Total-Count")).isEqualTo(String.valueOf(expected));
        assertThat(json.readTree(filtered.getBody())).hasSize((int) expected).allSatisfy(removal -> {
            assertThat(removal.get("status").asText()).isEqualTo("DELETED");
            assertThat(removal.get("requestedBy").asText()).isEqualTo(tag + ".a");
            assertThat(removal.get("startedAt").asText()).startsWith("2024-0");
        });

        long detailStarted = System.nanoTime();
        long someId = json.readTree(firstPage.getBody()).get(25).get("id").asLong();
        assertThat(auditor.getForEntity("/api/audit/removals/" + someId, String.class).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        long detailMillis = (System.nanoTime() - detailStarted) / 1_000_000;

        long csvStarted = System.nanoTime();
        ResponseEntity<String> csv = auditor.getForEntity("/api/audit/removals.csv?account=" + account.accountId(), String.class);
        long csvMillis = (System.nanoTime() - csvStarted) / 1_000_000;
        assertThat(csv.getBody().lines().count()).as("a header and every removal of the account").isEqualTo(10001);

        String accountAuditor = "auditor-of-" + other.accountId();
        users.create(other.accountId(), accountAuditor, "Account Auditor", accountAuditor + "@example.com", Role.AUDITOR);
        identity.mirror(users.findActiveByUsername(accountAuditor).orElseThrow(), PlatformFixtures.PASSWORD);
        assertThat(rest.withBasicAuth(accountAuditor, PlatformFixtures.PASSWORD).getForEntity(ofAccount, String.class)
                .getHeaders().getFirst("X-Total-Count")).as("another account's removals stay out of reach").isEqualTo("0");

        for (String wrong : java.util.List.of("status=NUKED", "mode=ERASE", "size=0", "size=501", "page=-1",
                "from=yesterday", "account=x", "sort=name")) {
            ResponseEntity<String> refused = auditor.getForEntity("/api/audit/removals?" + wrong, String.class);
            assertThat(refused.getStatusCode()).as(wrong).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(json.readTree(refused.getBody()).get("message").asText()).as(wrong).isNotBlank();
        }

        System.out.printf("%nAUDIT WITH 10,500 REMOVALS IN HISTORY: first page %d ms, a filtered page %d ms, a detail %d ms,"
                + " the account's 10,000 in 21 pages of 500 %d ms, its CSV %d ms%n%n", firstPageMillis, filteredMillis,
                detailMillis, listMillis, csvMillis);
    }
}

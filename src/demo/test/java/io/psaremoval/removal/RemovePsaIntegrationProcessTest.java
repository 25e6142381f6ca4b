package io.psaremoval.removal;

import io.psaremoval.test.RemovalDriver;
import static io.psaremoval.camunda.RemovalVariables.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import org.camunda.community.process_test_coverage.spring_test.platform7.ProcessEngineCoverageConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;
import io.psaremoval.account.Role;
import io.psaremoval.test.AccountShape;
import io.psaremoval.test.GeneratedAccount;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Every path of {@code RemovePsaIntegration}, told as the story a user lives through in Tasklist. The
 * process runs on the real engine and PostgreSQL; the tests execute the asynchronous steps themselves.
 */
@PlatformTest
@Import({ProcessEngineCoverageConfiguration.class, CoverageSettings.class, CorruptibleSnapshotStore.class})
// A second Spring context (with the coverage plugin) in this JVM: its engine gets a name of its own, so
// that it neither replaces nor unregisters the "default" engine the other contexts' REST API looks up.
@TestPropertySource(properties = "camunda.bpm.process-engine-name=coverage")
class RemovePsaIntegrationProcessTest {

    /** A note of a no-break space and a zero-width space: not blank to Java or PostgreSQL, yet it shows nothing. */
    private static final String NOTHING_VISIBLE = "\u00a0\u200b\u00a0";

    @Autowired
    ProcessEngine engine;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    io.psaremoval.backup.SnapshotRetention retention;
    @Autowired
    io.psaremoval.audit.AuditService audit;
    @Autowired
    RemovalDriver driver;
    @Autowired
    io.psaremoval.backup.BackupService backups;
    @Autowired
    DeletionApprovals approvals;
    @Autowired
    RemovalRepository removalRepository;
    @Autowired
    RemovalSettings removalSettings;
    @Autowired
    RemovalService removalService;

    GeneratedAccount account;
    String manager;

    @BeforeEach
    void anAccountWithAPsaIntegration() {
        BpmnAwareTests.init(engine);
        givenAccount(PlatformFixtures.smallAccount());
    }

    @Test
    void managerDisconnectsAndEveryRecordStays() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);

        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DISCONNECT"));

        assertThat(removal).isWaitingAt("Task_DisconnectIntegration");
        execute(job("Task_DisconnectIntegration", removal));
        // A disconnect's chunk counts the rows it writes: 6 synced items per organization, 40 rows a chunk here.
        assertThat(((String) removal(removal).get(PROGRESS_BY_KIND)).lines()).as("organizations and the seven item kinds")
                .hasSize(8).contains("organization: 6 done, 6 left");
        driver.runJobs(removal);
        assertThat(timesPassed(removal, "Task_DisconnectIntegration")).as("one job per chunk here").isGreaterThan(1);
        assertThat(((String) removal(removal).get(PROGRESS_BY_KIND)).lines()).contains("organization: 12 done, 0 left");
        assertThat(removal).hasPassed("Task_DisconnectIntegration").isEnded()
                .hasNotPassed("Task_HardDeleteIntegration", "Task_CheckBulkDelete", "Task_CheckBackup");
        assertThat(removal).isEnded();
        assertThat(integrationStatus()).isEqualTo("DISCONNECTED");
        assertThat(outcome(removal)).isEqualTo("DISCONNECTED");
        assertThat(fixtures.count("select count(*) from organization where account_id = :p", account.accountId()))
                .isEqualTo(account.organizations());

        // In Tasklist: "running" while the chunks ran, withdrawn at the end; the outcome, per kind against the preview.
        assertThat(noticeEnds(removal)).containsEntry("RUNNING", "EndEvent_NoticeWithdrawn").containsEntry("OUTCOME", null);
        Task outcome = openNotice(removal);
        assertThat(outcome).isAssignedTo(manager);
        assertThat(outcome.getName()).isEqualTo("Removal done: " + fixtures.integrationName(account.psaIntegrationId())
                + " disconnected");
        assertThat(noticeText(outcome)).contains("| Kind | From the PSA (confirmed) | Disconnected |")
                .contains("| Organizations | 12 | 12 |").contains("nothing was deleted").doesNotContain("differs");
        engine.getTaskService().complete(outcome.getId());
        assertThat(noticeEnds(removal)).containsEntry("OUTCOME", "EndEvent_NoticeRead");
    }

    @Test
    void administratorDeletesWithRecentBackupAndRmmIsTold() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = startRemoval(administrator);
        chooseTheIntegration(removal);
        assertThat(removal).isWaitingAt("UserTask_ChooseRemovalMode");
        assertThat(task(removal)).isAssignedTo(administrator);
        assertThat(engine.getTaskService().getIdentityLinksForTask(task(removal).getId()))
                .anyMatch(link -> Role.ADMINISTRATOR.groupOf(account.accountId()).equals(link.getGroupId()));
        assertThat(removal).variables().containsEntry(PREVIEW_ORGANIZATIONS, 12L)
                .containsKey(IMPACT_REPORT).containsKey(PREVIEW_PLATFORM_ONLY_ITEMS);

        completeAs(administrator, removal, Map.of(REMOVAL_MODE, "DELETE"));
        assertThat(removal).hasPassed("Task_CheckBulkDelete", "Task_CheckBackup")
                .hasNotPassed("UserTask_ConfirmBackup").isWaitingAt("UserTask_ConfirmDeletion");

        confirmDeletion(administrator, removal);
        execute(job("Task_HardDeleteIntegration", removal)); // the first chunk: 2 organizations of 14 items
        assertThat((String) removal(removal).get(PROGRESS_BY_KIND)).as("progress per kind in Cockpit")
                .contains("organization: 2 done, 10 left").contains("configuration: ").contains("rmm device: ");
        driver.runJobs(removal); // the other chunks, then the RMM notice
        assertThat(((String) removal(removal).get(PROGRESS_BY_KIND)).lines())
                .hasSize(11).allMatch(line -> line.endsWith(" 0 left")).contains("organization: 12 done, 0 left");

        assertThat(timesPassed(removal, "Task_HardDeleteIntegration")).as("one job per chunk here").isGreaterThan(1);
        assertThat(removal).hasPassed("Task_HardDeleteIntegration", "Task_NotifyRmmUnmatching")
                .isEnded().hasPassed("EndEvent_IntegrationDeleted");
        assertThat(integrationStatus()).isEqualTo("DELETED");
        assertThat(fixtures.count("select count(*) from organization where psa_integration_id = :p",
                account.psaIntegrationId())).isZero();
        assertThat(fixtures.count("select count(*) from rmm_unmatch_notice where rmm_integration_id = :p",
                account.rmmIntegrationId())).isEqualTo(1);
        assertThat((Long) removal(removal).get(RMM_DEVICES_UNMATCHED)).isPositive();

        String text = noticeText(openNotice(removal));
        assertThat(text).contains("| Kind | Confirmed | Deleted |").contains("| Organizations | 12 | 12 |")
                .contains("| RMM devices (unmatched, not deleted) | " + removal(removal).get(RMM_DEVICES_UNMATCHED))
                .contains("**Backup:** ").contains("**RMM:** " + removal(removal).get(RMM_DEVICES_UNMATCHED)
                        + " RMM devices matched to the deleted configurations are unmatched; 1 notice");
    }

    @Test
    void deleteWithoutMatchedRmmDevicesSendsNoNotice() {
        givenAccount(new AccountShape("No RMM " + System.nanoTime(), "Autotask", 4, 1, 7, 1, 16, 1, 0, true,
                Duration.ofHours(1)));
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        confirmDeletion(manager, removal);
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDeleted").hasNotPassed("Task_NotifyRmmUnmatching");
        assertThat(removal(removal)).containsEntry(RMM_DEVICES_UNMATCHED, 0L);
        assertThat(fixtures.count("select count(*) from rmm_unmatch_notice where rmm_integration_id = :p",
                account.rmmIntegrationId())).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"EDITOR", "CREATOR", "LITE", "READ_ONLY"})
    void rolesBelowManagerAreNotPermitted(Role role) {
        String user = fixtures.username(account, role);
        ProcessInstance removal = startRemoval(user);

        // The refusal is recorded at once; the requester reads why in Tasklist, and closes the task.
        assertThat(removal).isWaitingAt("UserTask_NotPermitted").hasNotPassed("Task_FindPsaIntegrations");
        assertThat(task(removal)).isAssignedTo(user);
        assertThat(removal).variables().containsEntry(REQUESTER_ROLE, role.name()).containsEntry(REMOVAL_PERMISSION, "NONE")
                .containsEntry(OUTCOME, "NOT_PERMITTED");
        completeAs(user, removal, Map.of());
        assertThat(removal).isEnded().hasPassed("EndEvent_NotPermitted");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
    }

    @Test
    void aRefusalLeftUnreadClosesItselfAfterTheTimeout() {
        ProcessInstance removal = startRemoval(fixtures.username(account, Role.EDITOR));
        assertThat(removal).isWaitingAt("UserTask_NotPermitted");

        execute(job("BoundaryEvent_NotPermittedTimedOut", removal));

        assertThat(removal).isEnded().hasPassed("EndEvent_NotPermitted");
        assertThat(outcome(removal)).isEqualTo("NOT_PERMITTED");
    }

    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"ADMINISTRATOR", "MANAGER"})
    void managersAndAdministratorsMayRemove(Role role) {
        ProcessInstance removal = startRemoval(fixtures.username(account, role));

        assertThat(removal).isWaitingAt("UserTask_ChooseIntegration");
        assertThat(removal).variables().containsEntry(REMOVAL_PERMISSION, "DISCONNECT_OR_DELETE");
    }

    @Test
    void forgedRoleAtStartIsRefusedForAPlatformUser() {
        String editor = fixtures.username(account, Role.EDITOR);
        long before = engine.getHistoryService().createHistoricProcessInstanceQuery().count();

        assertThatThrownBy(() -> driver.asUser(editor, () -> engine.getRuntimeService().startProcessInstanceByKey(
                "RemovePsaIntegration", Map.of(REMOVAL_REASON, "forged", REQUESTER_ROLE, "ADMINISTRATOR",
                        REMOVAL_PERMISSION, "DISCONNECT_OR_DELETE", ACCOUNT_ID, account.accountId()))))
                .isInstanceOf(BadUserRequestException.class)
                .hasMessage("its start form accepts only [removalReason]; refused: [accountId, removalPermission, requesterRole].");
        assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().count()).isEqualTo(before);
    }

    @Test
    void forgedVariablesFromApplicationCodeGrantNothing() {
        // Application code may start without a signed-in user; the requester is then the initiator it names, and
        // what else it sends is removed and recorded.
        String editor = fixtures.username(account, Role.EDITOR);
        ProcessInstance removal = engine.getRuntimeService().startProcessInstanceByKey("RemovePsaIntegration",
                Map.of(INITIATOR, editor, REMOVAL_REASON, "forged", REQUESTER_ROLE, "ADMINISTRATOR",
                        REMOVAL_PERMISSION, "DISCONNECT_OR_DELETE", ACCOUNT_ID, account.accountId()));

        assertThat(removal).isWaitingAt("UserTask_NotPermitted").hasNotPassed("Task_FindPsaIntegrations");
        assertThat(removal).variables().containsEntry(REQUESTER_ROLE, "EDITOR")
                .containsEntry(IGNORED_START_VARIABLES, ACCOUNT_ID + ", " + REMOVAL_PERMISSION + ", " + REQUESTER_ROLE);
        assertThat(fixtures.count("select count(*) from security_event where kind = 'START_VARIABLES_IGNORED' and username = '"
                + editor + "' and :p = :p", 0)).isEqualTo(1);
    }

    @Test
    void unauthenticatedStartIsNotPermitted() {
        ProcessInstance removal = engine.getRuntimeService().startProcessInstanceByKey("RemovePsaIntegration");
        assertThat(removal).isWaitingAt("UserTask_NotPermitted").hasNotPassed("Task_FindPsaIntegrations");
        assertThat(removal).variables().containsEntry(REQUESTER_ROLE, RemovalService.UNKNOWN_ROLE);
    }

    @Test
    void accountWithoutPsaIntegrationHasNothingToRemove() {
        jdbc.sql("update integration set status = 'DISCONNECTED' where id = :id").param("id", account.psaIntegrationId()).update();
        ProcessInstance removal = startRemoval(manager);
        assertThat(removal).isEnded().hasPassed("EndEvent_NothingToRemove");

        // The requester reads why in Tasklist; left unread, the notice closes by itself.
        Task notice = openNotice(removal);
        assertThat(notice).isAssignedTo(manager);
        assertThat(notice.getName()).isEqualTo("Removal ended: no PSA integration to remove");
        assertThat(noticeText(notice)).contains("has no active PSA integration").contains("without changing anything");
        execute(job("BoundaryEvent_NoticeLeftUnread", engine.getRuntimeService().createProcessInstanceQuery()
                .processInstanceId(notice.getProcessInstanceId()).singleResult()));
        assertThat(noticeEnds(removal)).containsEntry("OUTCOME", "EndEvent_NoticeExpired");
    }

    @Test
    void theReasonMayWaitUntilTheIntegrationIsChosenButNoLonger() {
        ProcessInstance removal = driver.start(manager, Map.of());
        assertThat(removal).isWaitingAt("UserTask_ChooseIntegration");
        Map<String, Object> chosen = Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()), INTEGRATION_DECISION, "REMOVE");
        assertThatThrownBy(() -> completeAs(manager, removal, chosen)).rootCause()
                .hasMessage("'Choose the PSA integration' needs the reason for the removal, for your auditors.");
        Map<String, Object> invisibleReason = new HashMap<>(chosen);
        invisibleReason.put(REMOVAL_REASON, NOTHING_VISIBLE);
        assertThatThrownBy(() -> completeAs(manager, removal, invisibleReason)).as("a reason that shows nothing").rootCause()
                .hasMessage("'Choose the PSA integration' needs the reason for the removal, for your auditors.");

        Map<String, Object> withReason = new HashMap<>(chosen);
        withReason.put(REMOVAL_REASON, "  Moving to HaloPSA  ");
        completeAs(manager, removal, withReason);
        assertThat(jdbc.sql("select reason from removal where process_instance_id = :pid").param("pid", removal.getId())
                .query(String.class).single()).isEqualTo("Moving to HaloPSA");
    }

    @Test
    void integrationTakenByAnotherRemovalMeanwhileEndsAsUnavailable() {
        ProcessInstance first = startRemoval(manager);
        ProcessInstance second = startRemoval(fixtures.username(account, Role.ADMINISTRATOR));
        completeAs(manager, first, Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()), INTEGRATION_DECISION, "REMOVE"));
        completeAs(fixtures.username(account, Role.ADMINISTRATOR), second,
                Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()), INTEGRATION_DECISION, "REMOVE"));
        execute(job(first));
        execute(job(second));

        assertThat(first).isWaitingAt("UserTask_ChooseRemovalMode");
        assertThat(second).isEnded().hasPassed("EndEvent_IntegrationUnavailable");
        assertThat(integrationStatus()).isEqualTo("REMOVING");
        assertThat(openNotice(second).getName()).endsWith(" is not available");
        assertThat(noticeText(openNotice(second))).contains("could not be reserved")
                .contains(io.psaremoval.camunda.RemovalNotices.plain((String) removal(second).get(UNAVAILABLE_REASON)))
                .contains("ended without changing anything");
    }

    @Test
    void choosingAnotherAccountsOrAnRmmIntegrationIsRefused() {
        GeneratedAccount other = fixtures.create();
        ProcessInstance removal = startRemoval(manager);
        for (long foreign : new long[] {other.psaIntegrationId(), account.rmmIntegrationId(), 987654321L}) {
            assertThatThrownBy(() -> completeAs(manager, removal,
                    Map.of(INTEGRATION_ID, String.valueOf(foreign), INTEGRATION_DECISION, "REMOVE")))
                    .hasRootCauseInstanceOf(BadUserRequestException.class);
        }
        assertThat(removal).isWaitingAt("UserTask_ChooseIntegration");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
    }

    @Test
    void supportEnablesItAndTheRemovalGoesOnToTheBackup() {
        givenAccount(PlatformFixtures.smallAccount().withBulkDeleteEnabled(false));
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        assertThat(removal).isWaitingAt("UserTask_FeatureUnavailable");

        completeAs(manager, removal, Map.of(FEATURE_DECISION, "ASK_SUPPORT"));
        assertThat(removal).isWaitingAt("UserTask_EnableBulkDelete");
        assertThat(task(removal)).hasCandidateGroup("psa-support");
        Task waiting = openNotice(removal);
        assertThat(waiting).isAssignedTo(manager);
        assertThat(waiting.getName()).endsWith(" waits for support");
        assertThat(noticeText(waiting)).contains("You asked support to switch bulk delete on").contains("Nothing has been changed yet");
        completeAs("support", removal, Map.of(SUPPORT_DECISION, "ENABLE"));
        driver.runJobs(removal);
        assertThat(noticeEnds(removal)).as("closed by itself when support answered")
                .containsEntry("WAITING_FOR_SUPPORT", "EndEvent_NoticeWithdrawn");

        assertThat(removal).hasPassed("Task_EnableBulkDelete").isWaitingAt("UserTask_ConfirmDeletion");
        assertThat(fixtures.count("select count(*) from account_feature_change where account_id = :p and changed_by = 'support'",
                account.accountId())).isEqualTo(1);
    }

    @Test
    void supportDeclinesAndTheUserFallsBackToDisconnect() {
        givenAccount(PlatformFixtures.smallAccount().withBulkDeleteEnabled(false));
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        completeAs(manager, removal, Map.of(FEATURE_DECISION, "ASK_SUPPORT"));
        assertThatThrownBy(() -> completeAs("support", removal, Map.of(SUPPORT_DECISION, "DECLINE")))
                .as("declining needs a note").hasRootCauseInstanceOf(BadUserRequestException.class);
        completeAs("support", removal, Map.of(SUPPORT_DECISION, "DECLINE", SUPPORT_NOTE, "Contract does not allow it"));

        assertThat(removal).isWaitingAt("UserTask_FeatureUnavailable");
        assertThat(removal).variables().extractingByKey(SUPPORT_ANSWER).asString().contains("Contract does not allow it");
        completeAs(manager, removal, Map.of(FEATURE_DECISION, "DISCONNECT"));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("Task_DisconnectIntegration", "EndEvent_IntegrationDisconnected");
        assertThat(integrationStatus()).isEqualTo("DISCONNECTED");
    }

    @Test
    void userExportsTheAccountNow() throws java.io.IOException {
        givenAccount(PlatformFixtures.smallAccount().withLastBackupAge(Duration.ofDays(10)));
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        assertThat(removal).isWaitingAt("UserTask_ConfirmBackup");
        assertThat(removal).variables().extractingByKey(BACKUP_SUMMARY).asString().contains("newest backup");

        completeAs(manager, removal, Map.of(BACKUP_DECISION, "EXPORT_NOW"));
        driver.runJobs(removal);

        assertThat(removal).hasPassed("Task_TakeBackup").isWaitingAt("UserTask_ConfirmDeletion");
        assertThat(fixtures.count("""
                select count(*) from account_backup where account_id = :p and kind = 'PLATFORM_EXPORT'
                and size_bytes > 0 and sha256 is not null and removal_id is not null""", account.accountId())).isEqualTo(1);
        java.nio.file.Path export = java.nio.file.Path.of(jdbc.sql(
                "select location from account_backup where account_id = :a and kind = 'PLATFORM_EXPORT' and removal_id is not null")
                .param("a", account.accountId()).query(String.class).single());
        assertThat(java.nio.file.Files.getPosixFilePermissions(export)).as("the account's passwords, documents and users: "
                + "the application's user's only").isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        try (var folder = java.nio.file.Files.list(export.getParent())) {
            assertThat(folder.map(file -> file.getFileName().toString())).as("no draft left beside the export")
                    .noneMatch(name -> name.endsWith(".partial"));
        }

        // Past psa.backup.export-retention (30 days) the retention job deletes it, and its record says when and by what.
        retention.removeExpiredExports();
        assertThat(export).as("younger than its retention: kept").exists();
        jdbc.sql("update account_backup set completed_at = now() - interval '31 days' where location = :l")
                .param("l", export.toString()).update();
        retention.removeExpiredExports();
        assertThat(export).as("older, but relied on by its removal, still open (a long cooling-off, a stuck step)").exists();
        engine.getRuntimeService().deleteProcessInstance(removal.getId(), "the test ends the removal");
        assertThat(retention.removeExpiredExports()).isGreaterThanOrEqualTo(1);
        assertThat(export).doesNotExist();
        assertThat(jdbc.sql("select removed_by from account_backup where location = :l").param("l", export.toString())
                .query(String.class).single()).isEqualTo(io.psaremoval.backup.SnapshotRetention.REMOVED_BY);
        assertThat(retention.removeExpiredExports()).as("removed once").isZero();
        assertThat(audit.removal(removalId(removal), java.util.Optional.empty()).orElseThrow().timeline()).as("the audit says so")
                .anyMatch(event -> event.step().equals("export removed after its retention")
                        && io.psaremoval.backup.SnapshotRetention.REMOVED_BY.equals(event.who()));
    }

    @Test
    void userConfirmsAnExternalBackupAndItIsRecordedWithWhoAndTheTimeTheyStated() {
        givenAccount(PlatformFixtures.smallAccount().withLastBackupAge(Duration.ofDays(10)));
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(BACKUP_DECISION, "EXTERNAL")))
                .as("where the backup is must be said").hasRootCauseInstanceOf(BadUserRequestException.class);
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(BACKUP_DECISION, "EXTERNAL",
                EXTERNAL_BACKUP_NOTE, "Veeam")))
                .as("and when it was taken").hasRootCauseMessage("Give the date and time the backup elsewhere was taken.");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(BACKUP_DECISION, "EXTERNAL",
                EXTERNAL_BACKUP_NOTE, "Veeam", EXTERNAL_BACKUP_TAKEN_AT, now.plusDays(1).toString())))
                .as("not in the future").rootCause().hasMessageContaining("which is in the future");
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(BACKUP_DECISION, "EXTERNAL",
                EXTERNAL_BACKUP_NOTE, "Veeam", EXTERNAL_BACKUP_TAKEN_AT, now.minusDays(3).toString())))
                .as("nor older than a recent backup may be").rootCause()
                .hasMessage("A backup taken 3 days ago is too old for a deletion by 2 days, since a backup counts as recent "
                        + "for 1 day. Export the account now instead, or take a new backup first.");
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(BACKUP_DECISION, "EXTERNAL",
                EXTERNAL_BACKUP_NOTE, "Veeam", EXTERNAL_BACKUP_TAKEN_AT, "last night")))
                .rootCause().hasMessageContaining("'last night' is not a date and time");
        assertThat(removal).isWaitingAt("UserTask_ConfirmBackup");

        // No offset: UTC. Seconds always written (LocalDateTime.toString leaves ":00" out, once a minute).
        String stated = now.minusHours(5).format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        completeAs(manager, removal, Map.of(BACKUP_DECISION, "EXTERNAL", EXTERNAL_BACKUP_NOTE, "Veeam, last night",
                EXTERNAL_BACKUP_TAKEN_AT, stated));
        driver.runJobs(removal);

        assertThat(removal).hasPassed("Task_RecordExternalBackup").isWaitingAt("UserTask_ConfirmDeletion");
        assertThat(jdbc.sql("""
                select requested_by || ' / ' || note || ' / ' || to_char(completed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')
                from account_backup where account_id = :a and kind = 'EXTERNAL_CONFIRMED'""")
                .param("a", account.accountId()).query(String.class).single())
                .as("recorded as taken when the person said, not when they said it")
                .isEqualTo(manager + " / Veeam, last night / " + stated);
        assertThat(removal(removal).get(BACKUP_SUMMARY)).asString().contains(ImpactReport.plain("5 hours ago: recent enough"));

        // A later statement for the same removal (the first too old by the time it was checked) replaces the first.
        long removalId = (Long) removal(removal).get(REMOVAL_ID);
        backups.recordExternalBackup(account.accountId(), manager, "Veeam, again", now.minusHours(1), removalId);
        assertThat(jdbc.sql("select count(*) || ' ' || max(note) from account_backup where removal_id = :r and kind = 'EXTERNAL_CONFIRMED'")
                .param("r", removalId).query(String.class).single()).isEqualTo("1 Veeam, again");
    }

    @Test
    void aBackupConfirmedElsewhereCountsOnlyForTheRemovalItWasConfirmedFor() {
        givenAccount(PlatformFixtures.smallAccount().withLastBackupAge(Duration.ofDays(10)));
        ProcessInstance first = startRemoval(manager);
        walkToWriteStep(first, "Task_RecordExternalBackup");
        driver.runJobs(first);
        assertThat(first).hasPassed("Task_RecordExternalBackup").isWaitingAt("UserTask_ConfirmDeletion");
        completeAs(manager, first, Map.of(DELETION_DECISION, "CANCEL"));
        driver.runJobs(first);
        assertThat(first).isEnded().hasPassed("EndEvent_RemovalCancelled");

        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance second = startRemoval(administrator);
        chooseTheIntegration(second);
        completeAs(administrator, second, Map.of(REMOVAL_MODE, "DELETE"));
        assertThat(second).as("the manager's word for the first removal is no backup for this one")
                .isWaitingAt("UserTask_ConfirmBackup");
        assertThat(removal(second).get(BACKUP_SUMMARY)).asString().contains(ImpactReport.plain("10 days ago: too old"));
    }

    @Test
    void userCancelsAtTheBackupStep() {
        givenAccount(PlatformFixtures.smallAccount().withLastBackupAge(Duration.ofDays(10)));
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        completeAs(manager, removal, Map.of(BACKUP_DECISION, CANCEL));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalCancelled");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
    }

    @Test
    void wrongConfirmationTextIsRefusedAndNothingIsDeleted() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        String before = fixtures.accountChecksum(account.accountId());

        assertThatThrownBy(() -> completeAs(manager, removal,
                Map.of(DELETION_DECISION, "DELETE", CONFIRMATION_TEXT, "ConnectWise")))
                .hasRootCauseInstanceOf(BadUserRequestException.class).hasMessageContaining("does not match");

        assertThat(removal).isWaitingAt("UserTask_ConfirmDeletion");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
    }

    @Test
    void userCancelsAtTheLastStepAndTheIntegrationIsReleased() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        String before = fixtures.accountChecksum(account.accountId());
        completeAs(manager, removal, Map.of(DELETION_DECISION, CANCEL));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("Task_ReleaseAfterCancel", "EndEvent_RemovalCancelled");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
    }

    @Test
    void userCancelsWhenChoosingTheMode() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, CANCEL));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalCancelled");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
    }

    @Test
    void userCancelsBeforeChoosingAnIntegration() {
        ProcessInstance removal = startRemoval(manager);
        completeAs(manager, removal, Map.of(INTEGRATION_DECISION, CANCEL));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalCancelled").hasNotPassed("Task_ReserveIntegration");
    }

    @Test
    void userCancelsWhenTheFeatureIsUnavailable() {
        givenAccount(PlatformFixtures.smallAccount().withBulkDeleteEnabled(false));
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        completeAs(manager, removal, Map.of(FEATURE_DECISION, CANCEL));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalCancelled");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
    }

    @Test
    void aDecisionThatWasNotOfferedIsRefused() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE_EVERYTHING_NOW")))
                .hasRootCauseInstanceOf(BadUserRequestException.class);
        assertThat(removal).isWaitingAt("UserTask_ChooseRemovalMode");
    }

    @ParameterizedTest
    @ValueSource(strings = {"UserTask_ChooseIntegration", "UserTask_ChooseRemovalMode", "UserTask_FeatureUnavailable",
            "UserTask_ConfirmBackup", "UserTask_ConfirmDeletion"})
    void taskLeftUntouchedExpiresTheRemovalWithNothingChanged(String userTask) {
        givenAccount(PlatformFixtures.smallAccount()
                .withBulkDeleteEnabled(!userTask.contains("BulkDelete") && !userTask.contains("Feature"))
                .withLastBackupAge(userTask.equals("UserTask_ConfirmBackup") ? Duration.ofDays(30) : Duration.ofHours(1)));
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = startRemoval(manager);
        walkTo(removal, userTask);
        assertThat(removal).isWaitingAt(userTask);

        execute(job("BoundaryEvent_" + userTask.substring("UserTask_".length()) + "TimedOut", removal));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("Task_ReleaseAfterTimeout", "EndEvent_RemovalExpired");
        assertThat(outcome(removal)).isEqualTo("EXPIRED");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(openNotice(removal).getName()).isEqualTo("Removal expired: nothing changed");
        Map<String, String> notices = noticeEnds(removal);
        assertThat(notices).containsEntry("OUTCOME", null); // open: the requester has not read it yet
    }

    /**
     * Support's silence does not end the removal: when support's task runs out of time, the requester decides again
     * (ask again, disconnect instead, or cancel), told that support did not answer; nothing is written.
     */
    @Test
    void supportsSilenceSendsTheRequesterBackToDecide() {
        givenAccount(PlatformFixtures.smallAccount().withBulkDeleteEnabled(false));
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = startRemoval(manager);
        walkTo(removal, "UserTask_EnableBulkDelete");
        assertThat(removal).isWaitingAt("UserTask_EnableBulkDelete");

        execute(job("BoundaryEvent_EnableBulkDeleteTimedOut", removal));

        assertThat(removal).isWaitingAt("UserTask_FeatureUnavailable");
        assertThat(task(removal)).isAssignedTo(manager);
        assertThat(removal).variables().containsEntry(SUPPORT_ANSWER,
                "**Support did not answer** within 3 days: you can ask again, disconnect the integration instead, or cancel.");
        assertThat(removalStatus(removal)).isEqualTo("PENDING");
        assertThat(integrationStatus()).as("still reserved for this removal").isEqualTo("REMOVING");
        assertThat(noticeEnds(removal)).as("the notice that support was asked is withdrawn")
                .containsEntry("WAITING_FOR_SUPPORT", "EndEvent_NoticeWithdrawn");
        assertThat(engine.getRuntimeService().getVariable(removal.getId(), FEATURE_DECISION))
                .as("the earlier decision is not offered again: the person decides anew").isNull();
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of())).as("no decision, no repeat of the last one")
                .hasRootCauseInstanceOf(BadUserRequestException.class);
        completeAs(manager, removal, Map.of(FEATURE_DECISION, "ASK_SUPPORT"));
        assertThat(removal).as("asked again").isWaitingAt("UserTask_EnableBulkDelete");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Task_ReserveIntegration", "Task_TakeBackup", "Task_RecordExternalBackup",
            "Task_DisconnectIntegration", "Task_TakeScopeSnapshot", "Task_HardDeleteIntegration"})
    void aRequesterDemotedBeforeAWriteStepIsRefusedThereAndNothingIsWritten(String writeStep) {
        givenAccount(PlatformFixtures.smallAccount().withLastBackupAge(
                writeStep.contains("Backup") ? Duration.ofDays(10) : Duration.ofHours(1)));
        ProcessInstance removal = startRemoval(manager);
        walkToWriteStep(removal, writeStep);
        assertThat(removal).isWaitingAt(writeStep);
        String before = fixtures.accountChecksum(account.accountId());
        long backupsBefore = fixtures.count("select count(*) from account_backup where account_id = :p", account.accountId());

        setRole(manager, Role.EDITOR);
        execute(job(writeStep, removal));

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalRefused");
        assertThat(outcome(removal)).isEqualTo("REFUSED");
        assertThat((String) removal(removal).get(REFUSAL_REASON))
                .isEqualTo("The requester (" + manager + ") is an Editor; only a Manager or an Administrator may remove "
                        + "a PSA integration. Nothing more was written.");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(fixtures.count("select count(*) from account_backup where account_id = :p", account.accountId()))
                .isEqualTo(backupsBefore);
        assertThat(fixtures.count("select count(*) from security_event where kind = 'WRITE_STEP_REFUSED' and username = '"
                + manager + "' and :p = :p", 0)).isEqualTo(1);
        assertThat(noticeText(openNotice(removal))).as("the requester learns why it stopped")
                .contains("Removal stopped, nothing more written").contains("is an Editor; only a Manager or an Administrator");
    }

    @Test
    void anOperatorWhoDeletesARemovalWithdrawsItsNotices() {
        givenAccount(PlatformFixtures.smallAccount().withBulkDeleteEnabled(false));
        ProcessInstance removal = startRemoval(manager);
        walkTo(removal, "UserTask_EnableBulkDelete");
        assertThat(openNotice(removal).getName()).endsWith(" waits for support");

        engine.getRuntimeService().deleteProcessInstance(removal.getId(), "ended by the operator");

        assertThat(openNotice(removal)).as("nothing is waiting any more").isNull();
        assertThat(noticeEnds(removal)).containsEntry("WAITING_FOR_SUPPORT", "EndEvent_NoticeWithdrawn");
    }

    @Test
    void aRequesterPromotedBetweenStepsGoesOn() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        setRole(manager, Role.ADMINISTRATOR);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DISCONNECT"));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDisconnected");
    }

    @Test
    void aManagerDemotedDuringTheDeleteIsRefusedAtTheNextChunkAndWholeOrganizationsStay() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        confirmDeletion(manager, removal);
        execute(job("Task_HardDeleteIntegration", removal)); // the first chunk: 2 organizations
        long organizationsLeft = fixtures.count("select count(*) from organization where psa_integration_id = :p",
                account.psaIntegrationId());

        setRole(manager, Role.READ_ONLY);
        execute(job("Task_HardDeleteIntegration", removal));

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalRefused").hasNotPassed("Task_NotifyRmmUnmatching");
        assertThat(fixtures.count("select count(*) from organization where psa_integration_id = :p",
                account.psaIntegrationId())).as("nothing more deleted").isEqualTo(organizationsLeft).isEqualTo(10);
        assertThat(fixtures.count("""
                select count(*) from organization o where o.psa_integration_id = :p
                and (select count(*) from item i where i.organization_id = o.id) <> 14""", account.psaIntegrationId()))
                .as("every organization left is whole").isZero();
        assertThat(integrationStatus()).as("paused: no sync brings back what was deleted; a new removal may finish")
                .isEqualTo("PAUSED");
    }

    @Test
    void bulkDeleteSwitchedOffAfterTheConfirmationStopsTheDelete() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        confirmDeletion(manager, removal);
        jdbc.sql("update account set bulk_delete_enabled = false where id = :id").param("id", account.accountId()).update();
        String before = fixtures.accountChecksum(account.accountId());

        execute(job("Task_HardDeleteIntegration", removal));

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalRefused");
        assertThat((String) removal(removal).get(REFUSAL_REASON)).isEqualTo(
                "Bulk delete is not enabled on the account: nothing is deleted.");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
    }

    @Test
    void aSupportAgentDeactivatedBeforeBulkDeleteIsSwitchedOnIsRefused() {
        givenAccount(PlatformFixtures.smallAccount().withBulkDeleteEnabled(false));
        String agent = fixtures.createSupportAgent();
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        completeAs(manager, removal, Map.of(FEATURE_DECISION, "ASK_SUPPORT"));
        completeAs(agent, removal, Map.of(SUPPORT_DECISION, "ENABLE"));
        jdbc.sql("update platform_user set active = false where username = :u").param("u", agent).update();

        execute(job("Task_EnableBulkDelete", removal));

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalRefused");
        assertThat(fixtures.count("select count(*) from account where id = :p and bulk_delete_enabled", account.accountId()))
                .isZero();
    }

    // --- the confirmed scope is a contract ------------------------------------------------------------

    @Test
    void anItemAddedAfterTheConfirmationIsShownAndConfirmedBeforeItIsDeleted() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        confirmDeletion(manager, removal);
        long passwords = itemsInScope("PASSWORD");
        long organization = lastOrganizationInScope();
        long added = addItem(organization, "PASSWORD", null);
        String before = fixtures.accountChecksum(account.accountId());

        execute(job("Task_HardDeleteIntegration", removal));

        assertThat(removal).isWaitingAt("UserTask_ConfirmChangedDeletion").hasNotPassed("Task_NotifyRmmUnmatching");
        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing deleted before the person saw it")
                .isEqualTo(before);
        assertThat(removalStatus(removal)).isEqualTo("SCOPE_CHANGED");
        assertThat(task(removal)).isAssignedTo(manager);
        assertThat(removal).variables().containsEntry(SCOPE_NEEDS_NAME, true);
        assertThat((String) removal(removal).get(SCOPE_DIFFERENCE))
                .contains("**1** organization was added or changed").contains(ImpactReport.plain(organizationName(organization)))
                .contains("| Passwords | " + passwords + " | **" + (passwords + 1) + "** |")
                .doesNotContain("before the change was found");

        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(SCOPE_DECISION, "GO_ON", CONFIRMATION_TEXT, "Autotask")))
                .hasRootCauseInstanceOf(BadUserRequestException.class).hasMessageContaining("does not match");
        String editor = fixtures.username(account, Role.EDITOR);
        assertThatThrownBy(() -> completeAs(editor, removal, Map.of(SCOPE_DECISION, "GO_ON",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId()))))
                .as("an Editor of the account cannot confirm it for the requester").isInstanceOf(RuntimeException.class);
        setRole(manager, Role.EDITOR);
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(SCOPE_DECISION, "GO_ON",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId()))))
                .as("nor the requester once no longer a Manager").hasRootCauseInstanceOf(BadUserRequestException.class)
                .hasMessageContaining("is an Editor; only a Manager or an Administrator");
        setRole(manager, Role.MANAGER);
        assertThat(removal).isWaitingAt("UserTask_ConfirmChangedDeletion");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);

        completeAs(manager, removal, Map.of(SCOPE_DECISION, "GO_ON",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDeleted");
        assertThat(fixtures.count("select count(*) from item where id = :p", added)).as("deleted once confirmed").isZero();
        assertThat(noticeText(openNotice(removal))).as("what was confirmed, the second time, is what was deleted")
                .contains("| Passwords | " + (passwords + 1) + " | " + (passwords + 1) + " |").doesNotContain("differs");
        assertThat(jdbc.sql("select count(*) from removal_scope_round where removal_id = :id and confirmed_by = :by")
                .param("id", removalId(removal)).param("by", manager).query(Long.class).single())
                .as("the second round, confirmed by the manager").isEqualTo(1);
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        assertThat(jdbc.sql("select count(*) from account_backup where kind = 'SCOPE_SNAPSHOT' and removal_id = :id")
                .param("id", removalId(removal)).query(Long.class).single()).as("a snapshot of each round").isEqualTo(2);
        ProcessInstance restore = restoreWholly(administrator, snapshotOfRound(removal, 2));
        assertThat(restore).hasPassed("EndEvent_Restored");
        assertThat(fixtures.accountChecksum(account.accountId()))
                .as("everything back, the item added before the second round included").isEqualTo(before);
    }

    @Test
    void aDeleteStoppedPartWayGetsBackWhatItDeletedAndNothingOfWhatItLeftInPlace() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        linkTheFirstAndLastOrganizationsInScope();
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        confirmDeletion(manager, removal);
        execute(job("Task_HardDeleteIntegration", removal)); // the first chunk
        assertTheLinksAcrossTheScopeWentWithTheFirstChunk();
        long added = addItem(lastOrganizationInScope(), "CONFIGURATION", "late-" + System.nanoTime());
        driver.runJobs(removal);
        assertThat(removal).isWaitingAt("UserTask_ConfirmChangedDeletion");
        completeAs(manager, removal, Map.of(SCOPE_DECISION, CANCEL));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalCancelled");
        long left = organizationsInScope();
        long deleted = jdbc.sql("select count(*) from removal_deleted_organization where removal_id = :id")
                .param("id", removalId(removal)).query(Long.class).single();
        assertThat(deleted).as("every organization deleted is on record").isEqualTo(12 - left).isPositive();
        // What the delete left in place goes on living: someone renames an item of it after the stop.
        long renamed = jdbc.sql("select min(id) from item where organization_id = :o").param("o", lastOrganizationInScope())
                .query(Long.class).single();
        String name = jdbc.sql("select name from item where id = :id").param("id", renamed).query(String.class).single();
        jdbc.sql("update item set name = 'Renamed after the stop' where id = :id").param("id", renamed).update();

        // A record that does not add up to what the removal counted deleted (a delete under way when V20 was deployed)
        // would give back only part of it: not offered.
        String firstRecord = "select min(organization_id) from removal_deleted_organization where removal_id = :id";
        long unrecorded = jdbc.sql(firstRecord).param("id", removalId(removal)).query(Long.class).single();
        jdbc.sql("delete from removal_deleted_organization where removal_id = :id and organization_id = :o")
                .param("id", removalId(removal)).param("o", unrecorded).update();
        assertThat(startRestoreRefused(administrator)).isNull();
        jdbc.sql("insert into removal_deleted_organization (removal_id, organization_id, scope_round) values (:id, :o, 1)")
                .param("id", removalId(removal)).param("o", unrecorded).update();

        ProcessInstance restore = startRestore(administrator);
        org.camunda.spin.json.SpinJsonNode options = (org.camunda.spin.json.SpinJsonNode) removal(restore).get("snapshotOptions");
        assertThat(options.elements().get(0).prop("label").stringValue()).contains(deleted + " organizations (stopped part-way)");
        completeAs(administrator, restore, Map.of("snapshotId", String.valueOf(snapshotOf(removal)), "restoreDecision", "RESTORE"));
        driver.runJobs(restore);
        assertThat((String) removal(restore).get("restoreReport")).contains("stopped part-way (cancelled)")
                .contains("| Organizations | " + deleted + " |").contains("is paused and stays so");
        completeAs(administrator, restore, Map.of("restoreConfirmation", "RESTORE"));
        driver.runJobs(restore);

        assertThat(restore).isEnded().hasPassed("EndEvent_Restored");
        assertThat(organizationsInScope()).isEqualTo(12);
        assertThat(jdbc.sql("select name from item where id = :id").param("id", renamed).query(String.class).single())
                .as("a row the delete left in place is not overwritten by the snapshot").isEqualTo("Renamed after the stop");
        jdbc.sql("update item set name = :n where id = :id").param("n", name).param("id", renamed).update();
        jdbc.sql("delete from item where id = :id").param("id", added).update();
        assertThat(fixtures.accountChecksum(account.accountId())).as("otherwise every row back exactly").isEqualTo(before);
        assertThat(integrationStatus()).isEqualTo("PAUSED");
        assertThat(startRestoreRefused(administrator)).as("restored once").isNull();
    }

    @Test
    void aDeleteUnderTwoRoundsOfItsScopeIsRestoredFromTheSnapshotOfEachRound() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        linkTheFirstAndLastOrganizationsInScope(); // rows deleted with the first round that point into the second
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        confirmDeletion(manager, removal);
        execute(job("Task_HardDeleteIntegration", removal)); // the first chunk, under round 1
        assertTheLinksAcrossTheScopeWentWithTheFirstChunk();
        long added = addItem(lastOrganizationInScope(), "CONFIGURATION", "late-" + System.nanoTime());
        driver.runJobs(removal);
        completeAs(manager, removal, Map.of(SCOPE_DECISION, "GO_ON",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDeleted");
        assertThat(jdbc.sql("""
                select string_agg(scope_round || ':' || n, ' ' order by scope_round) from (
                    select scope_round, count(*) as n from removal_deleted_organization where removal_id = :id
                    group by scope_round) r""").param("id", removalId(removal)).query(String.class).single())
                .as("organizations deleted under each round").matches("1:\\d+ 2:\\d+");

        ProcessInstance restore = startRestore(administrator);
        org.camunda.spin.json.SpinJsonNode options = (org.camunda.spin.json.SpinJsonNode) removal(restore).get("snapshotOptions");
        assertThat(options.elements()).hasSize(1);
        assertThat(options.elements().get(0).prop("value").stringValue()).isEqualTo(String.valueOf(snapshotOfRound(removal, 2)));
        assertThat(options.elements().get(0).prop("label").stringValue()).contains("12 organizations")
                .contains("2 snapshots, one per round of its scope");
        assertThatThrownBy(() -> completeAs(administrator, restore, Map.of("snapshotId",
                String.valueOf(snapshotOfRound(removal, 1)), "restoreDecision", "RESTORE")))
                .as("the first round's snapshot alone would bring back only part of it")
                .hasMessageContaining("its deletion is restored by the snapshot of round 2");
        completeAs(administrator, restore, Map.of("snapshotId", String.valueOf(snapshotOfRound(removal, 2)),
                "restoreDecision", "RESTORE"));
        driver.runJobs(restore);
        assertThat((String) removal(restore).get("restoreReport")).contains("under 2 rounds of its confirmed scope")
                .contains("| Organizations | 12 |").contains("comes back **paused**");
        completeAs(administrator, restore, Map.of("restoreConfirmation", "RESTORE"));
        driver.runJobs(restore);

        assertThat(restore).isEnded().hasPassed("EndEvent_Restored");
        assertThat(fixtures.count("select count(*) from item where id = :p", added))
                .as("the item added before the second round comes back from that round's snapshot").isEqualTo(1);
        jdbc.sql("delete from item where id = :id").param("id", added).update();
        assertThat(fixtures.accountChecksum(account.accountId())).as("every row back exactly").isEqualTo(before);
        assertThat(integrationStatus()).isEqualTo("PAUSED");
    }

    @ParameterizedTest
    @EnumSource(RemovalMode.class)
    void aChangeFoundBetweenChunksStopsBeforeItAndTheRequesterMayCancel(RemovalMode mode) {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, mode.name()));
        String step = mode == RemovalMode.DELETE ? "Task_HardDeleteIntegration" : "Task_DisconnectIntegration";
        if (mode == RemovalMode.DELETE) {
            confirmDeletion(manager, removal);
        }
        execute(job(step, removal)); // the first chunk
        assertThat(organizationsInScope()).isBetween(1L, 11L);
        // A sync that paid no heed to the reservation: one more item from the PSA in the last organization to do.
        long last = lastOrganizationInScope();
        long added = addItem(last, "CONFIGURATION", "late-" + System.nanoTime());
        long itemsOfLast = fixtures.count("select count(*) from item where organization_id = :p", last);

        driver.runJobs(removal); // chunk after chunk, up to the organization that changed

        String task = mode == RemovalMode.DELETE ? "UserTask_ConfirmChangedDeletion" : "UserTask_ConfirmChangedDisconnect";
        assertThat(removal).isWaitingAt(task);
        long left = organizationsInScope();
        assertThat(left).as("the chunk with the changed organization, untouched").isBetween(1L, 11L);
        assertThat(fixtures.count("select count(*) from item where organization_id = :p", last)).isEqualTo(itemsOfLast);
        assertThat((String) removal(removal).get(SCOPE_DIFFERENCE))
                .contains("**" + (12 - left) + "** organizations were " + (mode == RemovalMode.DELETE ? "deleted" : "disconnected")
                        + " before the change was found");
        String before = fixtures.accountChecksum(account.accountId());

        completeAs(manager, removal, Map.of(SCOPE_DECISION, CANCEL));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalCancelled");
        assertThat(outcome(removal)).isEqualTo("CANCELLED");
        assertThat(integrationStatus()).as("paused: part of it was written").isEqualTo("PAUSED");
        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing more written").isEqualTo(before);
        assertThat(fixtures.count("select count(*) from item where id = :p and psa_external_id is not null", added))
                .as("the item added after the confirmation is never lost, nor unlinked unseen").isEqualTo(1);
    }

    @Test
    void anOrganizationLinkedAfterThePreviewIsDisconnectedOnlyOnceConfirmed() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        long late = jdbc.sql("""
                insert into organization (account_id, name, psa_integration_id, psa_kind, psa_external_id, psa_linked_at)
                values (:a, 'Late Arrival Ltd', :psa, 'PSA', 'late-arrival', now()) returning id""")
                .param("a", account.accountId()).param("psa", account.psaIntegrationId()).query(Long.class).single();
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DISCONNECT"));

        execute(job("Task_DisconnectIntegration", removal));

        assertThat(removal).isWaitingAt("UserTask_ConfirmChangedDisconnect");
        assertThat(organizationsInScope()).as("nothing disconnected").isEqualTo(13);
        assertThat(removal).variables().containsEntry(SCOPE_NEEDS_NAME, false);
        assertThat((String) removal(removal).get(SCOPE_DIFFERENCE)).contains("Late Arrival Ltd")
                .contains("| Organizations | 12 | **13** |");

        completeAs(manager, removal, Map.of(SCOPE_DECISION, "GO_ON"));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDisconnected");
        assertThat(organizationsInScope()).isZero();
        assertThat(fixtures.count("select count(*) from organization where id = :p", late)).as("kept, stand-alone").isEqualTo(1);
        assertThat(noticeText(openNotice(removal))).contains("| Organizations | 13 | 13 |").doesNotContain("differs");
    }

    @ParameterizedTest
    @EnumSource(RemovalMode.class)
    void aChangedScopeLeftUnconfirmedExpiresWithNothingMoreWritten(RemovalMode mode) {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, mode.name()));
        if (mode == RemovalMode.DELETE) {
            confirmDeletion(manager, removal);
        }
        addItem(lastOrganizationInScope(), "CONTACT", "late-" + System.nanoTime());
        String before = fixtures.accountChecksum(account.accountId());
        driver.runJobs(removal);
        String changed = mode == RemovalMode.DELETE ? "ChangedDeletion" : "ChangedDisconnect";
        assertThat(removal).isWaitingAt("UserTask_Confirm" + changed);
        assertThat(noticeEnds(removal)).as("nothing runs while it waits for the person: the running notice is withdrawn")
                .containsEntry("RUNNING", "EndEvent_NoticeWithdrawn");

        execute(job("BoundaryEvent_Confirm" + changed + "TimedOut", removal));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalExpired");
        assertThat(outcome(removal)).isEqualTo("EXPIRED");
        assertThat(integrationStatus()).as("nothing was written: released as it was").isEqualTo("ACTIVE");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(openNotice(removal).getName()).isEqualTo("Removal expired: nothing changed");
    }

    @Test
    void aChangedScopeCannotBeConfirmedWhenTheRemovalIsNotWaitingForIt() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        confirmDeletion(manager, removal);
        // An operator's modification puts a token on the task although nothing changed: the removal is CONFIRMED.
        engine.getRuntimeService().createProcessInstanceModification(removal.getId())
                .startBeforeActivity("UserTask_ConfirmChangedDeletion").execute();
        Task forged = engine.getTaskService().createTaskQuery().processInstanceId(removal.getId())
                .taskDefinitionKey("UserTask_ConfirmChangedDeletion").singleResult();

        assertThatThrownBy(() -> driver.asUser(manager, () -> {
            engine.getTaskService().complete(forged.getId(), Map.of(SCOPE_DECISION, "GO_ON",
                    CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));
            return null;
        })).hasRootCauseInstanceOf(BadUserRequestException.class)
                .hasMessageContaining("is not waiting for a changed scope to be confirmed: it is confirmed");
        assertThat(removalStatus(removal)).isEqualTo("CONFIRMED");
        assertThat(jdbc.sql("select scope_round from removal where id = :id").param("id", removalId(removal))
                .query(Integer.class).single()).as("the preview's round stays the contract").isEqualTo(1);
    }

    // --- a verified snapshot before anything is deleted -------------------------------------------------

    @Test
    void aSnapshotThatFailsItsVerificationDeletesNothingAndSaysWhy() throws Exception {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        typeTheName(manager, removal);
        String before = fixtures.accountChecksum(account.accountId());

        java.util.Set<String> storedBefore = storedSnapshots();
        CorruptibleSnapshotStore.corruptReads.set(true);
        try {
            assertThatThrownBy(() -> execute(job("Task_TakeScopeSnapshot", removal)))
                    .hasMessageContaining("failed its verification, so nothing is deleted");
        } finally {
            CorruptibleSnapshotStore.corruptReads.set(false);
        }

        assertThat(removal).isWaitingAt("Task_TakeScopeSnapshot");
        assertThat(job("Task_TakeScopeSnapshot", removal).getRetries()).as("retried on the back-off (R5)").isEqualTo(4);
        assertThat(storedSnapshots()).as("the snapshot that failed its verification is not kept").isEqualTo(storedBefore);
        assertThat(fixtures.count("select count(*) from account_backup where kind = 'SCOPE_SNAPSHOT' and removal_id = :p",
                removalId(removal))).as("nothing counts as a snapshot").isZero();
        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing deleted").isEqualTo(before);
        assertThat(removalStatus(removal)).isEqualTo("CONFIRMED");

        execute(job("Task_TakeScopeSnapshot", removal)); // the store reads back what was written again
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDeleted");
        assertThat(noticeText(openNotice(removal))).contains("**Snapshot:** a verified snapshot of this removal's scope");
    }

    @Test
    void theDeleteRefusesToStartWithoutAVerifiedSnapshot() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        confirmDeletion(manager, removal);
        String before = fixtures.accountChecksum(account.accountId());
        // The snapshot is gone (say, an operator removed it by hand) before the first chunk.
        jdbc.sql("update account_backup set removed_at = now(), removed_by = 'test' where kind = 'SCOPE_SNAPSHOT' and removal_id = :id")
                .param("id", removalId(removal)).update();

        execute(job("Task_HardDeleteIntegration", removal));

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalRefused");
        assertThat((String) removal(removal).get(REFUSAL_REASON)).startsWith("Nothing is deleted: removal ")
                .endsWith(" has no verified snapshot of its confirmed scope (round 1).");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
    }

    // --- four eyes: a second Administrator approves a hard delete -----------------------------------------

    @Test
    void aSecondAdministratorApprovesWhenTheAccountAsksAndTheRequesterCannotApproveTheirOwn() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String second = fixtures.createUser(account, Role.ADMINISTRATOR);
        assertThat(approvals.setPolicy(account.accountId(), true, administrator, "Four eyes on every delete"))
                .isEqualTo(RemovalPolicy.Change.CHANGED);
        ProcessInstance removal = startRemoval(administrator);
        chooseTheIntegration(removal);
        completeAs(administrator, removal, Map.of(REMOVAL_MODE, "DELETE"));
        typeTheName(administrator, removal);
        String before = fixtures.accountChecksum(account.accountId());

        assertThat(removal).hasPassed("Task_CheckApproval").isWaitingAt("UserTask_ApproveDeletion")
                .hasNotPassed("Task_TakeScopeSnapshot");
        Task approval = task("UserTask_ApproveDeletion", removal);
        assertThat(approval.getName()).isEqualTo("Approve the deletion of " + fixtures.integrationName(account.psaIntegrationId()));
        assertThat(approval.getAssignee()).as("offered to the account's Administrators").isNull();
        assertThat(engine.getTaskService().getIdentityLinksForTask(approval.getId()))
                .anyMatch(link -> Role.ADMINISTRATOR.groupOf(account.accountId()).equals(link.getGroupId()));
        assertThat((String) removal(removal).get(APPROVAL_REASON))
                .isEqualTo("The account's removal policy asks a second Administrator to approve every hard delete.");
        assertThat((String) removal(removal).get(APPROVAL_SUMMARY)).contains("| Organizations | 12 |");
        assertThat((String) removal(removal).get(APPROVERS)).startsWith("Second Administrator");
        Task waiting = driver.openTask(removal, true);
        assertThat(waiting.getAssignee()).as("the requester's own task beside the approval").isEqualTo(administrator);
        assertThat(waiting.getName()).isEqualTo("Removal of " + fixtures.integrationName(account.psaIntegrationId())
                + " waits for a second Administrator");
        assertThat((String) engine.getTaskService().getVariableLocal(waiting.getId(), "approvalWaitText"))
                .contains("deletes nothing").contains("Second Administrator");
        assertThat(noticeEnds(removal)).as("told by that task, not by a notice").doesNotContainKey("WAITING_FOR_APPROVAL")
                .as("it does not run yet").doesNotContainKey("RUNNING");

        assertThatThrownBy(() -> completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "APPROVE")))
                .as("the requester cannot even take the task").hasRootCauseInstanceOf(BadUserRequestException.class)
                .hasMessageContaining("asked for this removal or confirmed it: a second Administrator approves it");
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(APPROVAL_DECISION, "APPROVE")))
                .as("nor a Manager, who is not offered it").isInstanceOf(RuntimeException.class);
        assertThat(task("UserTask_ApproveDeletion", removal).getAssignee()).isNull();
        assertThat(approvalDecisions(removal)).containsExactly("1: undecided");

        completeAs(second, removal, Map.of(APPROVAL_DECISION, "APPROVE"));

        assertThat(removal).hasPassed("EndEvent_ApprovalDecided").isWaitingAt("Task_TakeScopeSnapshot");
        assertThat(cancelledUnfinished(removal, "UserTask_WithdrawDeletion")).as("the decision closes the requester's task")
                .isTrue();
        assertThatThrownBy(() -> approvals.withdraw(removal.getId(), "Too late?", administrator))
                .isInstanceOf(RemovalInputException.class).hasMessageContaining("was approved already, by " + second);
        assertThat(noticeEnds(removal)).containsEntry("RUNNING", null);
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        execute(job("Task_TakeScopeSnapshot", removal));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("UserTask_ApproveDeletion", "EndEvent_IntegrationDeleted");
        assertThat(approvalDecisions(removal)).containsExactly("1: APPROVED by " + second);
    }

    @Test
    void aRefusedDeletionEndsWithNothingDeletedAndTheRequesterLearnsWhy() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = aManagersDeletionUnderFourEyes(administrator);

        assertThatThrownBy(() -> completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "REFUSE")))
                .hasRootCauseInstanceOf(BadUserRequestException.class).hasMessageContaining("Say why you refuse");
        assertThatThrownBy(() -> completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "REFUSE",
                APPROVAL_NOTE, NOTHING_VISIBLE))).as("a note that shows nothing")
                .hasRootCauseInstanceOf(BadUserRequestException.class).hasMessageContaining("Say why you refuse");
        completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "REFUSE",
                APPROVAL_NOTE, "Not before the contract with the new PSA is signed"));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("Task_ReleaseAfterRefusal", "EndEvent_DeletionNotApproved")
                .hasNotPassed("Task_TakeScopeSnapshot", "Task_HardDeleteIntegration");
        assertThat(outcome(removal)).isEqualTo("NOT_APPROVED");
        assertThat(removalStatus(removal)).isEqualTo("NOT_APPROVED");
        assertThat(integrationStatus()).as("released as it was").isEqualTo("ACTIVE");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        Task notice = openNotice(removal);
        assertThat(notice.getName()).isEqualTo("Removal not approved: " + fixtures.integrationName(account.psaIntegrationId()));
        assertThat(noticeText(notice)).contains(administrator + " refused\\: Not before the contract with the new PSA is signed") // Markdown, escaped
                .contains("ended before anything was deleted");
        assertThat(approvalDecisions(removal)).containsExactly("1: REFUSED by " + administrator);
    }

    @Test
    void aDeletionLargerThanTheThresholdNeedsApprovalWhateverThePolicy() {
        givenAccount(new AccountShape("Large " + System.nanoTime(), "HaloPSA", 501, 1, 1, 0, 16, 0, 0, true,
                Duration.ofHours(1)));
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        assertThat(approvals.policy(account.accountId()).deletionApprovalRequired()).isFalse();
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        typeTheName(manager, removal);

        assertThat(removal).isWaitingAt("UserTask_ApproveDeletion");
        assertThat((String) removal(removal).get(APPROVAL_REASON))
                .isEqualTo("It deletes 501 organizations, more than the 500 one person may delete alone.");
        completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "APPROVE"));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDeleted");
        assertThat(fixtures.count("select count(*) from organization where psa_integration_id = :p",
                account.psaIntegrationId())).isZero();
    }

    @Test
    void anApprovalLeftUndecidedExpiresWithNothingDeletedAndItsApproversAreTold() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        approvals.setPolicy(account.accountId(), true, administrator, null);
        String secondAdministrator = fixtures.createUser(account, Role.ADMINISTRATOR);
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        typeTheName(manager, removal);

        execute(job("BoundaryEvent_ApproveDeletionTimedOut", removal));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_ApproveDeletionExpired", "EndEvent_RemovalExpired");
        assertThat(outcome(removal)).isEqualTo("EXPIRED");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(cancelledUnfinished(removal, "UserTask_WithdrawDeletion")).as("the requester's task closed with the approval")
                .isTrue();
        assertThat(cancelledUnfinished(removal, "UserTask_ApproveDeletion")).as("the approval left undecided").isTrue();
        assertThat(approvalDecisions(removal)).containsExactly("1: undecided");
        assertThat(noticeEnds(removal)).as("the requester learns the outcome, each Administrator asked to approve why"
                        + " the approval task is gone").containsOnlyKeys("OUTCOME", "APPROVAL_EXPIRED " + administrator,
                "APPROVAL_EXPIRED " + secondAdministrator);
        String name = fixtures.integrationName(account.psaIntegrationId());
        for (String approver : List.of(administrator, secondAdministrator)) {
            Task told = engine.getTaskService().createTaskQuery().processDefinitionKey("RemovalNotice")
                    .processInstanceBusinessKey(businessKey(removal)).taskAssignee(approver).singleResult();
            assertThat(told.getName()).isEqualTo("Approval no longer needed: the deletion of " + name + " expired undecided");
            assertThat(noticeText(told)).contains("Nobody approved or refused removal " + businessKey(removal))
                    .contains("asked for by " + manager).contains("Nothing was deleted, and " + name + " is released as it was.")
                    .contains("the approval task is closed");
        }
    }

    @Test
    void aChangedScopeWhoseApprovalExpiresTellsItsApproversThatNothingMoreWasDeleted() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = aChangedScopeWaitingForApprovalAfterAChunk(administrator);
        String before = fixtures.accountChecksum(account.accountId());

        execute(job("BoundaryEvent_ApproveDeletionTimedOut", removal));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_ApproveDeletionExpired", "EndEvent_RemovalExpired");
        assertThat(integrationStatus()).as("paused: part of it was deleted").isEqualTo("PAUSED");
        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing more deleted").isEqualTo(before);
        assertThat(approvalDecisions(removal)).containsExactly("1: APPROVED by " + administrator, "2: undecided");
        Task told = engine.getTaskService().createTaskQuery().processDefinitionKey("RemovalNotice")
                .processInstanceBusinessKey(businessKey(removal)).taskAssignee(administrator).singleResult();
        assertThat(noticeText(told)).contains("Nothing more was deleted; " + fixtures.integrationName(account.psaIntegrationId())
                + " is paused, and what an earlier round of the removal deleted stays deleted.");
    }

    @Test
    void theRequesterWithdrawsADeletionThatWaitsForApprovalAndNothingIsDeleted() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = aManagersDeletionUnderFourEyes(administrator);
        String secondAdministrator = fixtures.createUser(account, Role.ADMINISTRATOR);
        String formerAdministrator = fixtures.createUser(account, Role.ADMINISTRATOR);
        jdbc.sql("update platform_user set active = false where username = :u").param("u", formerAdministrator).update();
        Task waiting = driver.openTask(removal, true);
        assertThat(waiting.getAssignee()).isEqualTo(manager);

        assertThatThrownBy(() -> driver.withdraw(manager, removal, " "))
                .hasRootCauseInstanceOf(BadUserRequestException.class).hasMessageContaining("Say why you withdraw");
        assertThatThrownBy(() -> driver.withdraw(manager, removal, NOTHING_VISIBLE)).as("a note that shows nothing")
                .hasRootCauseInstanceOf(BadUserRequestException.class).hasMessageContaining("Say why you withdraw");
        assertThatThrownBy(() -> approvals.withdraw(removal.getId(), "Not mine to withdraw", administrator))
                .as("an Administrator refuses it in the approval; only the requester withdraws")
                .isInstanceOf(RemovalInputException.class).hasMessageContaining("Only " + manager + ", who asked for removal");
        assertThat(approvalDecisions(removal)).containsExactly("1: undecided");

        driver.withdraw(manager, removal, "Wrong integration: we keep Autotask");
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("UserTask_WithdrawDeletion", "EndEvent_DeletionWithdrawn",
                "EndEvent_RemovalCancelled").hasNotPassed("EndEvent_ApprovalDecided", "Task_TakeScopeSnapshot");
        assertThat(cancelledUnfinished(removal, "UserTask_ApproveDeletion")).as("the approval closed with it").isTrue();
        assertThat(outcome(removal)).isEqualTo("CANCELLED");
        assertThat(removalStatus(removal)).isEqualTo("CANCELLED");
        assertThat(jdbc.sql("select outcome_reason from removal where process_instance_id = :pid")
                .param("pid", removal.getId()).query(String.class).single())
                .isEqualTo("Withdrawn by " + manager + " while it waited for a second Administrator's approval:"
                        + " Wrong integration: we keep Autotask");
        assertThat(approvalDecisions(removal)).containsExactly("1: WITHDRAWN by " + manager);
        assertThat(integrationStatus()).as("released as it was").isEqualTo("ACTIVE");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).count())
                .as("the approval closed with it").isZero();
        assertThat(noticeEnds(removal)).as("the requester withdrew it: no notice tells them").doesNotContainKey("OUTCOME")
                .containsEntry("APPROVAL_WITHDRAWN " + administrator, null)
                .containsEntry("APPROVAL_WITHDRAWN " + secondAdministrator, null)
                .as("no notice to the inactive Administrator, none to the requester").hasSize(2);
        for (String approver : List.of(administrator, secondAdministrator)) {
            Task told = engine.getTaskService().createTaskQuery().processDefinitionKey("RemovalNotice")
                    .processInstanceBusinessKey(businessKey(removal)).taskAssignee(approver).singleResult();
            assertThat(told.getName()).as("each Administrator asked to approve it learns why the approval is gone")
                    .isEqualTo("Approval no longer needed: " + manager + " withdrew the deletion of "
                            + fixtures.integrationName(account.psaIntegrationId()));
            assertThat(noticeText(told)).contains(manager + " withdrew removal " + businessKey(removal))
                    .contains(": " + ImpactReport.plain("Wrong integration: we keep Autotask"))
                    .contains("Nothing was deleted, and " + fixtures.integrationName(account.psaIntegrationId())
                            + " is released as it was.")
                    .contains("the approval task is closed");
        }
        assertThatThrownBy(() -> approvals.decide(removal.getId(), true, null, administrator))
                .as("an approval after the withdrawal, straight at the service").isInstanceOf(RemovalInputException.class)
                .hasMessageContaining("is not waiting for a second approval: it is cancelled");
        assertThatThrownBy(() -> approvals.withdraw(removal.getId(), "Again", manager))
                .as("a repeated withdrawal").isInstanceOf(RemovalInputException.class)
                .hasMessageContaining("is not waiting for a second approval");
    }

    @Test
    void aChangedScopeIsApprovedAgainAndThePolicySwitchedOffSparesNoConfirmedRemoval() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String second = fixtures.createUser(account, Role.ADMINISTRATOR);
        ProcessInstance removal = aManagersDeletionUnderFourEyes(administrator);
        assertThat(approvals.setPolicy(account.accountId(), false, administrator, "Too slow for us"))
                .as("one Administrator alone does not switch four eyes off").isEqualTo(RemovalPolicy.Change.OFF_REQUESTED);
        assertThat(approvals.setPolicy(account.accountId(), false, second, "Agreed")).isEqualTo(RemovalPolicy.Change.CHANGED);
        assertThat(approvals.policy(account.accountId()).deletionApprovalRequired()).isFalse();
        completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "APPROVE"));
        execute(job("Task_TakeScopeSnapshot", removal));
        long added = addItem(lastOrganizationInScope(), "DOCUMENT", null);

        execute(job("Task_HardDeleteIntegration", removal));
        assertThat(removal).isWaitingAt("UserTask_ConfirmChangedDeletion");
        completeAs(manager, removal, Map.of(SCOPE_DECISION, "GO_ON",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));

        assertThat(removal).as("the policy as it was when the deletion was confirmed: round 2 is approved again")
                .isWaitingAt("UserTask_ApproveDeletion");
        assertThat(approvalDecisions(removal)).containsExactly("1: APPROVED by " + administrator, "2: undecided");
        assertThat(removal(removal)).as("round 1's decision is not round 2's").doesNotContainKey(APPROVAL_DECISION);
        completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "APPROVE"));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDeleted");
        assertThat(fixtures.count("select count(*) from item where id = :p", added)).isZero();
    }

    @Test
    void aRefusedChangedScopeKeepsWhatWasDeletedAndPausesTheIntegration() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = aChangedScopeWaitingForApprovalAfterAChunk(administrator);
        String before = fixtures.accountChecksum(account.accountId());

        completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "REFUSE", APPROVAL_NOTE, "Not the new servers"));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_DeletionNotApproved");
        assertThat(integrationStatus()).as("paused: part of it was deleted").isEqualTo("PAUSED");
        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing more deleted").isEqualTo(before);
        assertThat(noticeText(openNotice(removal))).contains(ImpactReport.plain(administrator + " refused: Not the new servers"))
                .contains("stays deleted").contains("| Organizations | ");
        assertThat(approvalDecisions(removal)).containsExactly("1: APPROVED by " + administrator,
                "2: REFUSED by " + administrator);
    }

    @Test
    void aChangedScopeWithdrawnKeepsWhatWasDeletedAndPausesTheIntegration() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = aChangedScopeWaitingForApprovalAfterAChunk(administrator);
        String before = fixtures.accountChecksum(account.accountId());
        assertThat((String) engine.getTaskService().getVariableLocal(driver.openTask(removal, true).getId(),
                "approvalWaitText")).as("round 2: some of it is deleted already").contains("deletes nothing more of");

        driver.withdraw(manager, removal, "Not the new servers after all");
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_DeletionWithdrawn", "EndEvent_RemovalCancelled");
        assertThat(cancelledUnfinished(removal, "UserTask_ApproveDeletion")).isTrue();
        assertThat(removalStatus(removal)).isEqualTo("CANCELLED");
        assertThat(integrationStatus()).as("paused: part of it was deleted").isEqualTo("PAUSED");
        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing more deleted").isEqualTo(before);
        assertThat(approvalDecisions(removal)).containsExactly("1: APPROVED by " + administrator,
                "2: WITHDRAWN by " + manager);
        Task told = openNotice(removal);
        assertThat(told.getAssignee()).isEqualTo(administrator);
        assertThat(noticeText(told)).contains(": Not the new servers after all").contains("Nothing more was deleted; "
                + fixtures.integrationName(account.psaIntegrationId()) + " is paused, and what an earlier round of the"
                + " removal deleted stays deleted.");
    }

    /**
     * The approver approves while the requester withdraws, at the same instant: exactly one of them wins, the removal is
     * in the state of the one that won, and the other is refused in words (the decision found) or by the engine's
     * optimistic locking (the process instance moved on), nothing else.
     */
    @Test
    void anApprovalAndAWithdrawalAtOnceEndInTheStateOfTheOneThatWon() throws Exception {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = aManagersDeletionUnderFourEyes(administrator);
        String approval = driver.openTask(removal, false).getId();
        String withdrawal = driver.openTask(removal, true).getId();
        engine.getTaskService().claim(approval, administrator);
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<RuntimeException> approved = two.submit(() -> completedAtOnce(together, administrator,
                    approval, Map.of(APPROVAL_DECISION, "APPROVE")));
            Future<RuntimeException> withdrawn = two.submit(() -> completedAtOnce(together, manager,
                    withdrawal, Map.of(WITHDRAW_DECISION, "WITHDRAW", WITHDRAW_NOTE, "Changed my mind")));
            RuntimeException approvalRefused = approved.get(60, TimeUnit.SECONDS);
            RuntimeException withdrawalRefused = withdrawn.get(60, TimeUnit.SECONDS);

            assertThat(approvalRefused == null ^ withdrawalRefused == null)
                    .as("exactly one wins (approval refused: %s; withdrawal refused: %s)", approvalRefused, withdrawalRefused)
                    .isTrue();
            RuntimeException lost = approvalRefused != null ? approvalRefused : withdrawalRefused;
            String lostTask = approvalRefused != null ? approval : withdrawal;
            System.out.printf("RACE: the %s lost: %s%n", approvalRefused != null ? "approval" : "withdrawal", lost);
            // The loser reads a sentence: the rule's, when the winner committed before the loser's decision was
            // checked; the guard's, when before the loser's command began; else that its task closed meanwhile (the
            // engine's collision: a locking failure, or the task and its assignee's permission gone, said in words).
            assertThat(lost).as("%s", lost).satisfiesAnyOf(
                    refused -> assertThat(refused).hasRootCauseInstanceOf(BadUserRequestException.class)
                            .rootCause().message().containsAnyOf("already, by", "is not waiting for a second approval"),
                    refused -> assertThat(refused).isInstanceOf(org.camunda.bpm.engine.exception.NotFoundException.class)
                            .message().containsAnyOf("was closed while you were completing it", "is not open"));
            assertThat(engine.getTaskService().createTaskQuery().taskId(lostTask).count()).as("the loser's task is gone")
                    .isZero();
            driver.runJobs(removal);
            if (withdrawalRefused != null) {
                assertThat(approvalDecisions(removal)).containsExactly("1: APPROVED by " + administrator);
                assertThat(removal).hasPassed("EndEvent_ApprovalDecided", "Task_TakeScopeSnapshot")
                        .hasNotPassed("EndEvent_DeletionWithdrawn");
                assertThat(cancelledUnfinished(removal, "UserTask_WithdrawDeletion")).isTrue();
                assertThat(removalStatus(removal)).isNotEqualTo("CANCELLED");
            } else {
                assertThat(approvalDecisions(removal)).containsExactly("1: WITHDRAWN by " + manager);
                assertThat(removal).isEnded().hasPassed("EndEvent_RemovalCancelled").hasNotPassed("Task_TakeScopeSnapshot");
                assertThat(cancelledUnfinished(removal, "UserTask_ApproveDeletion")).isTrue();
                assertThat(removalStatus(removal)).isEqualTo("CANCELLED");
            }
        } finally {
            two.shutdownNow();
        }
    }

    /** Completes the task as the user once both threads are ready: null when it went through, else why not. */
    private RuntimeException completedAtOnce(CyclicBarrier together, String user, String taskId,
            Map<String, Object> variables) throws Exception {
        together.await(30, TimeUnit.SECONDS);
        try {
            driver.asUser(user, () -> {
                engine.getTaskService().complete(taskId, new HashMap<>(variables));
                return null;
            });
            return null;
        } catch (RuntimeException refused) {
            return refused;
        }
    }

    @Test
    void theDeleteRefusesWithoutTheApprovalWhateverTheFlowWasMadeToDo() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = aManagersDeletionUnderFourEyes(administrator);
        String before = fixtures.accountChecksum(account.accountId());

        // An operator (or anyone past the engine's guards) moves the removal beyond the approval.
        engine.getRuntimeService().createProcessInstanceModification(removal.getId())
                .cancelAllForActivity("SubProcess_SecondApproval").startBeforeActivity("Gateway_SnapshotToTake").execute();
        execute(job("Task_TakeScopeSnapshot", removal));
        execute(job("Task_HardDeleteIntegration", removal));

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalRefused");
        assertThat((String) removal(removal).get(REFUSAL_REASON)).isEqualTo("Nothing is deleted: The account's removal"
                + " policy asks a second Administrator to approve every hard delete. No second Administrator approved it.");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
    }

    @Test
    void anApproverDemotedBeforeTheDeleteStopsItBeforeTheFirstChunk() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = aManagersDeletionUnderFourEyes(administrator);
        completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "APPROVE"));
        execute(job("Task_TakeScopeSnapshot", removal));
        String before = fixtures.accountChecksum(account.accountId());
        setRole(administrator, Role.MANAGER);

        execute(job("Task_HardDeleteIntegration", removal));

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalRefused");
        assertThat((String) removal(removal).get(REFUSAL_REASON)).isEqualTo("The Administrator who approved ("
                + administrator + ") is a Manager; only an Administrator of the account approves a hard delete."
                + " Nothing is deleted.");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
    }

    // --- restore deleted PSA data from the verified snapshot (process RestoreDeletedPsaData) ---------------

    @Test
    void anAdministratorRestoresADeletedIntegrationExactlyAndTheRmmIsTold() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String before = fixtures.accountChecksum(account.accountId());
        String beforeWithoutIds = fixtures.endState(account.accountId());
        ProcessInstance removal = deleteEverything(administrator);
        long unmatched = (Long) removal(removal).get(RMM_DEVICES_UNMATCHED);
        assertThat(unmatched).isPositive();
        assertThat(fixtures.accountChecksum(account.accountId())).isNotEqualTo(before);

        ProcessInstance restore = startRestore(administrator);
        assertThat(restore).isWaitingAt("UserTask_ChooseSnapshot");
        assertThat(task(restore)).isAssignedTo(administrator);
        org.camunda.spin.json.SpinJsonNode options = (org.camunda.spin.json.SpinJsonNode) removal(restore).get("snapshotOptions");
        assertThat(options.elements()).as("a JSON list, as Tasklist's select reads it").hasSize(1);
        assertThat(options.elements().get(0).prop("value").stringValue()).isEqualTo(String.valueOf(snapshotOf(removal)));
        assertThat(options.elements().get(0).prop("label").stringValue())
                .contains(fixtures.integrationName(account.psaIntegrationId())).contains(businessKey(removal))
                .contains("12 organizations");
        completeAs(administrator, restore, Map.of("snapshotId", String.valueOf(snapshotOf(removal)), "restoreDecision", "RESTORE"));
        driver.runJobs(restore);

        assertThat(restore).hasPassed("Task_InspectSnapshot").isWaitingAt("UserTask_ConfirmRestore");
        assertThat((String) removal(restore).get("restoreReport")).contains("| Organizations | 12 |")
                .contains("Verified just now").contains(unmatched + " RMM devices").contains("comes back **paused**");
        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing written by looking").isNotEqualTo(before);
        completeAs(administrator, restore, Map.of("restoreConfirmation", "RESTORE"));
        driver.runJobs(restore);

        assertThat(restore).isEnded().hasPassed("Task_RestoreSnapshot", "Task_DeliverRestoreNotices", "EndEvent_Restored");
        assertThat(fixtures.accountChecksum(account.accountId())).as("every row back, ids and all").isEqualTo(before);
        assertThat(withoutIntegrationStatus(fixtures.endState(account.accountId())))
                .isEqualTo(withoutIntegrationStatus(beforeWithoutIds));
        assertThat(integrationStatus()).as("back, but not syncing until someone resumes it").isEqualTo("PAUSED");
        assertThat(removal(restore)).containsEntry("devicesRematched", (int) unmatched).containsEntry("outcome", "RESTORED");
        assertThat(jdbc.sql("""
                select sum(device_count) from rmm_unmatch_notice where removal_id = :id and event = 'devices-rematched'""")
                .param("id", removalId(removal)).query(Long.class).single()).isEqualTo(unmatched);
        assertThat(jdbc.sql("select status || ' ' || confirmed_by || ' ' || (rows_restored ->> 'organization')"
                + " from removal_restore where process_instance_id = :pid").param("pid", restore.getId())
                .query(String.class).single()).isEqualTo("RESTORED " + administrator + " 12");

        ProcessInstance again = startRestoreRefused(administrator);
        assertThat(again).as("a snapshot is restored once: nothing left to offer").isNull();
    }

    @Test
    void aSnapshotThatNoLongerMatchesItsChecksumIsRefusedAndNothingIsWritten() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = deleteEverything(administrator);
        String deleted = fixtures.accountChecksum(account.accountId());
        ProcessInstance restore = startRestore(administrator);
        completeAs(administrator, restore, Map.of("snapshotId", String.valueOf(snapshotOf(removal)), "restoreDecision", "RESTORE"));
        CorruptibleSnapshotStore.corruptReads.set(true);
        try {
            driver.runJobs(restore);
        } finally {
            CorruptibleSnapshotStore.corruptReads.set(false);
        }

        assertThat(restore).hasPassed("Task_InspectSnapshot").isWaitingAt("UserTask_ReadRestoreRefusal");
        assertThat((String) removal(restore).get("restoreRefusal")).contains("does not match its checksum")
                .endsWith("Nothing was restored.");
        completeAs(administrator, restore, Map.of());
        assertThat(restore).isEnded().hasPassed("EndEvent_RestoreRefused");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(deleted);
        assertThat(restoreStatus(restore)).isEqualTo("REFUSED");
    }

    @Test
    void anotherAccountsSnapshotAndAManagerAreRefusedAndNothingIsWritten() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = deleteEverything(administrator);
        String deleted = fixtures.accountChecksum(account.accountId());
        assertThatThrownBy(() -> startRestore(manager)).isInstanceOf(BadUserRequestException.class)
                .hasMessageContaining("only an Administrator of the account restores its deleted PSA data");
        long ownSnapshot = snapshotOf(removal);

        GeneratedAccount first = account;
        givenAccount(PlatformFixtures.smallAccount());
        String otherAdministrator = fixtures.username(account, Role.ADMINISTRATOR);
        deleteEverything(otherAdministrator);
        ProcessInstance restore = startRestore(otherAdministrator);
        assertThatThrownBy(() -> completeAs(otherAdministrator, restore, Map.of("snapshotId", String.valueOf(ownSnapshot),
                "restoreDecision", "RESTORE"))).hasRootCauseInstanceOf(BadUserRequestException.class)
                .hasMessageContaining("Snapshot " + ownSnapshot + " is not one of your account's snapshots");
        assertThatThrownBy(() -> completeAs(otherAdministrator, restore, Map.of("snapshotId", "987654321",
                "restoreDecision", "RESTORE"))).hasMessageContaining("is not one of your account's snapshots");
        assertThat(restore).isWaitingAt("UserTask_ChooseSnapshot");
        assertThat(fixtures.accountChecksum(first.accountId())).isEqualTo(deleted);

        completeAs(otherAdministrator, restore, Map.of("restoreDecision", "CANCEL"));
        assertThat(restore).isEnded().hasPassed("EndEvent_CancelledAtChoice");
        assertThat(restoreStatus(restore)).isEqualTo("CANCELLED");
    }

    @Test
    void rowsThatWouldCollideWithLiveDataAreRefusedAtTheCheckAndAgainAtTheWrite() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = deleteEverything(administrator);
        long organization = firstDeletedOrganization(removal);
        ProcessInstance restore = startRestore(administrator);
        completeAs(administrator, restore, Map.of("snapshotId", String.valueOf(snapshotOf(removal)), "restoreDecision", "RESTORE"));
        driver.runJobs(restore);
        assertThat(restore).isWaitingAt("UserTask_ConfirmRestore");
        completeAs(administrator, restore, Map.of("restoreConfirmation", "RESTORE"));
        // Between the confirmation and the write, someone recreates one of the deleted organizations with its id.
        jdbc.sql("""
                insert into organization (id, account_id, name) overriding system value values (:id, :a, 'Recreated by hand')""")
                .param("id", organization).param("a", account.accountId()).update();
        String before = fixtures.accountChecksum(account.accountId());
        driver.runJobs(restore);

        assertThat(restore).hasPassed("Task_RestoreSnapshot").isWaitingAt("UserTask_ReadRestoreRefusal");
        assertThat((String) removal(restore).get("restoreRefusal")).startsWith(ImpactReport.plain("Restoring would collide with live data: 1 organization"));
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(restoreStatus(restore)).isEqualTo("REFUSED");
        execute(job("BoundaryEvent_RefusalLeftUnread", restore));
        assertThat(restore).isEnded().hasPassed("EndEvent_RefusalUnread");

        ProcessInstance second = startRestore(administrator);
        completeAs(administrator, second, Map.of("snapshotId", String.valueOf(snapshotOf(removal)), "restoreDecision", "RESTORE"));
        driver.runJobs(second);
        assertThat(second).as("the check sees the collision before anyone confirms").isWaitingAt("UserTask_ReadRestoreRefusal");
        assertThat((String) removal(second).get("restoreRefusal")).contains("would collide with live data");
    }

    @Test
    void aRestoreLeftUntouchedExpiresAndOneCancelledAtTheConfirmationWritesNothing() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = deleteEverything(administrator);
        String deleted = fixtures.accountChecksum(account.accountId());

        ProcessInstance left = startRestore(administrator);
        execute(job("BoundaryEvent_ChooseSnapshotTimedOut", left));
        assertThat(left).isEnded().hasPassed("EndEvent_ChooseSnapshotExpired");
        assertThat(restoreStatus(left)).isEqualTo("EXPIRED");

        ProcessInstance unconfirmed = startRestore(administrator);
        completeAs(administrator, unconfirmed, Map.of("snapshotId", String.valueOf(snapshotOf(removal)), "restoreDecision", "RESTORE"));
        driver.runJobs(unconfirmed);
        execute(job("BoundaryEvent_ConfirmRestoreTimedOut", unconfirmed));
        assertThat(unconfirmed).isEnded().hasPassed("EndEvent_ConfirmRestoreExpired");

        ProcessInstance cancelled = startRestore(administrator);
        completeAs(administrator, cancelled, Map.of("snapshotId", String.valueOf(snapshotOf(removal)), "restoreDecision", "RESTORE"));
        driver.runJobs(cancelled);
        completeAs(administrator, cancelled, Map.of("restoreConfirmation", "CANCEL"));
        assertThat(cancelled).isEnded().hasPassed("EndEvent_CancelledAtConfirmation");
        assertThat(restoreStatus(cancelled)).isEqualTo("CANCELLED");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(deleted);
    }

    /**
     * Before the name is typed, "Confirm the deletion" says what happens next, as the account's policy stands: whether a
     * second Administrator must approve it and who can, how long it waits out of sight and cancellable, and how long it
     * can be restored from its snapshot.
     */
    @Test
    void theConfirmationSaysWhatHappensNext() {
        ProcessInstance plain = startRemoval(manager);
        chooseTheIntegration(plain);
        completeAs(manager, plain, Map.of(REMOVAL_MODE, "DELETE"));
        assertThat(plain).isWaitingAt("UserTask_ConfirmDeletion");
        assertThat((String) removal(plain).get(DELETION_OUTLOOK)).contains("**No second approval is needed**")
                .contains("12 organizations and")
                .contains("**Nothing waits**: the deletion starts right after your confirmation")
                .contains("**It can be restored for 30 days**");
        completeAs(manager, plain, Map.of(DELETION_DECISION, CANCEL));
        driver.runJobs(plain);

        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        approvals.setPolicy(account.accountId(), true, administrator, null);
        approvals.setCoolingOff(account.accountId(), Duration.ofDays(1), administrator, null);
        ProcessInstance guarded = startRemoval(manager);
        chooseTheIntegration(guarded);
        completeAs(manager, guarded, Map.of(REMOVAL_MODE, "DELETE"));

        assertThat((String) removal(guarded).get(DELETION_OUTLOOK))
                .contains("**A second Administrator must approve it first.** The account's removal policy asks")
                .contains("Who can approve (not you, nor whoever confirms): ").doesNotContain("none:")
                .contains("**It waits 1 day out of sight before anything is deleted**: right after the approval");
    }

    /** Nobody fills the engine with restores either: the same daily number per person as for removals. */
    @Test
    void nobodyAsksForMoreRestoresADayThanAllowed() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        deleteEverything(administrator);
        int limit = removalSettings.maxRequestsPerDay();
        jdbc.sql("""
                insert into removal_restore (process_instance_id, business_key, account_id, requested_by, status, ended_at)
                select 'earlier-restore-' || :u || n, 'earlier-restore-' || :u || n, :a, :u, 'CANCELLED', now()
                from generate_series(1, :limit) n""")
                .param("u", administrator).param("a", account.accountId()).param("limit", limit).update();
        long instances = engine.getHistoryService().createHistoricProcessInstanceQuery().count();

        assertThatThrownBy(() -> startRestore(administrator))
                .hasMessageContaining("You asked for " + limit + " restores in the last 24 hours");
        assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().count()).isEqualTo(instances);
    }

    /**
     * A deletion is restored by one restore at a time: a second restore that chooses the same deletion's snapshot while
     * the first is under way is refused in words (and the database refuses two such choices at the same moment); once
     * the first has ended, the second goes on.
     */
    @Test
    void aDeletionIsRestoredByOneRestoreAtATime() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance removal = deleteEverything(administrator);
        Map<String, Object> chooseIt = Map.of("snapshotId", String.valueOf(snapshotOf(removal)), "restoreDecision", "RESTORE");
        ProcessInstance first = startRestore(administrator);
        completeAs(administrator, first, chooseIt);
        ProcessInstance second = startRestore(administrator);

        assertThatThrownBy(() -> completeAs(administrator, second, chooseIt))
                .hasMessageContaining("Another restore of this deletion is under way")
                .hasMessageContaining(jdbc.sql("select business_key from removal_restore where process_instance_id = :pid")
                        .param("pid", first.getId()).query(String.class).single());
        assertThat(second).isWaitingAt("UserTask_ChooseSnapshot");
        assertThat(restoreStatus(second)).isEqualTo("REQUESTED");
        assertThatThrownBy(() -> jdbc.sql("""
                update removal_restore set status = 'CHOSEN', snapshot_id = :snapshot, removal_id = :removal
                where process_instance_id = :pid""").param("snapshot", snapshotOf(removal))
                .param("removal", removalId(removal)).param("pid", second.getId()).update())
                .as("two choices at once: the database decides").isInstanceOf(org.springframework.dao.DuplicateKeyException.class);

        driver.runJobs(first);
        completeAs(administrator, first, Map.of("restoreConfirmation", "CANCEL"));
        assertThat(restoreStatus(first)).isEqualTo("CANCELLED");
        completeAs(administrator, second, chooseIt);
        driver.runJobs(second);
        assertThat(second).isWaitingAt("UserTask_ConfirmRestore");
    }

    /**
     * The account's policy asks for four eyes (set by the Administrator); the Manager's deletion, confirmed, waits for
     * the second approval.
     */
    private ProcessInstance aManagersDeletionUnderFourEyes(String administrator) {
        approvals.setPolicy(account.accountId(), true, administrator, null);
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        typeTheName(manager, removal);
        assertThat(removal).isWaitingAt("UserTask_ApproveDeletion");
        return removal;
    }

    /**
     * A Manager's deletion under four eyes, approved, one chunk deleted, then an item added: the changed scope confirmed
     * again waits for its own approval (round 2).
     */
    private ProcessInstance aChangedScopeWaitingForApprovalAfterAChunk(String administrator) {
        ProcessInstance removal = aManagersDeletionUnderFourEyes(administrator);
        completeAs(administrator, removal, Map.of(APPROVAL_DECISION, "APPROVE"));
        execute(job("Task_TakeScopeSnapshot", removal));
        execute(job("Task_HardDeleteIntegration", removal)); // the first chunk
        addItem(lastOrganizationInScope(), "CONFIGURATION", "late-" + System.nanoTime());
        driver.runJobs(removal);
        completeAs(manager, removal, Map.of(SCOPE_DECISION, "GO_ON",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));
        assertThat(removal).isWaitingAt("UserTask_ApproveDeletion");
        return removal;
    }

    /** The administrator's whole hard delete of the account's PSA integration (small: no second approval). */
    private ProcessInstance deleteEverything(String administrator) {
        ProcessInstance removal = startRemoval(administrator);
        chooseTheIntegration(removal);
        completeAs(administrator, removal, Map.of(REMOVAL_MODE, "DELETE"));
        confirmDeletion(administrator, removal);
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDeleted");
        return removal;
    }

    private ProcessInstance startRestore(String user) {
        return driver.asUser(user, () -> engine.getRuntimeService().startProcessInstanceByKey("RestoreDeletedPsaData",
                Map.of("restoreReason", "Deleted the wrong integration")));
    }

    /** Starts a restore that is refused at once; null when it was (the start failed), else the instance. */
    private ProcessInstance startRestoreRefused(String user) {
        try {
            return startRestore(user);
        } catch (BadUserRequestException refused) {
            assertThat(refused.getMessage()).contains("has no snapshot of deleted PSA data to restore");
            return null;
        }
    }

    /** An account's id-free end state without its integrations' statuses (a restored one is paused). */
    private static String withoutIntegrationStatus(String endState) {
        return endState.substring(0, endState.lastIndexOf(" | "));
    }

    private long snapshotOf(ProcessInstance removal) {
        return jdbc.sql("select id from account_backup where kind = 'SCOPE_SNAPSHOT' and removal_id = :id")
                .param("id", removalId(removal)).query(Long.class).single();
    }

    /**
     * A related item from the first item of the first organization in scope to the first item of the last one, and an
     * attachment of the last organization on that first item: both deleted with the first chunk, both pointing at an
     * organization a later chunk deletes (or leaves in place).
     */
    private void linkTheFirstAndLastOrganizationsInScope() {
        String firstItem = "select min(id) from item where organization_id = (select %s(id) from organization"
                + " where psa_integration_id = :p)";
        long first = jdbc.sql(firstItem.formatted("min")).param("p", account.psaIntegrationId()).query(Long.class).single();
        long last = jdbc.sql(firstItem.formatted("max")).param("p", account.psaIntegrationId()).query(Long.class).single();
        jdbc.sql("""
                insert into related_item (account_id, source_item_id, target_item_id, note)
                values (:a, :first, :last, 'across the scope')""")
                .param("a", account.accountId()).param("first", first).param("last", last).update();
        jdbc.sql("""
                insert into attachment (account_id, organization_id, item_id, file_name, content)
                values (:a, (select organization_id from item where id = :last), :first, 'across.txt', '\\x6869'::bytea)""")
                .param("a", account.accountId()).param("first", first).param("last", last).update();
    }

    private void assertTheLinksAcrossTheScopeWentWithTheFirstChunk() {
        assertThat(fixtures.count("""
                select (select count(*) from related_item where account_id = :p and note = 'across the scope')
                     + (select count(*) from attachment where account_id = :p and file_name = 'across.txt')""",
                account.accountId())).as("deleted with the first organization, under round 1").isZero();
        assertThat(organizationsInScope()).as("the last organization still to delete").isPositive();
    }

    private long snapshotOfRound(ProcessInstance removal, int round) {
        return jdbc.sql("select id from account_backup where kind = 'SCOPE_SNAPSHOT' and removal_id = :id and scope_round = :r")
                .param("id", removalId(removal)).param("r", round).query(Long.class).single();
    }

    /** A restore chosen, checked, confirmed and run to its end by the Administrator. */
    private ProcessInstance restoreWholly(String administrator, long snapshotId) {
        ProcessInstance restore = startRestore(administrator);
        completeAs(administrator, restore, Map.of("snapshotId", String.valueOf(snapshotId), "restoreDecision", "RESTORE"));
        driver.runJobs(restore);
        completeAs(administrator, restore, Map.of("restoreConfirmation", "RESTORE"));
        driver.runJobs(restore);
        return restore;
    }

    private long firstDeletedOrganization(ProcessInstance removal) {
        return jdbc.sql("select min(organization_id) from removal_scope where removal_id = :id")
                .param("id", removalId(removal)).query(Long.class).single();
    }

    private String restoreStatus(ProcessInstance restore) {
        return jdbc.sql("select status from removal_restore where process_instance_id = :pid").param("pid", restore.getId())
                .query(String.class).single();
    }

    // --- the cooling-off period -------------------------------------------------------------------

    @Test
    void aDeletionWaitsOutOfSightAndAnAdministratorCancelsItWithEverythingBackExactly() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        assertThat(approvals.setCoolingOff(account.accountId(), Duration.ofDays(7), administrator, "As AWS KMS does"))
                .isEqualTo(RemovalPolicy.Change.CHANGED);
        String before = fixtures.accountChecksum(account.accountId());
        String endStateBefore = fixtures.endState(account.accountId());

        ProcessInstance removal = aManagersPendingDeletion();

        // Out of sight: not listed, no RMM device matched to it anew, every row still there as it was.
        assertThat(removalStatus(removal)).isEqualTo("PENDING_DELETION");
        assertThat(listedOrganizationsInScope()).isZero();
        assertThat(fixtures.count("select count(*) from listed_item i join organization o on o.id = i.organization_id"
                + " where o.psa_integration_id = :p", account.psaIntegrationId())).isZero();
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        long configuration = jdbc.sql("select min(i.id) from item i join organization o on o.id = i.organization_id"
                + " where o.psa_integration_id = :p and i.kind = 'CONFIGURATION'")
                .param("p", account.psaIntegrationId()).query(Long.class).single();
        assertThatThrownBy(() -> jdbc.sql("update rmm_device set matched_configuration_id = :c, matched_kind = 'CONFIGURATION',"
                        + " matched_at = now() where id = (select min(id) from rmm_device where account_id = :a"
                        + " and matched_configuration_id is distinct from :c)")
                .param("c", configuration).param("a", account.accountId()).update())
                .hasMessageContaining("is pending deletion: no RMM device can be matched to it");
        assertThat(jdbc.sql("update rmm_device d set matched_configuration_id = d.matched_configuration_id, hostname = d.hostname"
                        + " from item i join pending_deletion p on p.organization_id = i.organization_id"
                        + " where i.id = d.matched_configuration_id and p.account_id = :a")
                .param("a", account.accountId()).update()).as("an RMM sync rewriting the matches it had is not refused")
                .isPositive();
        assertThat(jdbc.sql("select bool_and(expires_at >= (select purge_after from removal where id = :id)"
                        + " + interval '30 days') from account_backup where kind = 'SCOPE_SNAPSHOT' and removal_id = :id")
                .param("id", removalId(removal)).query(Boolean.class).single())
                .as("the snapshot is kept for its retention after the purge, not from before the wait").isTrue();
        // The purge waits for the database's clock: seven days from now.
        assertThat(coolingOffTimer(removal).getDuedate()).isAfter(java.util.Date.from(
                java.time.Instant.now().plus(Duration.ofDays(6))));
        assertThat(noticeEnds(removal)).containsEntry("PENDING_DELETION", null);
        assertThat(noticeText(openNotice(removal))).contains("out of sight").contains("can cancel the deletion");
        assertThat(task(removal).getName()).isEqualTo("Cancel the pending deletion of "
                + fixtures.integrationName(account.psaIntegrationId()));
        assertThat((String) removal(removal).get(PENDING_SUMMARY)).contains("| Organizations | 12 |");

        // Only an active Administrator of the account cancels, with a note.
        assertThatThrownBy(() -> completeAs(manager, removal, Map.of(PENDING_DECISION, "CANCEL_DELETION",
                CANCEL_NOTE, "Mine"))).as("the requester, a Manager, is not offered the task").isInstanceOf(RuntimeException.class);
        setRole(administrator, Role.MANAGER); // demoted in the platform; the engine's groups still say Administrator
        assertThatThrownBy(() -> completeAs(administrator, removal, Map.of(PENDING_DECISION, "CANCEL_DELETION",
                CANCEL_NOTE, "Mine"))).hasRootCauseInstanceOf(BadUserRequestException.class)
                .hasMessageContaining("only an Administrator of the account cancels a pending deletion");
        setRole(administrator, Role.ADMINISTRATOR);
        engine.getTaskService().setAssignee(task(removal).getId(), null);
        assertThatThrownBy(() -> completeAs(administrator, removal, Map.of(PENDING_DECISION, "CANCEL_DELETION")))
                .hasRootCauseInstanceOf(BadUserRequestException.class).hasMessageContaining("Say why you cancel");
        assertThatThrownBy(() -> completeAs(administrator, removal, Map.of(PENDING_DECISION, "CANCEL_DELETION",
                CANCEL_NOTE, NOTHING_VISIBLE))).as("a note that shows nothing")
                .hasRootCauseInstanceOf(BadUserRequestException.class).hasMessageContaining("Say why you cancel");
        engine.getTaskService().setAssignee(task(removal).getId(), null);
        completeAs(administrator, removal, Map.of(PENDING_DECISION, "CANCEL_DELETION",
                CANCEL_NOTE, "Wrong PSA: we keep this one"));

        assertThat(removal).isEnded().hasPassed("EndEvent_PendingDeletionCancelled").hasNotPassed("Task_HardDeleteIntegration");
        assertThat(removalStatus(removal)).isEqualTo("CANCELLED");
        assertThat(integrationStatus()).as("released as it was").isEqualTo("ACTIVE");
        assertThat(fixtures.accountChecksum(account.accountId())).as("every column, ids included").isEqualTo(before);
        assertThat(fixtures.endState(account.accountId())).isEqualTo(endStateBefore);
        assertThat(listedOrganizationsInScope()).isEqualTo(12);
        assertThat(fixtures.count("select count(*) from pending_deletion where account_id = :p", account.accountId())).isZero();
        assertThat(jdbc.sql("select bool_and(expires_at = verified_at + interval '30 days') from account_backup"
                        + " where kind = 'SCOPE_SNAPSHOT' and removal_id = :id")
                .param("id", removalId(removal)).query(Boolean.class).single())
                .as("nothing to restore after a cancel: the snapshot back to its own retention").isTrue();
        assertThat(noticeEnds(removal)).containsEntry("PENDING_DELETION", "EndEvent_NoticeWithdrawn").containsEntry("OUTCOME", null);
        Task outcome = openNotice(removal);
        assertThat(outcome.getName()).isEqualTo("Deletion cancelled: " + fixtures.integrationName(account.psaIntegrationId())
                + " kept");
        assertThat(noticeText(outcome)).contains(ImpactReport.plain("period by " + administrator + ": Wrong PSA: we keep this one")).contains("back in sight exactly as they were");
    }

    @Test
    void thePurgeWaitsForTheDatabasesClockThenComparesTheScopeAgainAndDeletes() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        approvals.setCoolingOff(account.accountId(), Duration.ofDays(1), administrator, null);
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = aManagersPendingDeletion();

        // The timer fired before the period was over (an operator executed its job): nothing purged, it waits again.
        execute(coolingOffTimer(removal));
        driver.runJobs(removal);
        assertThat(removal).hasPassed("Task_HardDeleteIntegration").isWaitingAt("UserTask_CancelPendingDeletion");
        assertThat(removalStatus(removal)).isEqualTo("PENDING_DELETION");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(coolingOffTimer(removal).getDuedate()).isAfter(java.util.Date.from(
                java.time.Instant.now().plus(Duration.ofHours(23))));
        // So does an operator's modification straight to the delete.
        engine.getRuntimeService().createProcessInstanceModification(removal.getId())
                .cancelAllForActivity("UserTask_CancelPendingDeletion").startBeforeActivity("Task_HardDeleteIntegration")
                .execute();
        driver.runJobs(removal);
        assertThat(removal).isWaitingAt("UserTask_CancelPendingDeletion");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(noticeEnds(removal)).as("told once").containsEntry("PENDING_DELETION", null);

        // A day passes (the removal's purge_after is behind the database's clock), and the timer fires.
        driver.letTheCoolingOffPass(removal);

        assertThat(removal).isEnded().hasPassed("BoundaryEvent_CoolingOffOver", "EndEvent_IntegrationDeleted");
        assertThat(removalStatus(removal)).isEqualTo("DELETED");
        assertThat(organizationsInScope()).isZero();
        assertThat(fixtures.count("select count(*) from pending_deletion where account_id = :p", account.accountId())).isZero();
        assertThat(fixtures.count("select count(*) from rmm_unmatch_notice where rmm_integration_id = :p",
                account.rmmIntegrationId())).isEqualTo(1);
        assertThat(noticeEnds(removal)).containsEntry("PENDING_DELETION", "EndEvent_NoticeWithdrawn")
                .containsEntry("RUNNING", "EndEvent_NoticeWithdrawn").containsEntry("OUTCOME", null);
    }

    @Test
    void aScopeChangedDuringTheWaitIsConfirmedAgainAndWaitsItsOwnPeriod() {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        approvals.setCoolingOff(account.accountId(), Duration.ofDays(1), administrator, null);
        ProcessInstance removal = aManagersPendingDeletion();
        long added = addItem(lastOrganizationInScope(), "PASSWORD", null); // written past the listings, e.g. by an API

        driver.letTheCoolingOffPass(removal);

        assertThat(removal).as("the purge compared the scope with the confirmed one first")
                .isWaitingAt("UserTask_ConfirmChangedDeletion");
        assertThat(fixtures.count("select count(*) from item where id = :p", added)).isOne();
        assertThat(organizationsInScope()).as("nothing purged").isEqualTo(12);
        assertThat(listedOrganizationsInScope()).as("still out of sight").isZero();
        completeAs(manager, removal, Map.of(SCOPE_DECISION, "GO_ON",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));
        driver.runJobs(removal);
        assertThat(removal).as("the confirmed change waits a period of its own")
                .isWaitingAt("UserTask_CancelPendingDeletion");
        assertThat(timesPassed(removal, "Task_MoveOutOfSight")).isEqualTo(2);
        assertThat(coolingOffTimer(removal).getDuedate()).isAfter(java.util.Date.from(
                java.time.Instant.now().plus(Duration.ofHours(23))));

        // An operator deletes the process instance: whatever was out of sight is back.
        engine.getRuntimeService().deleteProcessInstance(removal.getId(), "operator cleans up");
        assertThat(removalStatus(removal)).isEqualTo("ABORTED");
        assertThat(listedOrganizationsInScope()).isEqualTo(12);
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
    }

    @Test
    void aPurgeUnderWayWhoseScopeChangedGoesOnWithoutASecondWait() {
        approvals.setCoolingOff(account.accountId(), Duration.ofDays(1), fixtures.username(account, Role.ADMINISTRATOR), null);
        ProcessInstance removal = aManagersPendingDeletion();
        fixtures.purgeDueNow(removal.getId());
        execute(coolingOffTimer(removal));
        execute(job("Task_HardDeleteIntegration", removal)); // the first chunk is purged
        assertThat(removalStatus(removal)).isEqualTo("RUNNING");
        addItem(lastOrganizationInScope(), "CONFIGURATION", "late-" + System.nanoTime());
        driver.runJobs(removal);
        assertThat(removal).isWaitingAt("UserTask_ConfirmChangedDeletion");
        assertThat(noticeEnds(removal)).as("the wait's notice no longer holds").containsEntry("PENDING_DELETION",
                "EndEvent_NoticeWithdrawn");

        completeAs(manager, removal, Map.of(SCOPE_DECISION, "GO_ON",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDeleted");
        assertThat(timesPassed(removal, "Task_MoveOutOfSight")).as("no second wait once the purge began").isOne();
        assertThat(organizationsInScope()).isZero();
        assertThat(jdbc.sql("select purge_started_at is not null from removal where id = :id")
                .param("id", removalId(removal)).query(Boolean.class).single()).as("when the purge began, kept").isTrue();
    }

    @Test
    void aScopeChangedBeforeItGoesOutOfSightIsConfirmedFirst() {
        approvals.setCoolingOff(account.accountId(), Duration.ofDays(1), fixtures.username(account, Role.ADMINISTRATOR), null);
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        typeTheName(manager, removal);
        execute(job("Task_TakeScopeSnapshot", removal));
        addItem(lastOrganizationInScope(), "DOCUMENT", null);

        execute(job("Task_MoveOutOfSight", removal));

        assertThat(removal).isWaitingAt("UserTask_ConfirmChangedDeletion");
        assertThat(removalStatus(removal)).isEqualTo("SCOPE_CHANGED");
        assertThat(listedOrganizationsInScope()).as("nothing moved").isEqualTo(12);
        completeAs(manager, removal, Map.of(SCOPE_DECISION, CANCEL));
        driver.runJobs(removal);
        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalCancelled");
        assertThat(integrationStatus()).isEqualTo("ACTIVE");
    }

    @Test
    void aDeletionConfirmedWithACoolingOffPeriodIsNeverPurgedStraightAway() {
        approvals.setCoolingOff(account.accountId(), Duration.ofDays(1), fixtures.username(account, Role.ADMINISTRATOR), null);
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        typeTheName(manager, removal);
        execute(job("Task_TakeScopeSnapshot", removal));

        assertThat(removalRepository.markRunning(removalId(removal), RemovalMode.DELETE, RemovalStatus.CONFIRMED))
                .as("the database itself refuses to purge it from CONFIRMED").isFalse();
        // An operator (or a forged variable) sends it past the move out of sight, straight to the delete.
        engine.getRuntimeService().createProcessInstanceModification(removal.getId())
                .cancelAllForActivity("Task_MoveOutOfSight").startBeforeActivity("Task_HardDeleteIntegration").execute();
        driver.runJobs(removal);

        assertThat(removal).isEnded().hasPassed("EndEvent_RemovalRefused");
        assertThat((String) removal(removal).get(REFUSAL_REASON)).contains("is confirmed, not pending deletion or running");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
    }

    @Test
    void anInstanceOfAProcessVersionWithoutTheCoolingOffPurgesAtOnce() {
        approvals.setCoolingOff(account.accountId(), Duration.ofDays(1), fixtures.username(account, Role.ADMINISTRATOR), null);
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        assertThat(removal).isWaitingAt("UserTask_ConfirmDeletion");

        // What the confirmation's validator does for an instance of a version deployed before the cooling-off period.
        removalService.confirmDeletion(removal.getId(), fixtures.integrationName(account.psaIntegrationId()), manager, false);

        assertThat(jdbc.sql("select extract(epoch from cooling_off)::bigint from removal where id = :id")
                .param("id", removalId(removal)).query(Long.class).single()).isZero();
        assertThat(removalService.get(removal.getId()).coolsOff()).isFalse();
    }

    /** A Manager's deletion of the account's integration under a cooling-off period, out of sight and waiting. */
    private ProcessInstance aManagersPendingDeletion() {
        ProcessInstance removal = startRemoval(manager);
        chooseTheIntegration(removal);
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        typeTheName(manager, removal);
        execute(job("Task_TakeScopeSnapshot", removal));
        assertThat(removal).isWaitingAt("Task_MoveOutOfSight");
        execute(job("Task_MoveOutOfSight", removal));
        assertThat(removal).isWaitingAt("UserTask_CancelPendingDeletion");
        return removal;
    }

    private org.camunda.bpm.engine.runtime.Job coolingOffTimer(ProcessInstance removal) {
        return engine.getManagementService().createJobQuery().processInstanceId(removal.getId())
                .activityId("BoundaryEvent_CoolingOffOver").singleResult();
    }

    private long listedOrganizationsInScope() {
        return fixtures.count("select count(*) from listed_organization where psa_integration_id = :p",
                account.psaIntegrationId());
    }


    // --- the story's steps -------------------------------------------------------------------------

    private void givenAccount(AccountShape shape) {
        account = fixtures.create(shape);
        manager = fixtures.username(account, Role.MANAGER);
    }

    private ProcessInstance startRemoval(String user) {
        return driver.start(user);
    }

    private void chooseTheIntegration(ProcessInstance removal) {
        assertThat(removal).isWaitingAt("UserTask_ChooseIntegration");
        assertThat(removal).variables().containsEntry(PSA_INTEGRATION_COUNT, 1);
        completeAs((String) removal(removal).get(INITIATOR), removal,
                Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()), INTEGRATION_DECISION, "REMOVE"));
        driver.runJobs(removal);
        assertThat(removal).hasPassed("Task_ReserveIntegration", "Task_PreviewImpact").isWaitingAt("UserTask_ChooseRemovalMode");
        assertThat(integrationStatus()).isEqualTo("REMOVING");
    }

    /** The typed confirmation, then the verified snapshot of the scope: the delete's first chunk waits as a job. */
    private void confirmDeletion(String user, ProcessInstance removal) {
        typeTheName(user, removal);
        execute(job("Task_TakeScopeSnapshot", removal));
        assertThat(removal).variables().containsEntry(SNAPSHOT_OUTCOME, "TAKEN");
        assertThat(removal).isWaitingAt("Task_HardDeleteIntegration");
    }

    private void typeTheName(String user, ProcessInstance removal) {
        assertThat(removal).isWaitingAt("UserTask_ConfirmDeletion");
        completeAs(user, removal, Map.of(DELETION_DECISION, "DELETE",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));
    }

    private void walkTo(ProcessInstance removal, String userTask) {
        if (userTask.equals("UserTask_ChooseIntegration")) {
            return;
        }
        chooseTheIntegration(removal);
        if (userTask.equals("UserTask_ChooseRemovalMode")) {
            return;
        }
        completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
        if (userTask.equals("UserTask_EnableBulkDelete")) {
            completeAs(manager, removal, Map.of(FEATURE_DECISION, "ASK_SUPPORT"));
        }
    }

    /** Walks the removal up to the job of the write step, without running it. */
    private void walkToWriteStep(ProcessInstance removal, String writeStep) {
        if (writeStep.equals("Task_ReserveIntegration")) {
            completeAs(manager, removal, Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()),
                    INTEGRATION_DECISION, "REMOVE"));
            return;
        }
        chooseTheIntegration(removal);
        switch (writeStep) {
            case "Task_DisconnectIntegration" -> completeAs(manager, removal, Map.of(REMOVAL_MODE, "DISCONNECT"));
            case "Task_TakeBackup", "Task_RecordExternalBackup" -> {
                completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
                completeAs(manager, removal, writeStep.equals("Task_TakeBackup") ? Map.of(BACKUP_DECISION, "EXPORT_NOW")
                        : Map.of(BACKUP_DECISION, "EXTERNAL", EXTERNAL_BACKUP_NOTE, "Veeam, last night",
                                EXTERNAL_BACKUP_TAKEN_AT, OffsetDateTime.now(ZoneOffset.UTC).minusHours(2).toString()));
            }
            case "Task_TakeScopeSnapshot" -> {
                completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
                typeTheName(manager, removal);
            }
            default -> {
                completeAs(manager, removal, Map.of(REMOVAL_MODE, "DELETE"));
                confirmDeletion(manager, removal);
            }
        }
    }

    private void setRole(String username, Role role) {
        jdbc.sql("update platform_user set role = :role where username = :u").param("role", role.name())
                .param("u", username).update();
    }

    private void completeAs(String user, ProcessInstance removal, Map<String, Object> variables) {
        driver.complete(user, removal, variables);
    }

    /** The removal's variables, also after it ended. */
    private Map<String, Object> removal(ProcessInstance removal) {
        Map<String, Object> variables = new HashMap<>();
        engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(removal.getId()).list()
                .forEach(variable -> variables.put(variable.getName(), variable.getValue()));
        return variables;
    }

    /** The one open notice of the removal in its requester's Tasklist. */
    private Task openNotice(ProcessInstance removal) {
        return engine.getTaskService().createTaskQuery().processDefinitionKey("RemovalNotice")
                .processInstanceBusinessKey(businessKey(removal)).singleResult();
    }

    private String noticeText(Task notice) {
        return (String) engine.getTaskService().getVariable(notice.getId(), "noticeText");
    }

    /** The removal's notices by kind, each with the end event it ended at (null while open). */
    private Map<String, String> noticeEnds(ProcessInstance removal) {
        Map<String, String> ends = new HashMap<>();
        for (HistoricProcessInstance notice : engine.getHistoryService().createHistoricProcessInstanceQuery()
                .processDefinitionKey("RemovalNotice").processInstanceBusinessKey(businessKey(removal)).list()) {
            String kind = (String) engine.getHistoryService().createHistoricVariableInstanceQuery()
                    .processInstanceId(notice.getId()).variableName("noticeKind").singleResult().getValue();
            if (kind.startsWith("APPROVAL_")) { // one for each Administrator who was asked to approve
                kind += " " + engine.getHistoryService().createHistoricVariableInstanceQuery()
                        .processInstanceId(notice.getId()).variableName("noticeReader").singleResult().getValue();
            }
            assertThat(ends).as("one notice of each kind").doesNotContainKey(kind);
            ends.put(kind, notice.getEndActivityId());
        }
        return ends;
    }

    private String businessKey(ProcessInstance removal) {
        return engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(removal.getId())
                .singleResult().getBusinessKey();
    }

    private long timesPassed(ProcessInstance removal, String activityId) {
        return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(removal.getId())
                .activityId(activityId).count();
    }

    private String outcome(ProcessInstance removal) {
        return (String) removal(removal).get(OUTCOME);
    }

    /** The files in the snapshot store's folder (of this and earlier test runs). */
    private static java.util.Set<String> storedSnapshots() throws java.io.IOException {
        java.nio.file.Path folder = java.nio.file.Path.of("target", "test-snapshots");
        if (!java.nio.file.Files.isDirectory(folder)) {
            return java.util.Set.of();
        }
        try (var stored = java.nio.file.Files.list(folder)) {
            return stored.map(path -> path.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    private long removalId(ProcessInstance removal) {
        return fixtures.removalId(removal.getId());
    }

    private String removalStatus(ProcessInstance removal) {
        return jdbc.sql("select status from removal where process_instance_id = :pid").param("pid", removal.getId())
                .query(String.class).single();
    }

    private long organizationsInScope() {
        return fixtures.count("select count(*) from organization where psa_integration_id = :p", account.psaIntegrationId());
    }

    private long lastOrganizationInScope() {
        return jdbc.sql("select max(id) from organization where psa_integration_id = :p")
                .param("p", account.psaIntegrationId()).query(Long.class).single();
    }

    private String organizationName(long organization) {
        return jdbc.sql("select name from organization where id = :id").param("id", organization).query(String.class).single();
    }

    private long itemsInScope(String kind) {
        return jdbc.sql("""
                select count(*) from item i join organization o on o.id = i.organization_id
                where o.psa_integration_id = :p and i.kind = :kind""")
                .param("p", account.psaIntegrationId()).param("kind", kind).query(Long.class).single();
    }

    /** An item a person (no PSA id) or a sync (with one) adds to the organization. */
    private long addItem(long organization, String kind, String psaExternalId) {
        return jdbc.sql("""
                insert into item (account_id, organization_id, kind, name, psa_external_id, body)
                values (:a, :o, :kind, 'Added after the confirmation', :psa, 'new') returning id""")
                .param("a", account.accountId()).param("o", organization).param("kind", kind).param("psa", psaExternalId)
                .query(Long.class).single();
    }

    /** The removal's approvals, round by round: "1: APPROVED by ada", "2: undecided". */
    private java.util.List<String> approvalDecisions(ProcessInstance removal) {
        return approvals.of(removalId(removal)).stream().map(approval -> approval.round() + ": " + (approval.decision() == null
                ? "undecided" : approval.decision() + " by " + approval.decidedBy())).toList();
    }

    /** Whether the activity's latest run was left without being completed: cancelled by what ended its scope. */
    private boolean cancelledUnfinished(ProcessInstance removal, String activityId) {
        return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(removal.getId())
                .activityId(activityId).orderByHistoricActivityInstanceStartTime().desc().list().get(0).isCanceled();
    }

    private String integrationStatus() {
        return fixtures.integrationStatus(account.psaIntegrationId());
    }
}

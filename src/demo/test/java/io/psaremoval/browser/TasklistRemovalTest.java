package io.psaremoval.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.RemovalDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The whole removal as an administrator does it in Camunda Tasklist, in a real browser: start form,
 * the impact preview, the choice, the backup step, the typed confirmation. The asynchronous steps run
 * between the clicks (the job executor is off in tests). Screenshots of every form filled land in
 * {@code target/screenshots/}.
 */
@PlatformTest
class TasklistRemovalTest {

    @LocalServerPort
    int port;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    RuntimeService runtime;
    @Autowired
    TaskService taskService;
    @Autowired
    HistoryService history;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    io.psaremoval.removal.DeletionApprovals approvals;

    @Test
    void managerDeletesThroughTasklist() {
        GeneratedAccount account = fixtures.create(PlatformFixtures.smallAccount().withLastBackupAge(Duration.ofDays(9)));
        String manager = fixtures.username(account, Role.MANAGER);
        // A name with markup in it shows as written all the way, in the refusal that quotes it too: no markup, no link.
        jdbc.sql("update integration set name = :name where id = :id")
                .param("name", "Acme <b>PSA</b> <a href=\"https://evil.example/login\">sign in</a> & co")
                .param("id", account.psaIntegrationId()).update();
        String integrationName = fixtures.integrationName(account.psaIntegrationId());
        try (Browser browser = new Browser(port)) {
            signIn(browser, manager);
            startRemoval(browser, "delete-1-start-form", "We moved to HaloPSA");
            ProcessInstance removal = latestRemovalOf(manager);

            chooseIntegration(browser, removal, integrationName, "delete-2-choose-integration");

            openTask(browser, "Choose how to remove");
            assertThat(browser.visible(By.cssSelector(".meta .groups")).getText()).as("the candidate group by its name")
                    .contains(accountName(account) + ": Administrators").doesNotContain("account-" + account.accountId());
            assertThat(formText(browser)).contains("What removing " + integrationName + " touches")
                    .contains("Only in this platform").contains("not recoverable from a trash can");
            clickLabel(browser, "Permanently delete all data");
            complete(browser, "delete-3-choose-mode");

            openTask(browser, "Take or confirm a backup");
            assertThat(formText(browser)).contains("newest backup").contains("9 days ago: too old for a deletion by 8 days")
                    .contains("since a backup counts as recent for");
            // A refused answer on a field that is then hidden never leaves Complete disabled without a word.
            clickLabel(browser, "I have a recent backup elsewhere");
            browser.click(By.xpath("//button[normalize-space()='Complete']"));
            browser.visible(By.xpath("//*[contains(@class,'alert')][contains(., 'where the backup is kept')]"));
            screenshot(browser, "delete-4a-backup-refused");
            clickLabel(browser, "Export the account now");
            assertThat(browser.driver.findElement(By.xpath("//button[normalize-space()='Complete']")).isEnabled())
                    .as("Complete is enabled once the answer is complete").isTrue();
            complete(browser, "delete-4-backup");
            driver.runJobs(removal);

            openTask(browser, "Confirm the deletion");
            assertThat(formText(browser)).as("the export just made, where it went, and that it is recent")
                    .contains("an export by " + manager + ", file account-").contains("bytes)")
                    .contains("recent enough, since a backup counts as recent for 1 day");
            clickLabel(browser, "Permanently delete all data");
            type(browser, "Integration name", "wrong name");
            screenshot(browser, "delete-5a-wrong-confirmation");
            browser.click(By.xpath("//button[normalize-space()='Complete']"));
            // The refusal is a sentence at the top of the form the person is on, not a notice in the page corner.
            WebElement refusal = browser.visible(By.cssSelector(".psa-refusal"));
            assertThat(refusal.getText()).startsWith("Not completed: The name you typed does not match the integration")
                    .contains("the integration's name '" + integrationName + "'")
                    .doesNotContain("An error happened").doesNotContain("ENGINE-");
            assertThat(browser.driver.findElements(By.cssSelector(".page-notifications a, .page-notifications b,"
                    + " .psa-refusal a, .psa-refusal b, .fjs-form a[href*='evil.example'], .fjs-form b")))
                    .as("no markup of the name anywhere on the page").isEmpty();
            assertThat(refusal.getLocation().getY()).as("above the form")
                    .isLessThan(browser.driver.findElement(By.cssSelector(".fjs-form")).getLocation().getY());
            assertThat(browser.driver.findElements(By.cssSelector(".page-notifications .alert-danger")))
                    .as("the corner notice it replaces is hidden").noneMatch(WebElement::isDisplayed);
            screenshot(browser, "delete-5b-refused");
            assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("REMOVING");

            type(browser, "Integration name", integrationName);
            complete(browser, "delete-5c-confirm");

            // While the delete runs in the background, the requester's list says so; then it tells the outcome.
            openTask(browser, "Removal of " + integrationName + " is running: deleting");
            assertThat(formText(browser)).contains("in the background").contains("this notice closes");
            screenshot(browser, "delete-6-running");

            // Someone adds a document to an organization in scope after the confirmation: nothing of it is deleted
            // before the requester has seen it and confirmed again.
            String changed = jdbc.sql("""
                    with organization as (select id, name from organization where psa_integration_id = :psa
                                          order by id desc limit 1),
                         added as (insert into item (account_id, organization_id, kind, name, body)
                                   select :a, id, 'DOCUMENT', 'Runbook written after the confirmation', 'new'
                                   from organization)
                    select name from organization""")
                    .param("psa", account.psaIntegrationId()).param("a", account.accountId()).query(String.class).single();
            driver.runJobs(removal);
            openTask(browser, "Confirm the changed deletion");
            assertThat(formText(browser)).contains("What changed since you confirmed")
                    .contains("1 organization was added or changed").contains(changed).contains("Documents")
                    .contains("Nothing of the change was written");
            clickLabel(browser, "Go on with the scope as it is now");
            type(browser, "Integration name", integrationName);
            complete(browser, "delete-6b-changed-scope");
            driver.runJobs(removal);
            openTask(browser, "Removal done: " + integrationName + " and its data deleted");
            assertThat(formText(browser)).contains(integrationName + " is removed, its data deleted")
                    .contains("Confirmed").contains("Deleted").contains("Organizations").contains("Backup:")
                    .contains("Snapshot:")
                    .contains("RMM:").contains("Your PSA's own data was not touched").contains("closes by itself on");
            complete(browser, "delete-7-outcome");
            assertThat(browser.driver.findElements(By.xpath("//*[contains(@class,'task')]//*[contains(normalize-space(), 'is running')]")))
                    .as("the running notice withdrew itself").isEmpty();
        }
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("DELETED");
        assertThat(fixtures.count("select count(*) from organization where psa_integration_id = :p",
                account.psaIntegrationId())).isZero();
        assertThat(fixtures.count("select count(*) from organization where account_id = :p", account.accountId()))
                .isEqualTo(3);
    }

    @Test
    void managerDisconnectsThroughTasklist() {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        String before = fixtures.accountChecksum(account.accountId());
        try (Browser browser = new Browser(port)) {
            signIn(browser, manager);
            startRemoval(browser, "disconnect-1-start-form", ""); // the reason may wait until the integration is chosen
            ProcessInstance removal = latestRemovalOf(manager);

            openTask(browser, "Choose the PSA integration");
            chooseOption(browser, fixtures.integrationName(account.psaIntegrationId()));
            clickLabel(browser, "Continue with this integration");
            browser.click(By.xpath("//button[normalize-space()='Complete']"));
            browser.visible(By.xpath("//*[contains(@class,'alert')][contains(., 'needs the reason for the removal')]"));
            screenshot(browser, "disconnect-2a-reason-needed");
            typeText(browser, "Why is the integration being removed?", "Trying another PSA, keeping the records");
            ((JavascriptExecutor) browser.driver).executeScript("window.notReloaded = true;");
            complete(browser, "disconnect-2-choose-integration");
            // Tasklist reloads its list once after a completion; only then does the next step run, so that the next
            // task can reach the list by the filter's own refresh only.
            browser.until(d -> d.findElements(By.xpath(
                    "//*[contains(@class,'task')]//*[normalize-space()='Choose the PSA integration']")).isEmpty());
            driver.runJobs(removal);
            nextTaskAppearsWithoutAReload(browser, "Choose how to remove", "disconnect-3-next-task-appears");

            openTask(browser, "Choose how to remove");
            clickLabel(browser, "Permanently disconnect records");
            complete(browser, "disconnect-4-choose-mode");
            driver.runJobs(removal);

            String integrationName = fixtures.integrationName(account.psaIntegrationId());
            openTask(browser, "Removal done: " + integrationName + " disconnected");
            assertThat(formText(browser)).contains(integrationName + " is disconnected").contains("nothing was deleted")
                    .contains("From the PSA (confirmed)").contains("Disconnected").contains("Organizations");
            complete(browser, "disconnect-5-outcome");
        }
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("DISCONNECTED");
        assertThat(fixtures.count("select count(*) from organization where account_id = :p and psa_integration_id is null",
                account.accountId())).isEqualTo(account.organizations());
        assertThat(fixtures.count("select count(*) from item where account_id = :p", account.accountId()))
                .isEqualTo(account.items());
        assertThat(fixtures.accountChecksum(account.accountId())).as("links to the PSA are gone").isNotEqualTo(before);
    }

    @Test
    void editorIsRefused() {
        GeneratedAccount account = fixtures.create();
        String editor = fixtures.username(account, Role.EDITOR);
        try (Browser browser = new Browser(port)) {
            signIn(browser, editor);
            // Before writing anything, the start form says who may remove; the Editor starts without a reason ...
            startRemoval(browser, "editor-1-start-form", "", form -> assertThat(form)
                    .contains("Only a Manager or an Administrator of the account may remove a PSA integration")
                    .contains("which Administrators of the account to ask"));
            // ... and at once reads whom to ask.
            openTask(browser, "Read why the removal is not permitted");
            String why = formText(browser);
            assertThat(why).contains("Only a Manager or an Administrator of the account can remove a PSA integration")
                    .contains("whose role in " + accountName(account) + " is Editor").contains("Nothing was changed")
                    .contains("Manager role: " + accountName(account) + " Administrator").doesNotContain("EDITOR");
            complete(browser, "editor-2-not-permitted");
        }
        HistoricProcessInstance refused = history.createHistoricProcessInstanceQuery().startedBy(editor).singleResult();
        assertThat(refused.getEndActivityId()).isEqualTo("EndEvent_NotPermitted");
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("ACTIVE");
    }

    @Test
    void aRemovalWithNothingToRemoveSaysWhy() {
        GeneratedAccount account = fixtures.create();
        jdbc.sql("update integration set status = 'DISCONNECTED' where id = :id").param("id", account.psaIntegrationId()).update();
        String manager = fixtures.username(account, Role.MANAGER);
        try (Browser browser = new Browser(port)) {
            signIn(browser, manager);
            startRemoval(browser, "nothing-1-start-form", "Cleaning up");
            openTask(browser, "Removal ended: no PSA integration to remove");
            assertThat(formText(browser)).contains("Nothing to remove").contains(accountName(account)
                    + " has no active PSA integration").contains("without changing anything");
            complete(browser, "nothing-2-notice");
        }
    }

    @Test
    void aRemovalWaitingForSupportSaysSoUntilSupportAnswers() {
        GeneratedAccount account = fixtures.create(PlatformFixtures.smallAccount().withBulkDeleteEnabled(false));
        String manager = fixtures.username(account, Role.MANAGER);
        String integrationName = fixtures.integrationName(account.psaIntegrationId());
        try (Browser browser = new Browser(port)) {
            signIn(browser, manager);
            startRemoval(browser, "support-1-start-form", "Moving to HaloPSA");
            ProcessInstance removal = latestRemovalOf(manager);
            chooseIntegration(browser, removal, integrationName, "support-2-choose-integration");
            openTask(browser, "Choose how to remove");
            clickLabel(browser, "Permanently delete all data");
            complete(browser, "support-3-choose-mode");
            openTask(browser, "Bulk delete unavailable: decide");
            clickLabel(browser, "Ask support to enable bulk delete");
            complete(browser, "support-4-ask-support");

            String waiting = "Removal of " + integrationName + " waits for support";
            openTask(browser, waiting);
            assertThat(formText(browser)).contains("Waiting for support").contains("You asked support to switch bulk delete on for "
                    + accountName(account)).contains("Nothing has been changed yet");
            screenshot(browser, "support-5-waiting");

            driver.complete("support", removal, java.util.Map.of("supportDecision", "ENABLE"));
            driver.runJobs(removal);
            browser.open("/camunda/app/tasklist/default/");
            browser.visible(By.xpath("//*[contains(@class,'task')]//*[normalize-space()='Confirm the deletion']"));
            assertThat(browser.driver.findElements(By.xpath("//*[contains(@class,'task')]//*[normalize-space()='" + waiting + "']")))
                    .as("the notice closed by itself when support answered").isEmpty();
            screenshot(browser, "support-6-answered");
        }
    }

    /**
     * Four eyes in Tasklist: the account asks a second Administrator to approve every hard delete; the Manager's
     * confirmed deletion waits in the Administrators' list, shows what it deletes and why it needs them, and is approved
     * once claimed (a refusal without a note is refused in words, above the form).
     */
    @Test
    void aSecondAdministratorApprovesADeletionInTasklist() {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String integrationName = fixtures.integrationName(account.psaIntegrationId());
        approvals.setPolicy(account.accountId(), true, administrator, "Four eyes");
        // What the requester wrote, and their own name, reach the approver as written: no link, no emphasis, no heading.
        String name = "Mary-Jane [CEO](https://evil.example/ceo)";
        String reason = "Moving on: re-approve at https://evil.example/login **now** # urgent, or mail ops@evil.example";
        jdbc.sql("update platform_user set full_name = :name where username = :u").param("name", name).param("u", manager)
                .update();
        ProcessInstance removal = driver.confirmDeletion(account, manager, reason);

        try (Browser browser = new Browser(port)) {
            signIn(browser, administrator);
            openTask(browser, "Approve the deletion of " + integrationName);
            assertThat(formText(browser)).contains(name + " asks to permanently delete everything")
                    .contains("Reason given: " + reason)
                    .contains("Why your approval is needed: The account's removal policy asks a second Administrator")
                    .contains("Organizations").contains("Nothing of this scope has been deleted yet");
            assertThat(browser.driver.findElements(By.cssSelector(".fjs-form a[href*='evil.example']")))
                    .as("what a person wrote makes no link in another's form").isEmpty();
            screenshot(browser, "approve-1-offered");
            browser.click(By.cssSelector("[cam-tasklist-task-meta] .claim"));
            browser.until(d -> administrator.equals(driver.openTask(removal, false).getAssignee()));
            clickLabel(browser, "Refuse: nothing is deleted");
            browser.click(By.xpath("//button[normalize-space()='Complete']"));
            assertThat(browser.visible(By.cssSelector(".psa-refusal")).getText()).contains("Say why you refuse the deletion");
            screenshot(browser, "approve-2-refusal-needs-a-note");
            clickLabel(browser, "Approve: delete this data");
            complete(browser, "approve-3-approved");
        }
        assertThat(approvals.of(jdbc.sql("select id from removal where process_instance_id = :pid")
                .param("pid", removal.getId()).query(Long.class).single()))
                .singleElement().satisfies(approval -> {
                    assertThat(approval.decision()).isEqualTo("APPROVED");
                    assertThat(approval.decidedBy()).isEqualTo(administrator);
                });
    }

    /**
     * The requester withdraws in Tasklist a deletion that waits for a second Administrator: their own task says whom it
     * waits for and until when; withdrawn with a note, the removal ends with nothing deleted and the Administrators'
     * approval task is gone.
     */
    @Test
    void theRequesterWithdrawsADeletionThatWaitsForApprovalInTasklist() {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String integrationName = fixtures.integrationName(account.psaIntegrationId());
        approvals.setPolicy(account.accountId(), true, administrator, "Four eyes");
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = driver.confirmDeletion(account, manager);

        try (Browser browser = new Browser(port)) {
            signIn(browser, manager);
            openTask(browser, "Removal of " + integrationName + " waits for a second Administrator");
            assertThat(formText(browser)).contains("Waiting for a second Administrator")
                    .contains("until another Administrator of").contains("Organizations")
                    .contains("you may withdraw it until a second Administrator decides");
            screenshot(browser, "withdraw-1-waiting");
            clickLabel(browser, "Withdraw the deletion: keep everything");
            typeText(browser, "Why you withdraw it", "Wrong integration: we keep this one, see https://tickets.example/42");
            complete(browser, "withdraw-2-withdrawn");
        }
        driver.runJobs(removal);
        assertThat(jdbc.sql("select status || ': ' || outcome_reason from removal where process_instance_id = :pid")
                .param("pid", removal.getId()).query(String.class).single())
                .isEqualTo("CANCELLED: Withdrawn by " + manager + " while it waited for a second Administrator's approval:"
                        + " Wrong integration: we keep this one, see https://tickets.example/42");
        assertThat(taskService.createTaskQuery().processInstanceId(removal.getId()).count()).isZero();
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("ACTIVE");

        try (Browser browser = new Browser(port)) {
            signIn(browser, administrator);
            openTask(browser, "Approval no longer needed: " + manager + " withdrew the deletion of " + integrationName);
            assertThat(formText(browser)).as("the note as the requester wrote it, no escape in sight")
                    .contains(": Wrong integration: we keep this one, see https://tickets.example/42")
                    .contains("the approval task is closed");
            assertThat(browser.driver.findElements(By.cssSelector(".fjs-form a[href*='tickets.example']")))
                    .as("a bare address in a note is not made a link").isEmpty();
            screenshot(browser, "withdraw-3-approver-told");
        }
    }

    /**
     * An Administrator cancels a pending deletion in Tasklist during its cooling-off period: the task says what waits
     * out of sight and until when; cancelled with a note, everything is back exactly.
     */
    @Test
    void anAdministratorCancelsAPendingDeletionInTasklist() {
        GeneratedAccount account = fixtures.create();
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String integrationName = fixtures.integrationName(account.psaIntegrationId());
        approvals.setCoolingOff(account.accountId(), Duration.ofDays(7), administrator, "A week to change our minds");
        String before = fixtures.accountChecksum(account.accountId());
        ProcessInstance removal = driver.decide(account, io.psaremoval.removal.RemovalMode.DELETE);
        driver.runJobs(removal); // the snapshot, then the scope out of sight
        assertThat(jdbc.sql("select status from removal where process_instance_id = :pid").param("pid", removal.getId())
                .query(String.class).single()).isEqualTo("PENDING_DELETION");

        try (Browser browser = new Browser(port)) {
            signIn(browser, administrator);
            openTask(browser, "Cancel the pending deletion of " + integrationName);
            assertThat(formText(browser)).contains("Nothing is purged before").contains("organizations are out of sight")
                    .contains("Organizations").contains("Any Administrator of the account can cancel the deletion");
            screenshot(browser, "cooling-off-1-pending");
            browser.click(By.cssSelector("[cam-tasklist-task-meta] .claim"));
            browser.until(d -> administrator.equals(taskService.createTaskQuery().processInstanceId(removal.getId())
                    .singleResult().getAssignee()));
            clickLabel(browser, "Cancel the deletion: keep everything");
            typeText(browser, "Why you cancel it", "The customer renewed with this PSA");
            complete(browser, "cooling-off-2-cancelled");
        }
        assertThat(jdbc.sql("select status || ' ' || cancelled_by || ' ' || cancel_note from removal"
                + " where process_instance_id = :pid").param("pid", removal.getId()).query(String.class).single())
                .isEqualTo("CANCELLED " + administrator + " The customer renewed with this PSA");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("ACTIVE");
        assertThat(fixtures.count("select count(*) from listed_organization where psa_integration_id = :p",
                account.psaIntegrationId())).isEqualTo(fixtures.count(
                "select count(*) from organization where psa_integration_id = :p", account.psaIntegrationId()));
    }

    /**
     * An Administrator undoes a hard delete in Tasklist: starts "Restore deleted PSA data", chooses the snapshot,
     * reads what it holds (verified against its checksums) and confirms; the account is back exactly.
     */
    @Test
    void anAdministratorRestoresADeletedIntegrationInTasklist() {
        GeneratedAccount account = fixtures.create();
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String integrationName = fixtures.integrationName(account.psaIntegrationId());
        String before = fixtures.accountChecksum(account.accountId());
        driver.remove(account, io.psaremoval.removal.RemovalMode.DELETE);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("DELETED");

        try (Browser browser = new Browser(port)) {
            signIn(browser, administrator);
            browser.click(By.cssSelector("li.start-process-action a"));
            browser.click(By.xpath("//a[normalize-space()='Restore deleted PSA data']"));
            assertThat(browser.visible(By.cssSelector(".fjs-form")).getText()).contains("Only an Administrator of the account may restore")
                    .contains("comes back paused");
            browser.visible(By.cssSelector(".fjs-form textarea")).sendKeys("We deleted the wrong PSA");
            screenshot(browser, "restore-1-start-form");
            browser.click(By.xpath("//button[normalize-space()='Start']"));
            browser.until(d -> d.findElements(By.cssSelector(".modal-dialog")).isEmpty());
            ProcessInstance restore = latestRestoreOf(administrator);

            openTask(browser, "Choose the snapshot to restore");
            chooseOption(browser, integrationName);
            clickLabel(browser, "Check this snapshot and show what it holds");
            complete(browser, "restore-2-choose-snapshot");
            driver.runJobs(restore.getId());

            openTask(browser, "Confirm the restore");
            assertThat(formText(browser)).contains("What removal").contains("Organizations").contains("Verified just now")
                    .contains("comes back paused");
            clickLabel(browser, "Restore all of it");
            complete(browser, "restore-3-confirm");
            driver.runJobs(restore.getId());
        }
        assertThat(fixtures.accountChecksum(account.accountId())).as("the account back, every column and id").isEqualTo(before);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("PAUSED");
    }

    private ProcessInstance latestRestoreOf(String user) {
        List<HistoricProcessInstance> started = history.createHistoricProcessInstanceQuery().startedBy(user)
                .processDefinitionKey("RestoreDeletedPsaData").orderByProcessInstanceStartTime().desc().listPage(0, 1);
        assertThat(started).as("a restore started by " + user).isNotEmpty();
        return runtime.createProcessInstanceQuery().processInstanceId(started.get(0).getId()).singleResult();
    }

    // --- a person's steps ---------------------------------------------------------------------------

    private void signIn(Browser browser, String user) {
        browser.open("/camunda/app/tasklist/default/");
        browser.visible(By.cssSelector("input[ng-model=username]")).sendKeys(user);
        browser.driver.findElement(By.cssSelector("input[ng-model=password]")).sendKeys(PlatformFixtures.PASSWORD);
        browser.click(By.cssSelector("button[type=submit]"));
        browser.visible(By.cssSelector("li.start-process-action a"));
    }

    private void startRemoval(Browser browser, String screenshot, String reason) {
        startRemoval(browser, screenshot, reason, form -> { });
    }

    private void startRemoval(Browser browser, String screenshot, String reason,
            java.util.function.Consumer<String> startFormText) {
        browser.click(By.cssSelector("li.start-process-action a"));
        browser.click(By.xpath("//a[normalize-space()='Remove PSA integration']"));
        browser.visible(By.cssSelector(".fjs-form textarea")).sendKeys(reason);
        startFormText.accept(browser.driver.findElement(By.cssSelector(".fjs-form")).getText());
        screenshot(browser, screenshot);
        browser.click(By.xpath("//button[normalize-space()='Start']"));
        browser.until(d -> d.findElements(By.cssSelector(".modal-dialog")).isEmpty());
    }

    /** Picks the integration in the first task; the reservation and preview then run. */
    private void chooseIntegration(Browser browser, ProcessInstance removal, String integrationName, String screenshot) {
        openTask(browser, "Choose the PSA integration");
        chooseOption(browser, integrationName);
        clickLabel(browser, "Continue with this integration");
        complete(browser, screenshot);
        driver.runJobs(removal);
    }

    /**
     * The task list shows the next task by itself, the page never reloaded: the plugin's filter refreshes (Tasklist
     * reloads such a filter's list every 10 s; the wait allows for four of those).
     */
    private void nextTaskAppearsWithoutAReload(Browser browser, String name, String screenshot) {
        browser.until(Duration.ofSeconds(40), ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//*[contains(@class,'task')]//*[normalize-space()='" + name + "']")));
        screenshot(browser, screenshot);
        assertThat(((JavascriptExecutor) browser.driver).executeScript("return window.notReloaded === true;"))
                .as("the page was not reloaded").isEqualTo(true);
    }

    private void openTask(Browser browser, String name) {
        browser.open("/camunda/app/tasklist/default/");
        browser.click(By.xpath("//*[contains(@class,'task')]//*[normalize-space()='" + name + "']"));
        browser.visible(By.cssSelector(".fjs-form"));
    }

    private void chooseOption(Browser browser, String text) {
        browser.click(By.cssSelector(".fjs-form-field-select .fjs-input-group"));
        browser.click(By.xpath("//*[contains(@class,'fjs-dropdownlist-item') and contains(., '" + text + "')]"));
    }

    private void clickLabel(Browser browser, String text) {
        browser.click(By.xpath("//div[contains(@class,'fjs-form')]//label[contains(normalize-space(.), '" + text + "')]"));
    }

    private void type(Browser browser, String label, String value) {
        WebElement input = browser.visible(By.xpath("//label[starts-with(normalize-space(), '" + label + "')]/following::input[1]"));
        input.clear();
        input.sendKeys(value);
    }

    private void typeText(Browser browser, String label, String value) {
        WebElement text = browser.visible(By.xpath("//label[starts-with(normalize-space(), '" + label + "')]/following::textarea[1]"));
        text.clear();
        text.sendKeys(value);
    }

    /** Completes the open task and waits until the engine has it completed. */
    private void complete(Browser browser, String screenshot) {
        screenshot(browser, screenshot);
        String taskName = browser.driver.findElement(By.cssSelector("h2.task")).getText();
        long open = taskService.createTaskQuery().taskName(taskName).count();
        browser.click(By.xpath("//button[normalize-space()='Complete']"));
        browser.until(d -> taskService.createTaskQuery().taskName(taskName).count() < open);
    }

    private String formText(Browser browser) {
        return browser.visible(By.cssSelector(".fjs-form")).getText();
    }

    private void screenshot(Browser browser, String name) {
        browser.screenshot(name);
        try {
            Files.writeString(Path.of("target", "screenshots", name + ".html"), browser.pageSource());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String accountName(GeneratedAccount account) {
        return jdbc.sql("select name from account where id = :id").param("id", account.accountId()).query(String.class)
                .single();
    }

    private ProcessInstance latestRemovalOf(String user) {
        List<HistoricProcessInstance> started = history.createHistoricProcessInstanceQuery().startedBy(user)
                .orderByProcessInstanceStartTime().desc().listPage(0, 1);
        assertThat(started).as("a removal started by " + user).isNotEmpty();
        return runtime.createProcessInstanceQuery().processInstanceId(started.get(0).getId()).singleResult();
    }

}

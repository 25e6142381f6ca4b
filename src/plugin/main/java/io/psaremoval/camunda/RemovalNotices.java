package io.psaremoval.camunda;

import io.psaremoval.account.Accounts;
import io.psaremoval.backup.BackupService;
import io.psaremoval.engine.EngineAuthorizations;
import io.psaremoval.engine.EngineTexts;
import io.psaremoval.engine.NoticeWithdrawal;
import io.psaremoval.removal.DataRemovalService;
import io.psaremoval.removal.DataRemovalService.KindReconciled;
import io.psaremoval.removal.DeletionApprovals;
import io.psaremoval.removal.ImpactReport;
import io.psaremoval.removal.Removal;
import io.psaremoval.removal.RemovalMode;
import io.psaremoval.removal.RemovalService;
import io.psaremoval.removal.RemovalSettings;
import io.psaremoval.removal.RemovalStatus;
import io.psaremoval.rmm.RmmDeliveryService;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.impl.context.Context;
import org.springframework.stereotype.Component;

/**
 * What a removal tells its requester in Tasklist when it does not need them: each notice is an instance of the
 * process {@value #PROCESS_KEY} with one task for one reader (the requester; or, when the requester withdraws a deletion
 * that waited for a second Administrator, each Administrator who was asked to approve it), named by the notice's
 * title, whose form shows its text. A removal waiting for support says so until support answers; a disconnect or
 * delete says it is running until it ends; every removal that ends without the requester's last word (done, nothing
 * to remove, unavailable, refused by a rule, expired) tells how it ended, a delete or disconnect per kind against the
 * preview the person confirmed, with the backup and the RMM notice. A notice that no longer holds is withdrawn by the removal
 * ({@link NoticeWithdrawal}); an unread one closes by itself after {@code psa.removal.notice-timeout}.
 *
 * <p>Notices are started from inside the removal's own engine commands, often a person's task completion: the
 * person may not create instances of the notice process themselves (no one may), so the start and the withdrawal
 * run without the engine's authorization checks. Reading a notice needs nothing more than being its assignee.
 */
@Component("removalNotices")
public class RemovalNotices {

    public static final String PROCESS_KEY = EngineAuthorizations.NOTICE_PROCESS_KEY;

    /** What a notice is about. */
    enum Kind { WAITING_FOR_SUPPORT, WAITING_FOR_APPROVAL, PENDING_DELETION, RUNNING, OUTCOME, APPROVAL_WITHDRAWN, APPROVAL_EXPIRED }

    /** Outcomes the requester learns of in a notice; a refusal of their role and their own cancel they saw already. */
    private static final Set<RemovalStatus> TOLD = Set.of(RemovalStatus.DELETED, RemovalStatus.DISCONNECTED,
            RemovalStatus.NOTHING_TO_REMOVE, RemovalStatus.UNAVAILABLE, RemovalStatus.REFUSED, RemovalStatus.EXPIRED,
            RemovalStatus.NOT_APPROVED);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy 'at' HH:mm 'UTC'", Locale.ENGLISH);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH);

    private final RuntimeService runtime;
    private final RemovalService removals;
    private final DataRemovalService data;
    private final BackupService backups;
    private final RmmDeliveryService rmm;
    private final Accounts accounts;
    private final RemovalSettings settings;

    RemovalNotices(RuntimeService runtime, RemovalService removals, DataRemovalService data, BackupService backups,
            RmmDeliveryService rmm, Accounts accounts, RemovalSettings settings) {
        this.runtime = runtime;
        this.removals = removals;
        this.data = data;
        this.backups = backups;
        this.rmm = rmm;
        this.accounts = accounts;
        this.settings = settings;
    }

    /** On the support task's creation (the BPMN's task listener). */
    public void waitingForSupport(DelegateTask supportTask) {
        tellWaitingForSupport(supportTask.getProcessInstanceId());
    }

    /** On the support task's completion or deletion (answered, or its time ran out). */
    public void supportAnswered(DelegateTask supportTask) {
        withdrawWaitingForSupport(supportTask.getProcessInstanceId());
    }

    /**
     * On the way back from support's request left unanswered for {@code psa.removal.support-task-timeout}: the
     * requester decides again, told so (the removal does not expire for support's silence; the requester's own task
     * has its own timeout).
     */
    public void supportDidNotAnswer(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
        execution.setVariable(RemovalVariables.SUPPORT_ANSWER, "**Support did not answer** within "
                + io.psaremoval.removal.ImpactReport.duration(settings.supportTaskTimeout())
                + ": you can ask again, disconnect the integration instead, or cancel.");
    }

    /**
     * On the creation of the requester's task beside the approval ("Withdraw or wait"): the task is named for the wait,
     * and its form tells whom the deletion waits for and until when ({@code approvalWaitText}, local to the task).
     */
    public void waitingForApprovalTask(DelegateTask withdrawTask) {
        Removal removal = removals.get(withdrawTask.getProcessInstanceId());
        NoticeWithdrawal.withdraw(removal.businessKey(), Kind.RUNNING.name()); // a changed scope waits for it again
        withdrawTask.setName(waitingForApprovalTitle(removal));
        withdrawTask.setVariableLocal(RemovalVariables.APPROVAL_WAIT_TEXT, waitingForApprovalText(removal, withdrawTask)
                + "\n\nWhen they decide, this task closes by itself: an approval lets the delete begin, a refusal ends"
                + " the removal with nothing deleted and tells you why.");
    }

    /**
     * On the creation of the task that asks the person to confirm a changed scope: nothing runs while it waits, so the
     * "running" notice no longer holds (a write step gives it again when the removal goes on).
     */
    public void waitingForChangedScope(DelegateTask confirmTask) {
        NoticeWithdrawal.withdraw(removals.get(confirmTask.getProcessInstanceId()).businessKey(), Kind.RUNNING.name());
    }

    /**
     * On the approval task's creation in a process deployed before the requester could withdraw: the requester learns
     * whom the deletion waits for in a notice.
     */
    public void waitingForApproval(DelegateTask approvalTask) {
        Removal removal = removals.get(approvalTask.getProcessInstanceId());
        NoticeWithdrawal.withdraw(removal.businessKey(), Kind.RUNNING.name()); // a changed scope waits for it again
        give(removal, Kind.WAITING_FOR_APPROVAL, waitingForApprovalTitle(removal), waitingForApprovalText(removal, approvalTask)
                + "\n\nWhen they decide, this notice closes: an approval lets the delete begin, a refusal ends"
                + " the removal with nothing deleted and tells you why.");
    }

    private static String waitingForApprovalTitle(Removal removal) {
        return "Removal of " + removal.integrationName() + " waits for a second Administrator";
    }

    private String waitingForApprovalText(Removal removal, DelegateTask task) {
        return "# Waiting for a second Administrator\n" + plain(String.valueOf(task.getVariable("approvalReason")))
                + " Removal " + removal.businessKey() + " deletes nothing " + (removal.mode() == null ? "" : "more ")
                + "of " + plain(removal.integrationName()) + " until another Administrator of " + account(removal)
                + " approves it in Tasklist (" + plain(String.valueOf(task.getVariable("approvers"))) + "). They have until "
                + OffsetDateTime.now(ZoneOffset.UTC).plus(settings.userTaskTimeout()).format(WHEN)
                + "; if nobody decides by then, the removal expires with nothing " + (removal.mode() == null ? "" : "more ")
                + "deleted.";
    }

    /** On the approval task's completion or deletion, in a process deployed before the requester could withdraw. */
    public void approvalAnswered(DelegateTask approvalTask) {
        NoticeWithdrawal.withdraw(removals.get(approvalTask.getProcessInstanceId()).businessKey(),
                Kind.WAITING_FOR_APPROVAL.name());
    }

    /** On "Cancel the pending deletion"'s creation: the requester learns that nothing is purged before the period ends. */
    public void pendingDeletion(DelegateTask cancelTask) {
        Removal removal = removals.get(cancelTask.getProcessInstanceId());
        NoticeWithdrawal.withdraw(removal.businessKey(), Kind.RUNNING.name());
        if (NoticeWithdrawal.isOpen(removal.businessKey(), Kind.PENDING_DELETION.name())) {
            return; // told already (the timer fired before the period was over, and the deletion waits again)
        }
        give(removal, Kind.PENDING_DELETION, "Deletion of " + removal.integrationName() + " is pending until "
                        + cancelTask.getVariable(RemovalVariables.PURGE_AFTER_TEXT),
                "# Pending deletion: nothing purged yet\nRemoval " + removal.businessKey() + " moved the organizations"
                        + " synced from " + plain(removal.integrationName()) + " out of sight: they are not listed and no"
                        + " RMM device can be matched to them anew, but every record is still there. They are purged on "
                        + cancelTask.getVariable(RemovalVariables.PURGE_AFTER_TEXT) + ", when the cooling-off period of "
                        + account(removal) + " ends.\n\nUntil then any Administrator of " + account(removal)
                        + " can cancel the deletion in Tasklist (*Cancel the pending deletion*): everything comes back"
                        + " exactly as it was. This notice closes when the purge begins or the deletion is cancelled.");
    }

    /**
     * The purge found the scope changed since it was confirmed: the notice of the wait no longer holds (the person
     * confirms the change, and the confirmed change waits a period of its own, told anew).
     */
    void scopeChangedWhilePending(String processInstanceId) {
        NoticeWithdrawal.withdraw(removals.get(processInstanceId).businessKey(), Kind.PENDING_DELETION.name());
    }

    /**
     * After a job of the delete that was not told to wait: once the purge of a pending deletion has begun, the notice
     * that nothing is purged yet gives way to the one that the delete runs (a cancel ends both with the outcome).
     */
    void purgeBegun(String processInstanceId) {
        Removal removal = removals.get(processInstanceId);
        if (NoticeWithdrawal.isOpen(removal.businessKey(), Kind.PENDING_DELETION.name())) {
            NoticeWithdrawal.withdraw(removal.businessKey(), Kind.PENDING_DELETION.name());
            tellRunning(processInstanceId, RemovalMode.DELETE);
        }
    }

    /**
     * On the flow into the disconnect's chunks, or the delete's snapshot and chunks once approved where needed (the BPMN's
     * execution listener); once per removal while it runs.
     */
    public void running(DelegateExecution execution, String mode) {
        tellRunning(execution.getProcessInstanceId(), RemovalMode.valueOf(mode));
    }

    /** The removal asked support to switch bulk delete on and waits for their answer. */
    void tellWaitingForSupport(String processInstanceId) {
        Removal removal = removals.get(processInstanceId);
        give(removal, Kind.WAITING_FOR_SUPPORT, "Removal of " + removal.integrationName() + " waits for support",
                "# Waiting for support\nYou asked support to switch bulk delete on for " + account(removal)
                        + ", so that removal " + removal.businessKey() + " can delete the data of "
                        + plain(removal.integrationName()) + ". Support has until "
                        + OffsetDateTime.now(ZoneOffset.UTC).plus(settings.supportTaskTimeout()).format(WHEN)
                        + " to answer. Nothing has been changed yet.\n\nWhen support answers, the removal's next task"
                        + " appears in this list by itself, and this notice closes.");
    }

    /** Support answered, or their time ran out. */
    void withdrawWaitingForSupport(String processInstanceId) {
        NoticeWithdrawal.withdraw(removals.get(processInstanceId).businessKey(), Kind.WAITING_FOR_SUPPORT.name());
    }

    /** A disconnect or delete begins: it runs in the background, chunk by chunk, and may take a while. */
    void tellRunning(String processInstanceId, RemovalMode mode) {
        Removal removal = removals.get(processInstanceId);
        if (NoticeWithdrawal.isOpen(removal.businessKey(), Kind.RUNNING.name())) {
            return; // told already (a delete goes on after a changed scope was confirmed and approved again)
        }
        if (mode == RemovalMode.DELETE && removal.coolsOff() && removal.status() != RemovalStatus.RUNNING) {
            return; // a pending deletion is told as such; "running" once its purge has begun
        }
        boolean delete = mode == RemovalMode.DELETE;
        give(removal, Kind.RUNNING, "Removal of " + removal.integrationName() + " is running: "
                        + (delete ? "deleting" : "disconnecting"),
                "# " + (delete ? "Deleting " : "Disconnecting ") + plain(removal.integrationName()) + "\nRemoval "
                        + removal.businessKey() + " " + (delete ? "deletes the data of the organizations synced from "
                        : "disconnects the organizations synced from ") + plain(removal.integrationName()) + " in "
                        + account(removal) + " in the background, a few thousand records at a time; you may close"
                        + " Tasklist meanwhile. When it ends, this notice closes and its outcome appears in this list.");
    }

    /** The removal ended: open notices of it are withdrawn, and the requester learns the outcome where they should. */
    void tellOutcome(String processInstanceId, RemovalStatus outcome, String reason) {
        Removal removal = removals.get(processInstanceId);
        NoticeWithdrawal.withdraw(removal.businessKey(), null); // it waits and runs no more; it had no outcome before
        boolean cancelledByAnAdministrator = outcome == RemovalStatus.CANCELLED && reason != null;
        if (!TOLD.contains(outcome) && !cancelledByAnAdministrator) {
            return;
        }
        String title = integrationOf(removal);
        String name = plain(title);
        switch (outcome) {
            case DELETED -> give(removal, Kind.OUTCOME, "Removal done: " + title + " and its data deleted",
                    "# " + name + " is removed, its data deleted\nRemoval " + removal.businessKey() + " deleted what you"
                            + " confirmed: everything of the organizations synced from " + name + " in " + account(removal)
                            + ".\n\n" + table(removal, RemovalMode.DELETE) + "\n" + backup(removal) + rmmNotice(removal)
                            + "\n\nYour PSA's own data was not touched.");
            case DISCONNECTED -> give(removal, Kind.OUTCOME, "Removal done: " + title + " disconnected",
                    "# " + name + " is disconnected\nRemoval " + removal.businessKey() + " disconnected " + name + " from "
                            + account(removal) + ": its organizations and their items stay as stand-alone records, nothing"
                            + " was deleted.\n\n" + table(removal, RemovalMode.DISCONNECT)
                            + "\nYour PSA's own data was not touched.");
            case NOTHING_TO_REMOVE -> give(removal, Kind.OUTCOME, "Removal ended: no PSA integration to remove",
                    "# Nothing to remove\n" + account(removal) + " has no active PSA integration, so removal "
                            + removal.businessKey() + " ended without changing anything. An integration already being"
                            + " removed, disconnected or deleted is not offered again.");
            case UNAVAILABLE -> give(removal, Kind.OUTCOME, "Removal ended: " + title + " is not available",
                    "# " + name + " could not be reserved\n" + sentence(reason, "Another removal holds it, or it changed"
                            + " since you chose it.") + " Removal " + removal.businessKey()
                            + " ended without changing anything; you may start a new one.");
            case REFUSED -> give(removal, Kind.OUTCOME, "Removal stopped: " + title,
                    "# Removal stopped, nothing more written\n" + sentence(reason, "A rule of the removal was broken.")
                            + "\n\n" + (removal.mode() == null ? "Nothing was written."
                            : "What was written before it stopped stays written:\n\n" + table(removal, removal.mode()))
                            + "\nAsk an Administrator of " + account(removal) + " if you need to go on.");
            case EXPIRED -> give(removal, Kind.OUTCOME, removal.mode() == null ? "Removal expired: nothing changed"
                            : "Removal expired: " + title + " partly removed",
                    "# Removal expired\nA task of removal " + removal.businessKey() + " was left untouched for longer"
                            + " than allowed, so the removal ended " + (removal.mode() == null
                            ? "before anything was written and " + name + " is released."
                            : "and " + name + " is paused. What was written before it waited for you stays written:\n\n"
                                    + table(removal, removal.mode()))
                            + " Start a new removal when you are ready.");
            case NOT_APPROVED -> give(removal, Kind.OUTCOME, "Removal not approved: " + title,
                    "# The deletion was not approved\n" + sentence(reason, "A second Administrator refused it.")
                            + "\n\nRemoval " + removal.businessKey() + (removal.mode() == null
                            ? " ended before anything was deleted; " + name + " is released as it was."
                            : " ended with nothing more deleted; " + name + " is paused. What was deleted before the change"
                                    + " that needed this approval stays deleted:\n\n" + table(removal, removal.mode()))
                            + " Start a new removal when you have settled it with them.");
            case CANCELLED -> give(removal, Kind.OUTCOME, "Deletion cancelled: " + title + " kept",
                    "# The pending deletion was cancelled\n" + plain(reason.strip()) + "\n\nRemoval " + removal.businessKey()
                            + " ended during its cooling-off period with nothing deleted: the organizations synced from "
                            + name + " are back in sight exactly as they were, and " + name + " is released as it was.");
            default -> throw new IllegalStateException("No notice for " + outcome);
        }
    }

    /**
     * After the removal ended as withdrawn (its notices withdrawn): each Administrator who had been asked to approve the
     * deletion learns, in a notice of their own, that its approval task is gone because the requester withdrew it, when
     * and why, and that nothing was deleted.
     */
    void tellApproversOfWithdrawal(String processInstanceId, DeletionApprovals.Withdrawal withdrawal) {
        Removal removal = removals.get(processInstanceId);
        String name = integrationOf(removal);
        String title = "Approval no longer needed: " + withdrawal.withdrawnBy() + " withdrew the deletion of " + name;
        String text = "# The deletion was withdrawn\n" + plain(withdrawal.withdrawnBy()) + " withdrew removal "
                + removal.businessKey() + ", the deletion of " + plain(name) + " in " + account(removal)
                + " that waited for a second Administrator's approval, on "
                + withdrawal.withdrawnAt().atZoneSameInstant(ZoneOffset.UTC).format(WHEN) + ": "
                + plain(withdrawal.note()) + "\n\n" + nothingMoreDeleted(removal, name);
        for (String approver : withdrawal.approvers()) {
            give(removal, approver, Kind.APPROVAL_WITHDRAWN, title, text);
        }
    }

    /**
     * After the removal expired while its deletion waited for a second approval: each Administrator who had been asked to
     * approve it (and still may) learns, in a notice of their own, that its approval task is gone because nobody decided
     * in time, and that nothing was deleted. No one to tell: nothing happens.
     */
    void tellApproversOfExpiry(String processInstanceId, List<String> approvers) {
        if (approvers.isEmpty()) {
            return;
        }
        Removal removal = removals.get(processInstanceId);
        String name = integrationOf(removal);
        String title = "Approval no longer needed: the deletion of " + name + " expired undecided";
        String text = "# The deletion expired\nNobody approved or refused removal " + removal.businessKey()
                + ", the deletion of " + plain(name) + " in " + account(removal) + " asked for by "
                + plain(removal.requestedBy()) + ", within the time a task may stay untouched, so it expired on "
                + OffsetDateTime.now(ZoneOffset.UTC).format(WHEN) + ".\n\n" + nothingMoreDeleted(removal, name)
                + " If the deletion is still wanted, " + plain(removal.requestedBy()) + " starts a new removal.";
        for (String approver : approvers) {
            give(removal, approver, Kind.APPROVAL_EXPIRED, title, text);
        }
    }

    /** How a deletion that waited for a second approval left the data when it ended undecided, for its approvers. */
    private static String nothingMoreDeleted(Removal removal, String name) {
        return (removal.mode() == null
                ? "Nothing was deleted, and " + plain(name) + " is released as it was."
                : "Nothing more was deleted; " + plain(name) + " is paused, and what an earlier round of the removal"
                        + " deleted stays deleted.")
                + " There is nothing for you to approve: the approval task is closed.";
    }

    private String table(Removal removal, RemovalMode mode) {
        boolean delete = mode == RemovalMode.DELETE;
        List<KindReconciled> lines = data.reconciliation(removal.id(), mode);
        StringBuilder md = new StringBuilder(delete ? "| Kind | Confirmed | Deleted |\n|---|---:|---:|\n"
                : "| Kind | From the PSA (confirmed) | Disconnected |\n|---|---:|---:|\n");
        boolean differs = false;
        long confirmed = 0;
        long written = 0;
        for (KindReconciled line : lines) {
            String label = line.kind().equals("RMM_DEVICE") ? "RMM devices (unmatched, not deleted)" : ImpactReport.label(line.kind());
            md.append("| ").append(label).append(" | ").append(n(line.confirmed())).append(" | ").append(n(line.written()))
                    .append(" |\n");
            differs |= line.confirmed() != line.written();
            if (!line.kind().equals("RMM_DEVICE")) {
                confirmed += line.confirmed();
                written += line.written();
            }
        }
        md.append("| **All** | **").append(n(confirmed)).append("** | **").append(n(written)).append("** |\n");
        if (differs) {
            md.append("\nWhere a number differs from what you confirmed, the data changed between the preview and the ")
                    .append(delete ? "delete" : "disconnect").append(" (a sync or a person added or removed records); the"
                            + " audit shows each kind.\n");
        }
        return md.toString();
    }

    private String backup(Removal removal) {
        String snapshot = removal.scopeRound() == null ? "" : backups.snapshotOf(removal.id(), removal.scopeRound())
                .map(taken -> "**Snapshot:** " + plain(backups.describe(taken.id()).orElse("snapshot " + taken.id()))
                        + "; it holds every row that was deleted, verified before the delete began.\n\n")
                .orElse("");
        return (removal.backupId() == null ? "" : "**Backup:** " + plain(backups.describe(removal.backupId())
                .orElse("backup " + removal.backupId())) + ".\n\n") + snapshot;
    }

    private String rmmNotice(Removal removal) {
        RmmDeliveryService.Summary summary = rmm.summary(removal.id());
        if (summary.devices() == 0) {
            return "**RMM:** no RMM device was matched to the deleted configurations.";
        }
        return "**RMM:** " + n(summary.devices()) + " RMM devices matched to the deleted configurations are unmatched; "
                + summary.notices() + (summary.notices() == 1 ? " notice" : " notices") + " to their RMM integrations: "
                + summary.delivered() + " delivered" + (summary.awaitingEndpoint() == 0 ? "."
                : ", " + summary.awaitingEndpoint() + " waiting until an Administrator sets the RMM integration's endpoint.");
    }

    private String account(Removal removal) {
        return removal.accountId() == null ? "your account"
                : accounts.findName(removal.accountId()).map(RemovalNotices::plain).orElse("your account");
    }

    private void give(Removal removal, Kind kind, String title, String text) {
        if (removal.requestedBy() == null) {
            return; // no platform user to tell
        }
        give(removal, removal.requestedBy(), kind, title, text);
    }

    /** A notice for one person, its only reader: the requester, or an Administrator asked to approve. */
    private void give(Removal removal, String reader, Kind kind, String title, String text) {
        // A text variable holds 4,000 characters: a long name never stops the removal.
        title = EngineTexts.fitted(title, EngineTexts.TASK_NAME);
        text = EngineTexts.fitted(text, 3_900);
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put(NoticeWithdrawal.READER, reader); // its assignee
        variables.put(NoticeWithdrawal.KIND, kind.name());
        variables.put(NoticeWithdrawal.TITLE, title);
        variables.put("noticeText", text);
        variables.put("noticeExpiresOn", OffsetDateTime.now(ZoneOffset.UTC).plus(settings.noticeTimeout()).format(DAY));
        variables.put("removalBusinessKey", removal.businessKey());
        Context.getCommandContext().runWithoutAuthorization(() -> runtime.createProcessInstanceByKey(PROCESS_KEY)
                .businessKey(removal.businessKey()).setVariables(variables).execute());
    }

    /** The integration's name, or what stands for it when the removal never had one chosen. */
    private static String integrationOf(Removal removal) {
        return removal.integrationName() == null ? "the PSA integration" : removal.integrationName();
    }

    private static String sentence(String reason, String otherwise) {
        return reason == null || reason.isBlank() ? otherwise : plain(reason.strip());
    }

    /** Text from the platform's data or a person, shown as it is: Markdown's characters lose their meaning. */
    public static String plain(String text) {
        return ImpactReport.plain(text);
    }

    private static String n(long value) {
        return String.format(Locale.ENGLISH, "%,d", value);
    }
}

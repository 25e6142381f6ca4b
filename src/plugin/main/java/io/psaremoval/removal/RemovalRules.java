package io.psaremoval.removal;

import io.psaremoval.account.Accounts;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.account.Role;
import io.psaremoval.backup.Backup;
import io.psaremoval.backup.BackupService;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.springframework.stereotype.Component;

/**
 * What the process promised on the way to a write step, checked again from the database inside the write's own
 * transaction, right before it writes: the flow's gateways and forms are not trusted, because the engine's
 * generic API can move a process instance without them. Rows read for a check are share-locked, so a change
 * (a demotion, bulk delete switched off) committed while the write runs takes effect at the next write.
 * Every failed check throws {@link RemovalRefusedException}; nothing has been written by then.
 */
@Component
class RemovalRules {

    private final PlatformUsers users;
    private final Accounts accounts;
    private final BackupService backups;
    private final RemovalSettings settings;
    private final ApprovalRepository approvals;

    RemovalRules(PlatformUsers users, Accounts accounts, BackupService backups,
            RemovalSettings settings, ApprovalRepository approvals) {
        this.users = users;
        this.accounts = accounts;
        this.backups = backups;
        this.settings = settings;
        this.approvals = approvals;
    }

    /** The removal is in one of the states the step follows. */
    void requireState(Removal removal, String step, RemovalStatus... expected) {
        if (!Arrays.asList(expected).contains(removal.status())) {
            throw new RemovalRefusedException("'" + step + "' cannot run: removal " + removal.businessKey() + " is "
                    + describe(removal.status()) + ", not " + describeAll(expected) + ".");
        }
    }

    /** The requester chose this mode (recorded by the form that offers it). */
    void requireChosen(Removal removal, RemovalMode mode, String step) {
        if (removal.chosenMode() != mode) {
            throw new RemovalRefusedException("'" + step + "' cannot run: the requester chose "
                    + (removal.chosenMode() == null ? "no way to remove yet" : "to " + verb(removal.chosenMode()))
                    + ", not to " + verb(mode) + ".");
        }
    }

    /** The requester is still an active Manager or Administrator of the removal's account. */
    void requirePermittedRequester(Removal removal) {
        requirePermitted(removal, removal.requestedBy(), "The requester");
    }

    /** The person who typed the confirmation is still an active Manager or Administrator of the account. */
    void requirePermittedConfirmer(Removal removal) {
        if (removal.confirmedBy() == null) {
            throw new RemovalRefusedException("Nothing is deleted: no one typed the integration's name to confirm "
                    + "removal " + removal.businessKey() + ".");
        }
        requirePermitted(removal, removal.confirmedBy(), "The person who confirmed the deletion");
    }

    /** Whether the user may remove the account's PSA integration now; null when they may, else why not. */
    String whyNotPermitted(long accountId, String username, String who) {
        PlatformUser user = username == null ? null : users.lockForWrite(username).orElse(null);
        if (user == null || !user.active()) {
            return who + " (" + username + ") is not an active user of the platform.";
        }
        if (!Objects.equals(user.accountId(), accountId)) {
            return who + " (" + username + ") does not belong to the removal's account.";
        }
        if (!user.role().mayRemove()) {
            return who + " (" + username + ") is " + user.role().withArticle() + "; only a Manager or an Administrator may "
                    + "remove a PSA integration.";
        }
        return null;
    }

    private void requirePermitted(Removal removal, String username, String who) {
        String reason = whyNotPermitted(removal.requireAccountId(), username, who);
        if (reason != null) {
            throw new RemovalRefusedException(reason + " Nothing more was written.");
        }
    }

    /** The account's bulk delete feature is on. */
    void requireBulkDeleteEnabled(Removal removal) {
        if (!accounts.isBulkDeleteEnabledForWrite(removal.requireAccountId())) {
            throw new RemovalRefusedException("Bulk delete is not enabled on the account: nothing is deleted.");
        }
    }

    /**
     * The removal relies on a backup of its own account that was recent when the deletion was confirmed (the
     * check, an export or an external backup recorded it on the removal).
     */
    void requireRecentBackup(Removal removal, OffsetDateTime confirmedAt) {
        Backup backup = removal.backupId() == null ? null : backups.find(removal.backupId()).orElse(null);
        if (backup == null || backup.accountId() != removal.requireAccountId()) {
            throw new RemovalRefusedException("Nothing is deleted: removal " + removal.businessKey()
                    + " has no backup of the account on record.");
        }
        OffsetDateTime oldestRecent = (confirmedAt == null ? OffsetDateTime.now() : confirmedAt).minus(settings.backupMaxAge());
        if (backup.completedAt().isBefore(oldestRecent)) {
            throw new RemovalRefusedException("Nothing is deleted: the backup this removal relies on (completed "
                    + backup.completedAt() + ") was not recent when the deletion was confirmed.");
        }
    }

    /** A verified snapshot of the removal's confirmed scope round is on record and kept: nothing is deleted without one. */
    void requireVerifiedSnapshot(Removal removal) {
        if (removal.scopeRound() == null || backups.snapshotOf(removal.id(), removal.scopeRound()).isEmpty()) {
            throw new RemovalRefusedException("Nothing is deleted: removal " + removal.businessKey() + " has no verified"
                    + " snapshot of its confirmed scope" + (removal.scopeRound() == null ? "." : " (round "
                    + removal.scopeRound() + ")."));
        }
    }

    /**
     * Why the removal's hard delete of its confirmed scope round needs a second Administrator's approval, in words; null
     * when it does not. The account's policy counts as it was when the deletion (or its changed scope) was confirmed;
     * the size of the round against {@code psa.removal.approval-above-organizations} and {@code -items}. Once asked for,
     * the approval of a round stays needed, whatever the settings say since.
     */
    String whyApprovalRequired(Removal removal) {
        if (!removal.fourEyes() || removal.scopeRound() == null) {
            return null; // recorded before four eyes existed; or nothing confirmed yet
        }
        DeletionApproval asked = approvals.find(removal.id(), removal.scopeRound()).orElse(null);
        if (asked != null) {
            return asked.requiredBecause(); // asked for once, needed whatever the settings say since
        }
        return whyApprovalWouldBeRequired(removal, removal.approvalRequiredByPolicy());
    }

    /**
     * Why a hard delete of the removal's scope round would need a second Administrator's approval under the given
     * policy, in words; null when it would not (what the person is told before they confirm).
     */
    String whyApprovalWouldBeRequired(Removal removal, boolean byPolicy) {
        if (removal.scopeRound() == null) {
            return null;
        }
        List<String> reasons = new java.util.ArrayList<>();
        if (byPolicy) {
            reasons.add("The account's removal policy asks a second Administrator to approve every hard delete.");
        }
        ApprovalRepository.RoundSize size = approvals.size(removal.id(), removal.scopeRound());
        if (size.organizations() > settings.approvalAboveOrganizations()) {
            reasons.add("It deletes " + ImpactReport.n(size.organizations()) + " organizations, more than the "
                    + ImpactReport.n(settings.approvalAboveOrganizations()) + " one person may delete alone.");
        }
        if (size.items() > settings.approvalAboveItems()) {
            reasons.add("It deletes " + ImpactReport.n(size.items()) + " items, more than the "
                    + ImpactReport.n(settings.approvalAboveItems()) + " one person may delete alone.");
        }
        return reasons.isEmpty() ? null : String.join(" ", reasons);
    }

    /**
     * When the delete needs a second approval ({@link #whyApprovalRequired}): an Administrator of the account, still
     * active, who neither asked for the removal nor confirmed it, approved the confirmed round of its scope.
     */
    void requireSecondApproval(Removal removal) {
        String why = whyApprovalRequired(removal);
        if (why == null) {
            return;
        }
        DeletionApproval approval = approvals.find(removal.id(), removal.scopeRound()).orElse(null);
        if (approval == null || !approval.approved()) {
            throw new RemovalRefusedException("Nothing is deleted: " + why + " No second Administrator approved "
                    + (removal.scopeRound() > 1 ? "round " + removal.scopeRound() + " of its scope" : "it")
                    + (approval != null && approval.decision() != null ? " (" + approval.decidedBy()
                            + ("WITHDRAWN".equals(approval.decision()) ? " withdrew it)." : " refused it).") : "."));
        }
        String notEligible = whyNotApprover(removal, approval.decidedBy(), "The Administrator who approved");
        if (notEligible != null) {
            throw new RemovalRefusedException(notEligible + " Nothing is deleted.");
        }
    }

    /** Whether the user may approve the removal's hard delete now; null when they may, else why not. */
    String whyNotApprover(Removal removal, String username, String who) {
        String notAdministrator = whyNotAdministrator(removal.requireAccountId(), username, who, "approves a hard delete");
        if (notAdministrator != null) {
            return notAdministrator;
        }
        if (approvals.involved(removal.id(), username)) {
            return who + " (" + username + ") asked for this removal or confirmed it: a second Administrator approves"
                    + " it, never the same person.";
        }
        return null;
    }

    /**
     * Why the user may not act as an active Administrator of the account (null: they may), read from the platform's
     * users and share-locked until the caller's transaction ends; {@code action} says what only an Administrator does.
     */
    String whyNotAdministrator(long accountId, String username, String who, String action) {
        PlatformUser user = username == null ? null : users.lockForWrite(username).orElse(null);
        return PlatformUser.whyNotAdministrator(user, username, accountId, who, "the removal's account", action);
    }

    /** A support agent, still active, agreed to switch bulk delete on for this removal. */
    void requireSupportApproval(Removal removal) {
        String agent = removal.bulkDeleteApprovedBy();
        PlatformUser user = agent == null ? null : users.lockForWrite(agent).orElse(null);
        if (user == null || !user.active() || user.role() != Role.SUPPORT) {
            throw new RemovalRefusedException("Bulk delete is switched on only when an active support agent agreed"
                    + (agent == null ? "; none did for this removal." : "; " + agent + " is not one."));
        }
    }

    private static String verb(RemovalMode mode) {
        return mode == RemovalMode.DELETE ? "delete all data" : "disconnect";
    }

    private static String describe(RemovalStatus status) {
        return status.name().toLowerCase().replace('_', ' ');
    }

    private static String describeAll(RemovalStatus... statuses) {
        List<String> names = Arrays.stream(statuses).map(RemovalRules::describe).toList();
        return String.join(" or ", names);
    }
}

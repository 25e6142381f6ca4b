package io.psaremoval.removal;

import io.psaremoval.security.Notes;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.account.Role;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Four eyes on a hard delete: a second Administrator of the account (never the person who asked for the removal or
 * confirmed it) approves the confirmed scope before anything of it is deleted, when the account's policy asks for it
 * or the scope is larger than the configured thresholds ({@link RemovalRules#whyApprovalRequired}). The decision is
 * recorded per round of the scope; the delete re-checks it from the database before every chunk
 * ({@link RemovalRules#requireSecondApproval}), whatever the process was made to do.
 */
@Service
public class DeletionApprovals {

    private static final Logger log = LoggerFactory.getLogger(DeletionApprovals.class);

    /**
     * What the removal's confirmed round needs: {@code because} is null when no approval is needed; else the reason in
     * words, the scope the approver is shown (Markdown) and who may approve it.
     */
    public record Request(boolean required, String because, String summary, String approvers) {
    }

    private final RemovalService removalService;
    private final ApprovalRepository approvals;
    private final RemovalRules rules;
    private final PlatformUsers users;
    private final RemovalSettings settings;
    private final java.time.Duration snapshotRetention;

    DeletionApprovals(RemovalService removalService, ApprovalRepository approvals,
            RemovalRules rules, PlatformUsers users, RemovalSettings settings,
            io.psaremoval.backup.BackupProperties backupProperties) {
        this.snapshotRetention = backupProperties.snapshotRetention();
        this.settings = settings;
        this.removalService = removalService;
        this.approvals = approvals;
        this.rules = rules;
        this.users = users;
    }

    /**
     * Whether the removal's confirmed deletion needs a second approval; when it does, the approval of its round is asked
     * for (once). Only while the deletion is confirmed and not yet running.
     */
    @Transactional
    public Request request(String processInstanceId) {
        Removal removal = removalService.get(processInstanceId);
        if (removal.status() != RemovalStatus.CONFIRMED || removal.scopeRound() == null) {
            throw new IllegalStateException("Removal " + removal.businessKey() + " asks for a second approval only once its"
                    + " deletion is confirmed; it is " + removal.status().name().toLowerCase(Locale.ROOT) + ".");
        }
        String because = rules.whyApprovalRequired(removal);
        DeletionApproval earlier = approvals.find(removal.id(), removal.scopeRound()).orElse(null);
        if (because == null || (earlier != null && earlier.approved())) {
            return new Request(false, null, null, null); // not needed, or approved already (the flow was sent back here)
        }
        approvals.request(removal.id(), removal.scopeRound(), because);
        log.info("Removal {}: round {} of the deletion waits for a second Administrator: {}", removal.businessKey(),
                removal.scopeRound(), because);
        return new Request(true, because, summary(removal), approvers(removal));
    }

    /**
     * Records a second Administrator's decision on the confirmed round: {@code APPROVED}, or {@code REFUSED} with a
     * note for the requester.
     *
     * @throws RemovalInputException saying why not (not waiting for an approval, not an eligible Administrator, no
     *                               note to a refusal); nothing recorded
     */
    @Transactional
    public void decide(String processInstanceId, boolean approve, String note, String decidedBy) {
        Removal removal = removalService.lockedForAChange(processInstanceId);
        requireUndecidedApproval(removal, "Nothing was decided.");
        String notEligible = rules.whyNotApprover(removal, decidedBy, "You");
        if (notEligible != null) {
            throw new RemovalInputException(notEligible + " Nothing was decided.");
        }
        String cleanNote = Notes.orNull(note);
        if (!approve && cleanNote == null) {
            throw new RemovalInputException("Say why you refuse the deletion: the requester reads it. Nothing was decided.");
        }
        if (!approvals.decide(removal.id(), removal.scopeRound(), approve ? "APPROVED" : "REFUSED", decidedBy, cleanNote)) {
            throw new IllegalStateException("The approval of removal " + removal.businessKey() + " changed while it was locked");
        }
        log.info("Removal {}: round {} of the deletion {} by {}", removal.businessKey(), removal.scopeRound(),
                approve ? "approved" : "refused", decidedBy);
    }

    /**
     * The requester withdraws the confirmed deletion while it waits for a second Administrator: the round's approval is
     * decided as {@code WITHDRAWN} with the requester's note, the integration is released (paused when an earlier round
     * deleted some of it) and the removal ends as cancelled, all in the caller's transaction. Nothing (more) is deleted.
     * Only the person who asked for the removal may, whatever their role now: withdrawing destroys nothing.
     *
     * @throws RemovalInputException saying why not (not waiting for an approval, decided already, not the requester, no
     *                               note); nothing recorded
     */
    @Transactional
    public void withdraw(String processInstanceId, String note, String withdrawnBy) {
        Removal removal = removalService.lockedForAChange(processInstanceId);
        requireUndecidedApproval(removal, "Nothing was withdrawn.");
        if (!removal.requestedBy().equals(withdrawnBy)) {
            throw new RemovalInputException("Only " + removal.requestedBy() + ", who asked for removal "
                    + removal.businessKey() + ", may withdraw it; an Administrator refuses it in 'Approve the deletion'."
                    + " Nothing was withdrawn.");
        }
        if (!Notes.saysSomething(note)) {
            throw new RemovalInputException("Say why you withdraw the deletion, for the auditors."
                    + " Nothing was withdrawn.");
        }
        if (!approvals.decide(removal.id(), removal.scopeRound(), "WITHDRAWN", withdrawnBy, note.strip())) {
            throw new IllegalStateException("The approval of removal " + removal.businessKey() + " changed while it was locked");
        }
        removalService.endWithdrawn(removal, "Withdrawn by " + withdrawnBy + " while it waited for a second"
                + " Administrator's approval: " + note.strip());
        log.info("Removal {}: round {} of the deletion withdrawn by its requester {}", removal.businessKey(),
                removal.scopeRound(), withdrawnBy);
    }

    /**
     * Under the removal's lock (taken by the caller), locks the approval of its confirmed round, which must wait for a
     * decision: the one lock order of a decision and a withdrawal, removal then approval, so that the second of two at
     * once finds the first's answer.
     *
     * @throws RemovalInputException saying why not, ending with {@code nothing}
     */
    private void requireUndecidedApproval(Removal removal, String nothing) {
        DeletionApproval asked = removal.status() != RemovalStatus.CONFIRMED || removal.scopeRound() == null ? null
                : approvals.lock(removal.id(), removal.scopeRound()).orElse(null);
        if (asked == null) {
            throw new RemovalInputException("Removal " + removal.businessKey() + " is not waiting for a second approval:"
                    + " it is " + removal.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ". " + nothing);
        }
        if (asked.decision() != null) {
            throw new RemovalInputException("Removal " + removal.businessKey() + " was " + asked.decision()
                    .toLowerCase(Locale.ROOT) + " already, by " + asked.decidedBy() + " on " + asked.decidedAt().toLocalDate()
                    + ". " + nothing);
        }
    }

    /**
     * Whether the user may take the approval task: an Administrator of the account who neither asked for the removal
     * nor confirmed it, so that the requester cannot hold the task others should decide.
     *
     * @throws RemovalInputException saying why not
     */
    @Transactional
    public void checkApprover(String processInstanceId, String username) {
        Removal removal = removalService.get(processInstanceId);
        String notEligible = rules.whyNotApprover(removal, username, "You");
        if (notEligible != null) {
            throw new RemovalInputException(notEligible);
        }
    }

    /** The decided approval of the removal's confirmed round, as the requester's notice tells it. */
    public String refusal(String processInstanceId) {
        Removal removal = removalService.get(processInstanceId);
        return removal.scopeRound() == null ? null : approvals.all(removal.id()).stream()
                .filter(approval -> approval.round() == removal.scopeRound() && "REFUSED".equals(approval.decision()))
                .map(approval -> approval.decidedBy() + " refused: " + approval.note()).findFirst().orElse(null);
    }

    /**
     * The requester's withdrawal of the confirmed round, when that is how the wait for an approval ended: who withdrew it,
     * when, their note, and the Administrators who were asked to approve it (active, neither the requester nor who
     * confirmed), by username.
     */
    public Optional<Withdrawal> withdrawal(String processInstanceId) {
        Removal removal = removalService.get(processInstanceId);
        return removal.scopeRound() == null ? Optional.empty() : approvals.find(removal.id(), removal.scopeRound())
                .filter(approval -> "WITHDRAWN".equals(approval.decision()))
                .map(approval -> new Withdrawal(approval.decidedBy(), approval.decidedAt(), approval.note(),
                        eligibleApprovers(removal).stream().map(PlatformUser::username).toList()));
    }

    /** A withdrawn deletion: by whom, when, why, and whom it had asked to approve it. */
    public record Withdrawal(String withdrawnBy, OffsetDateTime withdrawnAt, String note, List<String> approvers) {
    }

    /**
     * The Administrators who were still asked to approve the removal's confirmed round when it ended undecided (the wait
     * for a decision expired): active, neither the requester nor who confirmed, by username; empty when no approval of
     * that round was waiting for a decision.
     */
    public List<String> approversLeftUndecided(String processInstanceId) {
        Removal removal = removalService.get(processInstanceId);
        boolean undecided = removal.scopeRound() != null && approvals.find(removal.id(), removal.scopeRound())
                .filter(approval -> approval.decision() == null).isPresent();
        return undecided ? eligibleApprovers(removal).stream().map(PlatformUser::username).toList() : List.of();
    }

    /** Every approval the removal asked for, oldest round first: the auditors' view. */
    public List<DeletionApproval> of(long removalId) {
        return approvals.all(removalId);
    }

    /** The account's removal policy (the default when no Administrator set one). */
    public RemovalPolicy policy(long accountId) {
        return approvals.policy(accountId);
    }

    /**
     * Sets the account's removal policy, as an Administrator of it; recorded with the account's feature changes.
     * Switching four eyes on is at once; switching it off takes a second Administrator asking the same (the first
     * request waits, recorded). A removal whose deletion was confirmed while it was on keeps needing the approval.
     */
    @Transactional
    public RemovalPolicy.Change setPolicy(long accountId, boolean deletionApprovalRequired, String changedBy, String note) {
        RemovalPolicy.Change change = approvals.setPolicy(accountId, deletionApprovalRequired, changedBy,
                standingRequestOf(accountId));
        if (change == RemovalPolicy.Change.CHANGED) {
            approvals.recordFeatureChange(accountId, "DELETION_APPROVAL", deletionApprovalRequired, changedBy, note);
            log.info("Account {}: a second Administrator's approval of every hard delete {} by {}", accountId,
                    deletionApprovalRequired ? "required" : "no longer required", changedBy);
        } else if (change == RemovalPolicy.Change.OFF_REQUESTED) {
            approvals.recordFeatureChange(accountId, "DELETION_APPROVAL_OFF_REQUESTED", false, changedBy, note);
            log.info("Account {}: {} asks to stop requiring a second approval; another Administrator must confirm",
                    accountId, changedBy);
        }
        return change;
    }

    /**
     * Sets the account's cooling-off period, as an Administrator of it; recorded with the account's feature changes.
     * Lengthening it is at once; shortening it takes a second Administrator asking for the same period (the first
     * request waits, recorded). A deletion keeps the period it was confirmed under.
     */
    @Transactional
    public RemovalPolicy.Change setCoolingOff(long accountId, java.time.Duration period, String changedBy, String note) {
        java.time.Duration before = approvals.policy(accountId).coolingOff(settings.coolingOffPeriod());
        RemovalPolicy.Change change = approvals.setCoolingOff(accountId, period, settings.coolingOffPeriod(), changedBy,
                standingRequestOf(accountId));
        String what = RemovalPolicy.iso(period) + " (was " + RemovalPolicy.iso(before) + ")" + (note == null ? "" : ": " + note);
        if (change == RemovalPolicy.Change.CHANGED) {
            approvals.recordFeatureChange(accountId, "COOLING_OFF", !period.isZero(), changedBy, what);
            log.info("Account {}: cooling-off period of a hard delete set to {} by {}", accountId, period, changedBy);
        } else if (change == RemovalPolicy.Change.SHORTER_REQUESTED) {
            approvals.recordFeatureChange(accountId, "COOLING_OFF_SHORTER_REQUESTED", !period.isZero(), changedBy, what);
            log.info("Account {}: {} asks for a shorter cooling-off period ({}); another Administrator must confirm",
                    accountId, changedBy, period);
        }
        return change;
    }

    /**
     * A first request counts for the second Administrator only while its requester is still an active Administrator of
     * the account, and for as long as a person's task waits ({@code psa.removal.user-task-timeout}): one left by someone
     * demoted, deactivated or gone, or long forgotten, does not let a single Administrator lower the guard alone; the
     * second one's request then waits for another, as a first.
     */
    private ApprovalRepository.StandingRequest standingRequestOf(long accountId) {
        return (requestedBy, requestedAt) -> requestedBy != null && requestedAt != null
                && requestedAt.isAfter(OffsetDateTime.now().minus(settings.userTaskTimeout()))
                && rules.whyNotAdministrator(accountId, requestedBy, "The first requester", "lowers the guard") == null;
    }

    /**
     * What happens once the person confirms the deletion, as the account's policy and the settings stand now, as
     * Markdown for "Confirm the deletion": whether a second Administrator must approve it first, and who can; how long
     * it waits out of sight, cancellable, before anything is deleted; how long it can be restored from its snapshot.
     */
    public String outlook(String processInstanceId) {
        Removal removal = removalService.get(processInstanceId);
        RemovalPolicy policy = approvals.policy(removal.requireAccountId());
        StringBuilder md = new StringBuilder("### What happens when you confirm\n\n");
        String because = rules.whyApprovalWouldBeRequired(removal, policy.deletionApprovalRequired());
        String afterWhat = because == null ? "your confirmation" : "the approval";
        if (because == null) {
            ApprovalRepository.RoundSize size = approvals.size(removal.id(), removal.scopeRound());
            md.append("* **No second approval is needed**: the account's removal policy does not ask for one, and ")
                    .append(ImpactReport.n(size.organizations())).append(" organizations and ")
                    .append(ImpactReport.n(size.items())).append(" items are within the ")
                    .append(ImpactReport.n(settings.approvalAboveOrganizations())).append(" and ")
                    .append(ImpactReport.n(settings.approvalAboveItems())).append(" one person may delete alone.\n");
        } else {
            md.append("* **A second Administrator must approve it first.** ").append(because)
                    .append(" Who can approve (not you, nor whoever confirms): ").append(approvers(removal)).append(".\n");
        }
        boolean canWait = removalService.platformHidesPendingDeletions();
        java.time.Duration coolingOff = canWait ? policy.coolingOff(settings.coolingOffPeriod()) : java.time.Duration.ZERO;
        if (coolingOff.isZero()) {
            md.append("* **Nothing waits**: the deletion starts right after ").append(afterWhat).append(canWait
                    ? " (the account has no cooling-off period).\n"
                    : " (this platform cannot take data out of sight, so there is no cooling-off period).\n");
        } else {
            md.append("* **It waits ").append(ImpactReport.duration(coolingOff)).append(" out of sight before anything is")
                    .append(" deleted**: right after ").append(afterWhat).append(" the organizations leave every list and")
                    .append(" their RMM devices can no longer be matched to them; until the period is over any")
                    .append(" Administrator of the account can cancel, and everything comes back as it was.\n");
        }
        md.append("* **It can be restored for ").append(ImpactReport.duration(snapshotRetention))
                .append("**: a verified snapshot of everything above is taken before anything is deleted, and an")
                .append(" Administrator of the account can restore it until then. After that only a backup of your own has it.");
        return md.toString();
    }

    /** What the removal's confirmed round deletes, kind by kind, as Markdown (the approver's and the canceller's view). */
    public String confirmedScopeSummary(String processInstanceId) {
        return summary(removalService.get(processInstanceId));
    }

    private String summary(Removal removal) {
        Map<String, ImpactPreview.KindCount> kinds = approvals.scopeKinds(removal.id(), removal.scopeRound());
        StringBuilder md = new StringBuilder("| Kind | Deleted for good |\n|---|---:|\n");
        long items = 0;
        for (Map.Entry<String, ImpactPreview.KindCount> kind : kinds.entrySet()) {
            if (!kind.getKey().equals("RMM_DEVICE")) {
                md.append("| ").append(ImpactReport.label(kind.getKey())).append(" | ")
                        .append(ImpactReport.n(kind.getValue().total())).append(" |\n");
                items += ImpactReport.ITEM_KINDS.contains(kind.getKey()) ? kind.getValue().total() : 0;
            }
        }
        md.append("| **Items of every kind** | **").append(ImpactReport.n(items)).append("** |\n\n");
        long devices = kinds.getOrDefault("RMM_DEVICE", new ImpactPreview.KindCount(0, 0)).total();
        md.append(devices == 0 ? "No RMM device is matched to these configurations."
                : "**" + ImpactReport.n(devices) + "** RMM devices matched to these configurations are unmatched (not deleted).");
        return md.toString();
    }

    /** The account's Administrators who may approve (not the requester, not who confirmed), as a person reads them. */
    private String approvers(Removal removal) {
        List<PlatformUser> eligible = eligibleApprovers(removal);
        if (eligible.isEmpty()) {
            return "none: no other active Administrator of the account can approve; unless one is added, the removal"
                    + " expires and nothing is deleted";
        }
        return PlatformUser.namesOf(eligible);
    }

    /** The account's active Administrators who neither asked for the removal nor confirmed it. */
    private List<PlatformUser> eligibleApprovers(Removal removal) {
        return users.findActiveInAccount(removal.requireAccountId(), Role.ADMINISTRATOR).stream()
                .filter(user -> !approvals.involved(removal.id(), user.username())).toList();
    }
}

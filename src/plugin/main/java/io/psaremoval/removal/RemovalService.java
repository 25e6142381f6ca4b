package io.psaremoval.removal;

import io.psaremoval.security.Notes;
import io.psaremoval.account.Accounts;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.backup.Backup;
import io.psaremoval.backup.BackupService;
import io.psaremoval.integration.Integration;
import io.psaremoval.integration.Integrations;
import io.psaremoval.integration.IntegrationUnavailableException;
import io.psaremoval.rmm.RmmDeliveryService;
import io.psaremoval.rmm.RmmUnmatchingService;
import io.psaremoval.security.SecurityEvents;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The business steps of a removal, except the chunked writes of its data ({@link DataRemovalService}). Each
 * is safe to run twice: a job retried after a crash or a lock timeout finds the work done and changes nothing
 * more. Each step that writes first checks, from the database, what the process promised on the way there
 * ({@link RemovalRules}); a broken rule ends the removal as refused ({@link #refuse}) and writes nothing else.
 */
@Service
public class RemovalService {

    /** The role of a requester who is not an active platform user (the decision table refuses it). */
    public static final String UNKNOWN_ROLE = "UNKNOWN";

    private static final Logger log = LoggerFactory.getLogger(RemovalService.class);

    private final RemovalRepository removals;
    private final Integrations integrations;
    private final PlatformData platformData;
    private final RemovalRules rules;
    private final RemovalSettings settings;
    private final BackupService backups;
    private final Accounts accounts;
    private final RmmUnmatchingService rmm;
    private final RmmDeliveryService rmmDelivery;
    private final SecurityEvents securityEvents;
    private final ScopeContract scope;
    private final TransactionTemplate ownTransaction;
    private final io.psaremoval.backup.BackupProperties backupProperties;

    RemovalService(RemovalRepository removals, Integrations integrations, PlatformData platformData,
            RemovalRules rules, RemovalSettings settings, BackupService backups, Accounts accounts,
            RmmUnmatchingService rmm, RmmDeliveryService rmmDelivery, SecurityEvents securityEvents,
            ScopeContract scope, PlatformTransactionManager transactionManager,
            io.psaremoval.backup.BackupProperties backupProperties) {
        this.backupProperties = backupProperties;
        this.removals = removals;
        this.integrations = integrations;
        this.platformData = platformData;
        this.rules = rules;
        this.settings = settings;
        this.backups = backups;
        this.accounts = accounts;
        this.rmm = rmm;
        this.rmmDelivery = rmmDelivery;
        this.securityEvents = securityEvents;
        this.scope = scope;
        this.ownTransaction = new TransactionTemplate(transactionManager);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Records who asked; the requester comes from the platform's users table, or is unknown. */
    @Transactional
    public Removal register(String processInstanceId, String businessKey, Optional<PlatformUser> requester,
            String username, String reason) {
        if (username != null) {
            String tooMany = removals.whyNotOneMoreRequest(username, processInstanceId, settings.maxRequestsPerDay());
            if (tooMany != null) {
                throw new RemovalInputException(tooMany);
            }
        }
        String role = requester.map(user -> user.role().name()).orElse(UNKNOWN_ROLE);
        return removals.createIfAbsent(processInstanceId, businessKey, username == null ? "(anonymous)" : username,
                role, requester.map(PlatformUser::accountId).orElse(null), reason);
    }

    /** Whether a confirmed deletion can wait out a cooling-off period: the platform's data adapter can hide its scope. */
    boolean platformHidesPendingDeletions() {
        return platformData.hidesPendingDeletions();
    }

    /** Whether a removal other than the process instance's has this business key already. */
    public boolean businessKeyTaken(String businessKey, String processInstanceId) {
        return removals.businessKeyTaken(businessKey, processInstanceId);
    }

    public Removal get(String processInstanceId) {
        return find(processInstanceId)
                .orElseThrow(() -> new IllegalStateException("No removal recorded for process instance " + processInstanceId));
    }

    public Optional<Removal> find(String processInstanceId) {
        return removals.findByProcessInstance(processInstanceId);
    }

    /** Every removal that has not ended yet. */
    public java.util.List<Removal> findOpen() {
        return removals.findOpen();
    }

    /**
     * Checks that the integration may be removed by this removal's account, without changing anything.
     *
     * @throws IntegrationUnavailableException with a message for the user otherwise
     */
    public Integration checkRemovable(Removal removal, long integrationId) {
        Integration integration = integrations.findById(integrationId)
                .filter(found -> found.accountId() == removal.requireAccountId())
                .orElseThrow(() -> new IntegrationUnavailableException(
                        "Integration " + integrationId + " does not exist in your account."));
        if (!integration.isPsa()) {
            throw new IntegrationUnavailableException("'" + integration.name()
                    + "' is an RMM integration; only a PSA integration can be removed here.");
        }
        if (!integration.status().isRemovable() && !Long.valueOf(integration.id()).equals(removal.integrationId())) {
            throw unavailable(integration);
        }
        return integration;
    }

    private IntegrationUnavailableException unavailable(Integration integration) {
        return switch (integration.status()) {
            case REMOVING -> new IntegrationUnavailableException(removals.findOpenByIntegration(integration.id())
                    .map(other -> "'" + integration.name() + "' is already being removed: removal " + other.businessKey()
                            + ", requested by " + other.requestedBy() + ".")
                    .orElse("'" + integration.name() + "' is already being removed."));
            case DISCONNECTED, DELETED -> new IntegrationUnavailableException("'" + integration.name()
                    + "' was " + integration.status().name().toLowerCase() + " already: there is nothing left to remove.");
            default -> new IntegrationUnavailableException("'" + integration.name() + "' cannot be removed: it is "
                    + integration.status().name().toLowerCase() + ".");
        };
    }

    /**
     * REQUESTED → PENDING: marks the integration "removing" and ties it to this removal. While it is, a second
     * removal or a sync of the integration is refused. Repeating the call for the same removal changes nothing.
     */
    @Transactional(noRollbackFor = {IntegrationUnavailableException.class, RemovalRefusedException.class})
    public Removal reserve(String processInstanceId, long integrationId) {
        Removal removal = get(processInstanceId);
        if (removal.integrationId() != null) {
            if (removal.integrationId() != integrationId) {
                throw new IntegrationUnavailableException("This removal already reserved integration "
                        + removal.integrationName() + ".");
            }
            return removal;
        }
        refusingOnBrokenRule(removal, () -> {
            rules.requireState(removal, "Reserve the integration", RemovalStatus.REQUESTED);
            rules.requirePermittedRequester(removal);
            return null;
        });
        Integration integration = checkRemovable(removal, integrationId);
        if (!integrations.markRemoving(integrationId, removal.requireAccountId())) {
            // Another removal reserved it since the check above (another node, at the same moment).
            throw unavailable(integrations.findById(integrationId).orElseThrow());
        }
        if (!removals.attachIntegration(removal.id(), integrationId, integration.name(), integration.status())) {
            throw new IllegalStateException("Removal " + removal.businessKey() + " left REQUESTED while reserving");
        }
        log.info("Removal {}: integration '{}' ({}) reserved by {}", removal.businessKey(), integration.name(),
                integrationId, removal.requestedBy());
        return get(processInstanceId);
    }

    /**
     * Counts what the removal touches and freezes that scope, organization by organization, as the one the person
     * confirms by choosing: what a write step writes is checked against it. Only while the mode is not chosen yet.
     */
    @Transactional
    public ImpactPreview preview(String processInstanceId) {
        Removal removal = get(processInstanceId);
        if (removal.status() != RemovalStatus.PENDING || removal.chosenMode() != null) {
            throw new IllegalStateException("Removal " + removal.businessKey() + " is previewed only before its mode is"
                    + " chosen; it is " + removal.status().name().toLowerCase(java.util.Locale.ROOT) + ".");
        }
        ScopeContract.Reading reading = scope.read(removal.requireIntegrationId(), RemovalMode.DELETE);
        removals.savePreview(removal.id(), reading.preview());
        scope.freezePreview(removal, reading);
        return reading.preview();
    }

    /** What changed in scope since the person confirmed it, in words, while the removal waits for them to confirm. */
    public String scopeDifference(String processInstanceId) {
        return scope.pendingDifference(get(processInstanceId).id());
    }

    /**
     * SCOPE_CHANGED → CONFIRMED (a delete) or PENDING (a disconnect): the person confirmed the scope as it is now,
     * which becomes the contract. For a delete they type the integration's name again; they must be allowed to remove
     * it now, and for a delete the backup must still be recent.
     *
     * @throws RemovalInputException saying why not; nothing changed
     */
    @Transactional
    public void confirmChangedScope(String processInstanceId, String typedName, String confirmedBy) {
        Removal removal = get(processInstanceId);
        RemovalMode mode = removal.chosenMode();
        String nothing = mode == RemovalMode.DELETE ? " Nothing more was deleted." : " Nothing more was disconnected.";
        if (removal.status() != RemovalStatus.SCOPE_CHANGED || mode == null) {
            throw new RemovalInputException("Removal " + removal.businessKey() + " is not waiting for a changed scope to"
                    + " be confirmed: it is " + removal.status().name().toLowerCase(java.util.Locale.ROOT) + "." + nothing);
        }
        if (mode == RemovalMode.DELETE && (typedName == null || !typedName.strip().equals(removal.integrationName()))) {
            throw new RemovalInputException("The name you typed does not match the integration's name '"
                    + removal.integrationName() + "'." + nothing);
        }
        String notPermitted = rules.whyNotPermitted(removal.requireAccountId(), confirmedBy, "You");
        if (notPermitted != null) {
            throw new RemovalInputException(notPermitted + nothing);
        }
        if (mode == RemovalMode.DELETE) {
            try {
                rules.requireRecentBackup(removal, removals.confirmedAt(removal.id()).orElse(null));
            } catch (RemovalRefusedException tooOld) {
                throw new RemovalInputException(tooOld.getMessage() + " Cancel this removal and start a new one, which"
                        + " asks for a backup first.");
            }
        }
        if (!scope.confirmNewest(removal, mode, confirmedBy)) {
            throw new RemovalInputException("Removal " + removal.businessKey() + " changed while you confirmed." + nothing);
        }
        log.info("Removal {}: the changed scope confirmed by {}", removal.businessKey(), confirmedBy);
    }

    /** Records why the integration is removed; only while the removal waits for the integration to be chosen. */
    @Transactional
    public void recordReason(String processInstanceId, String reason) {
        Removal removal = get(processInstanceId);
        if (!removals.recordReason(removal.id(), reason)) {
            throw new RemovalInputException("Removal " + removal.businessKey() + " is not waiting for its integration: it is "
                    + removal.status().name().toLowerCase() + ".");
        }
    }

    /** Records the way to remove that the requester chose; only while the removal waits for that choice. */
    @Transactional
    public void recordChosenMode(String processInstanceId, RemovalMode mode) {
        Removal removal = get(processInstanceId);
        if (!removals.recordChosenMode(removal.id(), mode)) {
            throw new RemovalInputException("Removal " + removal.businessKey() + " is not waiting for a choice: it is "
                    + removal.status().name().toLowerCase() + ".");
        }
    }

    /**
     * Whether the account's newest backup that counts for this removal (an export, or a backup confirmed elsewhere for
     * this removal) is recent; if it is, this removal relies on it. A removal that is no longer waiting for its backup
     * (say, already confirmed) keeps the backup it relied on.
     */
    @Transactional
    public boolean checkRecentBackup(String processInstanceId) {
        Removal removal = get(processInstanceId);
        Optional<Backup> recent = backups.recent(removal.requireAccountId(), removal.id(), settings.backupMaxAge());
        recent.ifPresent(backup -> removals.recordBackup(removal.id(), backup.id()));
        return recent.isPresent();
    }

    public String backupSummary(String processInstanceId) {
        Removal removal = get(processInstanceId);
        return backups.summary(removal.requireAccountId(), removal.id(), settings.backupMaxAge());
    }

    /** Exports the account now; the removal then relies on that export. Once per removal. */
    @Transactional(noRollbackFor = RemovalRefusedException.class)
    public Backup exportAccount(String processInstanceId) {
        Removal removal = get(processInstanceId);
        checkBeforeBackup(removal, "Export the account now");
        Backup backup = backups.exportAccount(removal.requireAccountId(), removal.requestedBy(), removal.id());
        removals.recordBackup(removal.id(), backup.id());
        return backup;
    }

    /**
     * When the person says their backup elsewhere was taken, if it is a time, not in the future and recent enough for a
     * deletion now.
     *
     * @throws RemovalInputException saying what is wrong with it
     */
    public OffsetDateTime checkExternalBackupTime(String processInstanceId, String stated) {
        get(processInstanceId);
        try {
            return backups.statedTakenAt(stated, settings.backupMaxAge());
        } catch (IllegalArgumentException e) {
            throw new RemovalInputException(e.getMessage());
        }
    }

    /** Records the backup the person vouched for, with the time they stated; the removal then relies on it. Once per removal. */
    @Transactional(noRollbackFor = RemovalRefusedException.class)
    public Backup recordExternalBackup(String processInstanceId, String confirmedBy, String note, String takenAt) {
        Removal removal = get(processInstanceId);
        checkBeforeBackup(removal, "Record the external backup");
        OffsetDateTime stated = refusingOnBrokenRule(removal, () -> {
            try {
                return backups.statedTakenAt(takenAt, null); // its age is judged by "Find the newest backup", next
            } catch (IllegalArgumentException e) {
                throw new RemovalRefusedException("'Record the external backup' cannot run: " + e.getMessage());
            }
        });
        Backup backup = backups.recordExternalBackup(removal.requireAccountId(),
                confirmedBy == null ? removal.requestedBy() : confirmedBy, note, stated, removal.id());
        removals.recordBackup(removal.id(), backup.id());
        return backup;
    }

    private void checkBeforeBackup(Removal removal, String step) {
        refusingOnBrokenRule(removal, () -> {
            rules.requireState(removal, step, RemovalStatus.PENDING);
            rules.requireChosen(removal, RemovalMode.DELETE, step);
            rules.requirePermittedRequester(removal);
            return null;
        });
    }

    /** Records that the support agent agreed to switch bulk delete on for this removal. */
    @Transactional
    public void recordBulkDeleteApproval(String processInstanceId, String agent) {
        Removal removal = get(processInstanceId);
        if (!removals.recordBulkDeleteApproval(removal.id(), agent)) {
            throw new RemovalInputException("Removal " + removal.businessKey() + " is not waiting for support: it is "
                    + removal.status().name().toLowerCase() + ".");
        }
    }

    /** Switches bulk delete on for the removal's account, as the support agent agreed. */
    @Transactional(noRollbackFor = RemovalRefusedException.class)
    public void enableBulkDelete(String processInstanceId, String note) {
        Removal removal = get(processInstanceId);
        refusingOnBrokenRule(removal, () -> {
            rules.requireState(removal, "Switch bulk delete on", RemovalStatus.PENDING);
            rules.requireChosen(removal, RemovalMode.DELETE, "Switch bulk delete on");
            rules.requireSupportApproval(removal);
            return null;
        });
        accounts.enableBulkDelete(removal.requireAccountId(), removal.bulkDeleteApprovedBy(), note, removal.id());
    }

    public boolean isBulkDeleteEnabled(String processInstanceId) {
        return accounts.isBulkDeleteEnabled(get(processInstanceId).requireAccountId());
    }

    /**
     * PENDING → CONFIRMED: the person typed the integration's name. They must be allowed to remove it now, and
     * the removal must be waiting for this confirmation of a deletion. {@code processCoolsOff}: the removal's process
     * has the cooling-off period's steps (an instance started before they existed purges at once).
     */
    @Transactional
    public void confirmDeletion(String processInstanceId, String typedName, String confirmedBy, boolean processCoolsOff) {
        Removal removal = get(processInstanceId);
        if (typedName == null || !typedName.strip().equals(removal.integrationName())) {
            throw new RemovalInputException("The name you typed does not match the integration's name '"
                    + removal.integrationName() + "'. Nothing was deleted.");
        }
        String notPermitted = rules.whyNotPermitted(removal.requireAccountId(), confirmedBy, "You");
        if (notPermitted != null) {
            throw new RemovalInputException(notPermitted + " Nothing was deleted.");
        }
        // A process deployed before the cooling-off period (an instance open at an upgrade), or a platform that cannot
        // take data out of sight, purges at once.
        boolean coolsOff = processCoolsOff && platformData.hidesPendingDeletions();
        if (!removals.recordConfirmation(removal.id(), confirmedBy, settings.coolingOffPeriod(), coolsOff)) {
            throw new RemovalInputException("Removal " + removal.businessKey() + " is not waiting for a deletion to be "
                    + "confirmed: it is " + removal.status().name().toLowerCase() + ". Nothing was deleted.");
        }
    }

    /**
     * An Administrator of the account cancels a deletion during its cooling-off period, with a note for the requester
     * and the auditors: the removal ends as cancelled, everything it had moved out of sight is back in sight exactly as
     * it was (its rows were never written), and the integration gets its status from before the removal back.
     *
     * @throws RemovalInputException saying why not (not waiting out a cooling-off period, not an active Administrator
     *                               of the account, no note); nothing changed
     */
    @Transactional
    public void cancelPendingDeletion(String processInstanceId, String note, String cancelledBy) {
        Removal removal = lockedForAChange(processInstanceId);
        if (removal.status() != RemovalStatus.PENDING_DELETION) {
            throw new RemovalInputException("Removal " + removal.businessKey() + " is not waiting out a cooling-off "
                    + "period: it is " + removal.status().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + ". Nothing was cancelled.");
        }
        String notAdministrator = rules.whyNotAdministrator(removal.requireAccountId(), cancelledBy, "You",
                "cancels a pending deletion");
        if (notAdministrator != null) {
            throw new RemovalInputException(notAdministrator + " Nothing was cancelled.");
        }
        if (!Notes.saysSomething(note)) {
            throw new RemovalInputException("Say why you cancel the deletion, for the requester and the auditors.");
        }
        int outOfSight = platformData.organizationsOutOfSight(removal.id());
        releaseIntegration(removal);
        if (!removals.cancelPendingDeletion(removal.id(), cancelledBy, note.strip(),
                "Cancelled during the cooling-off period by " + cancelledBy + ": " + note.strip())) {
            throw new IllegalStateException("Removal " + removal.businessKey() + " changed state while it was cancelled");
        }
        platformData.bringBackInSight(removal.id());
        backups.snapshotsBackToTheirRetention(removal.id(), backupProperties.snapshotRetention()); // nothing to restore
        log.info("Removal {}: deletion cancelled during its cooling-off period by {}; {} organizations back in sight",
                removal.businessKey(), cancelledBy, outOfSight);
    }

    /** Who cancelled the removal's pending deletion and why, in words, from its record; empty when nobody did. */
    public Optional<String> pendingDeletionCancellation(String processInstanceId) {
        return find(processInstanceId).flatMap(removal -> removals.pendingDeletionCancellation(removal.id()));
    }

    /** Records, once per removal and RMM integration, the notice of the devices the delete unmatched. */
    @Transactional(noRollbackFor = RemovalRefusedException.class)
    public int notifyRmm(String processInstanceId) {
        Removal removal = get(processInstanceId);
        requireDeleted(removal, "Tell the RMM");
        return rmm.notifyUnmatched(removal.id());
    }

    /** Delivers the removal's recorded notices that are not delivered yet; fails (to be retried) while one is not. */
    @Transactional(noRollbackFor = RemovalRefusedException.class)
    public RmmDeliveryService.Outcome deliverRmmNotices(String processInstanceId) {
        Removal removal = get(processInstanceId);
        requireDeleted(removal, "Deliver the notices to the RMM");
        return rmmDelivery.deliverPending(removal.id());
    }

    /** The RMM is told only about a delete that is done: every organization gone, the integration deleted. */
    private void requireDeleted(Removal removal, String step) {
        refusingOnBrokenRule(removal, () -> {
            rules.requireState(removal, step, RemovalStatus.RUNNING);
            if (removal.mode() != RemovalMode.DELETE || integrations.findById(removal.requireIntegrationId())
                    .map(integration -> integration.status() != io.psaremoval.integration.IntegrationStatus.DELETED)
                    .orElse(true)) {
                throw new RemovalRefusedException("The RMM is told only after every organization was deleted.");
            }
            return null;
        });
    }

    /** Gives the integration back its previous status after a cancellation or expiry; nothing else changes. */
    @Transactional
    public void release(String processInstanceId) {
        find(processInstanceId).ifPresent(removal -> {
            if (removal.status().isOpen()) {
                releaseIntegration(removal);
            }
        });
    }

    /**
     * Gives the integration back: its status from before the removal, or, when the removal had started writing
     * (its mode is recorded at the first write: running, waiting for a changed scope, or confirmed again), paused, so that no sync brings back part of what was already disconnected or deleted; a new
     * removal can finish the job.
     */
    private void releaseIntegration(Removal removal) {
        if (removal.integrationId() != null) {
            // The mode is recorded at the first write and kept whatever state follows (a changed scope confirmed again).
            boolean wroteSome = removal.mode() != null;
            integrations.restoreStatus(removal.integrationId(), wroteSome
                    ? io.psaremoval.integration.IntegrationStatus.PAUSED : removal.previousIntegrationStatus());
        }
    }

    /** The removal, read again after its row is locked for the rest of the caller's transaction. */
    Removal lockedForAChange(String processInstanceId) {
        removals.lock(get(processInstanceId).id());
        return get(processInstanceId);
    }

    /**
     * In the caller's transaction, under the removal's lock: a deletion its requester withdrew before it was approved
     * ends as cancelled, with the reason on record, and its integration is released (paused when an earlier round of
     * its scope deleted some of it).
     */
    void endWithdrawn(Removal removal, String reason) {
        releaseIntegration(removal);
        end(removal, RemovalStatus.CANCELLED, reason);
    }

    @Transactional
    public void end(String processInstanceId, RemovalStatus outcome) {
        find(processInstanceId).ifPresent(removal -> end(removal, outcome, null));
    }

    /**
     * Ends the removal with its outcome (an ended one keeps its first), in the caller's transaction; whatever it had
     * taken out of sight and not purged is back in sight.
     */
    private void end(Removal removal, RemovalStatus outcome, String reason) {
        if (removals.end(removal.id(), outcome, reason)) {
            platformData.bringBackInSight(removal.id());
        }
    }

    /**
     * The process instance ended without reaching an outcome of its own (deleted by an operator, ended by an
     * error nobody caught): the integration is released and the removal ends as aborted, in the same transaction.
     */
    @Transactional
    public void abortIfOpen(String processInstanceId, String reason) {
        find(processInstanceId).filter(removal -> removal.status().isOpen()).ifPresent(removal -> {
            releaseIntegration(removal);
            end(removal, RemovalStatus.ABORTED, reason);
            log.warn("Removal {} aborted: {}", removal.businessKey(), reason);
        });
    }

    /*
     * Steps that join the engine's transaction do not roll it back for a RemovalRefusedException: the process goes
     * on to its "refused" end in that transaction, which must be able to commit.
     */

    /**
     * Runs the checks; when one fails, the removal ends as refused in a transaction of its own (so that the refusal
     * outlives the step's rollback), its integration is released, a security event is recorded, and the
     * {@link RemovalRefusedException} goes on to the caller.
     */
    <T> T refusingOnBrokenRule(Removal removal, Supplier<T> checks) {
        try {
            return checks.get();
        } catch (RemovalRefusedException refused) {
            refuse(removal, refused.getMessage());
            throw refused;
        }
    }

    void refuse(Removal removal, String reason) {
        ownTransaction.executeWithoutResult(status -> {
            Removal current = removals.findById(removal.id()).orElseThrow();
            if (current.status().isOpen()) {
                releaseIntegration(current);
                end(current, RemovalStatus.REFUSED, reason);
            }
        });
        securityEvents.record(removal.requestedBy(), "WRITE_STEP_REFUSED", removal.processInstanceId(), null, reason);
        log.warn("Removal {} refused: {}", removal.businessKey(), reason);
    }
}

package io.psaremoval.removal;

import io.psaremoval.integration.Integrations;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Disconnects or hard deletes the reserved integration's data, chunk by chunk, each chunk in a transaction of its
 * own. Before the first write the removal moves to RUNNING from the state the mode follows (PENDING for a
 * disconnect, CONFIRMED for a delete); every chunk re-checks the removal's rules in its own transaction before it
 * writes, and commits only while the removal is still RUNNING in that mode. A job takes chunks for the configured
 * time budget and returns its progress; call again until finished.
 */
@Service
public class DataRemovalService {

    private static final Logger log = LoggerFactory.getLogger(DataRemovalService.class);

    private final RemovalService removalService;
    private final RemovalRepository removals;
    private final Integrations integrations;
    private final PlatformData remover;
    private final RemovalRules rules;
    private final RemovalSettings settings;
    private final ScopeContract scope;
    private final TransactionTemplate ownTransaction;
    private final io.psaremoval.backup.BackupService backups;
    private final io.psaremoval.backup.BackupProperties backupProperties;

    DataRemovalService(RemovalService removalService, RemovalRepository removals, Integrations integrations,
            PlatformData remover, RemovalRules rules, RemovalSettings settings, ScopeContract scope,
            PlatformTransactionManager transactionManager, io.psaremoval.backup.BackupService backups,
            io.psaremoval.backup.BackupProperties backupProperties) {
        this.backups = backups;
        this.backupProperties = backupProperties;
        this.removalService = removalService;
        this.removals = removals;
        this.integrations = integrations;
        this.remover = remover;
        this.rules = rules;
        this.settings = settings;
        this.scope = scope;
        this.ownTransaction = new TransactionTemplate(transactionManager);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        if (!remover.hidesPendingDeletions()) {
            log.warn("The platform's data adapter ({}) cannot take data out of sight: hard deletes purge at once, without"
                    + " a cooling-off period (the host's {} and any account's own)", remover.getClass().getName(),
                    settings.coolingOffPeriod());
        }
    }

    /**
     * Where a chunked disconnect or delete stands after one job. {@code scopeChanged}: what is in scope differs from
     * what the person confirmed; nothing more is written until they confirm the difference (the removal is SCOPE_CHANGED).
     */
    public record Progress(boolean finished, int chunks, long organizationsLeft, boolean scopeChanged,
            OffsetDateTime purgeAfter) {

        Progress(boolean finished, int chunks, long organizationsLeft) {
            this(finished, chunks, organizationsLeft, false, null);
        }

        static Progress scopeChangedWith(long organizationsLeft) {
            return new Progress(false, 0, organizationsLeft, true, null);
        }

        /** Whether the deletion still waits out its cooling-off period (nothing purged), until {@link #purgeAfter}. */
        public boolean coolingOff() {
            return purgeAfter != null;
        }
    }

    /**
     * What "Move the scope out of sight" found or did: the organizations out of sight and when the purge may start;
     * or {@code scopeChanged}: nothing moved, the removal waits for the person to confirm the scope as it is now.
     */
    public record MoveOut(boolean scopeChanged, long organizations, OffsetDateTime purgeAfter) {
    }

    /**
     * Permanently disconnects the records for at most the job time budget: the integration goes, its organizations
     * and items stay stand-alone. The requester must still be a Manager or Administrator of the account.
     *
     * @throws RemovalRefusedException when a rule is broken; the removal has then ended as refused
     */
    public Progress disconnect(String processInstanceId) {
        Removal removal = removalService.get(processInstanceId);
        Consumer<Removal> rulesOfAChunk = current -> rules.requirePermittedRequester(current);
        if (start(removal, RemovalMode.DISCONNECT, RemovalStatus.PENDING, rulesOfAChunk) != Start.WRITE) {
            return Progress.scopeChangedWith(remover.organizationsLeft(removal.requireIntegrationId()));
        }
        long integrationId = removal.requireIntegrationId();
        return runChunks(removal, RemovalMode.DISCONNECT, rulesOfAChunk,
                (maxRows, candidates) -> remover.nextChunkToDisconnect(integrationId, maxRows, candidates),
                (current, organizations) -> remover.disconnect(removal.id(), integrationId, organizations,
                        scope.guard(current, RemovalMode.DISCONNECT)),
                () -> integrations.markDisconnected(integrationId));
    }

    /**
     * Hard deletes everything of the organizations synced from the PSA for at most the job time budget. Each chunk
     * needs what the confirmation needed: the requester and the person who confirmed still Managers or
     * Administrators, bulk delete on, a backup that was recent when the deletion was confirmed, a verified snapshot
     * of the confirmed scope round, and, where the account's policy or the round's size asks for it, a second
     * Administrator's approval of that round. A deletion confirmed with a cooling-off period starts only from its
     * scope out of sight ({@link #moveOutOfSight}) once the period is over, by the database's clock: before that it
     * writes nothing and returns the time the purge may start.
     *
     * @throws RemovalRefusedException when a rule is broken; the removal has then ended as refused
     */
    public Progress hardDelete(String processInstanceId) {
        Removal removal = removalService.get(processInstanceId);
        Consumer<Removal> rulesOfAChunk = rulesOfADelete(removal);
        RemovalStatus from = removal.coolsOff() ? RemovalStatus.PENDING_DELETION : RemovalStatus.CONFIRMED;
        Start started = start(removal, RemovalMode.DELETE, from, rulesOfAChunk);
        if (started == Start.SCOPE_CHANGED) {
            return Progress.scopeChangedWith(remover.organizationsLeft(removal.requireIntegrationId()));
        }
        if (started == Start.NOT_DUE) {
            Removal waiting = removalService.get(processInstanceId);
            log.info("Removal {}: the cooling-off period lasts until {}; nothing purged", waiting.businessKey(),
                    waiting.purgeAfter());
            return new Progress(false, 0, remover.organizationsLeft(removal.requireIntegrationId()), false,
                    waiting.purgeAfter());
        }
        long integrationId = removal.requireIntegrationId();
        return runChunks(removal, RemovalMode.DELETE, rulesOfAChunk,
                (maxRows, candidates) -> remover.nextChunk(integrationId, maxRows, candidates),
                (current, organizations) -> deletedOnRecord(current, organizations, () -> remover.hardDelete(
                        removal.id(), current.scopeRound(), integrationId, organizations,
                        scope.guard(current, RemovalMode.DELETE))),
                () -> integrations.markDeleted(integrationId));
    }

    /**
     * Runs a chunk of a hard delete and requires that every organization it deleted is on record under the chunk's
     * scope round, in its transaction: that record is all a restore takes back ({@link PlatformData#hardDelete} must
     * write it; a host's own adapter may forget). An organization deleted off the record could never be restored from
     * the snapshot, so such a chunk fails and rolls back, deleting nothing. Two runs of the removal's chunks at once (a
     * job taken over after its lock expired) take turns here, so that neither counts the other's record as its own.
     */
    private int deletedOnRecord(Removal current, List<Long> organizations, IntSupplier chunk) {
        removals.takeTurnsWithOtherChunks(current.id());
        RemovalRepository.RecordedDeletions before = removals.recordedDeletions(current.id(), current.scopeRound(),
                organizations);
        int deleted = chunk.getAsInt();
        RemovalRepository.RecordedDeletions after = removals.recordedDeletions(current.id(), current.scopeRound(),
                organizations);
        if (after.anyRound() - before.anyRound() != deleted || after.thisRound() - before.thisRound() != deleted) {
            throw new IllegalStateException("The platform's data adapter (" + remover.getClass().getName() + ") deleted "
                    + deleted + " organizations of removal " + current.businessKey() + " but put "
                    + (after.thisRound() - before.thisRound()) + " on record under its scope round " + current.scopeRound()
                    + " (removal_deleted_organization): what is not on record could not be restored, so the chunk is"
                    + " rolled back and nothing of it is deleted. Its hardDelete must record every organization it"
                    + " deletes, in the same transaction.");
        }
        return deleted;
    }

    /** What a hard delete needs before it writes anything, and before each chunk. */
    private Consumer<Removal> rulesOfADelete(Removal removal) {
        OffsetDateTime confirmedAt = removals.confirmedAt(removal.id()).orElse(null);
        return current -> {
            rules.requirePermittedRequester(current);
            rules.requirePermittedConfirmer(current);
            rules.requireBulkDeleteEnabled(current);
            rules.requireRecentBackup(current, confirmedAt);
            rules.requireVerifiedSnapshot(current);
            rules.requireSecondApproval(current);
        };
    }

    /**
     * The first step of a deletion confirmed with a cooling-off period: after the delete's rules and a comparison of
     * the scope with the confirmed one, the confirmed scope's organizations go out of sight (not listed, no RMM device
     * matched to them, every row kept as it is) and the removal waits out the period (PENDING_DELETION), in a
     * transaction of its own. A repeated run finds it done and says so.
     *
     * @throws RemovalRefusedException when a rule is broken; the removal has then ended as refused
     */
    public MoveOut moveOutOfSight(String processInstanceId) {
        String step = "Move the scope out of sight";
        Removal removal = removalService.get(processInstanceId);
        Consumer<Removal> rulesOfADelete = rulesOfADelete(removal);
        return removalService.refusingOnBrokenRule(removal, () -> ownTransaction.execute(status -> {
            Removal current = removalService.lockedForAChange(processInstanceId);
            rules.requireChosen(current, RemovalMode.DELETE, step);
            if (current.status() == RemovalStatus.PENDING_DELETION) {
                return new MoveOut(false, remover.organizationsOutOfSight(current.id()), current.purgeAfter());
            }
            if (current.status() == RemovalStatus.SCOPE_CHANGED) {
                return new MoveOut(true, 0, null); // found before, by a run of this step whose transaction did not commit
            }
            rules.requireState(current, step, RemovalStatus.CONFIRMED);
            if (!current.coolsOff()) {
                throw new RemovalRefusedException("'" + step + "' cannot run: removal " + current.businessKey()
                        + " was confirmed without a cooling-off period.");
            }
            List<Long> changed = scope.changedSinceConfirmed(current, RemovalMode.DELETE);
            if (!changed.isEmpty()) {
                markScopeChanged(current, RemovalMode.DELETE, changed);
                return new MoveOut(true, 0, null);
            }
            rulesOfADelete.accept(current);
            if (!removals.markPendingDeletion(current.id())) {
                throw new RemovalRefusedException("'" + step + "' cannot run: removal " + current.businessKey()
                        + " has begun its purge already, or changed state meanwhile.");
            }
            int moved = remover.moveOutOfSight(current.id(), current.requireIntegrationId());
            OffsetDateTime purgeAfter = removalService.get(processInstanceId).purgeAfter();
            // The snapshot outlives the wait: the restore window counts from the purge (extended again when it ends).
            backups.keepSnapshotsForTheirRetentionFrom(current.id(), "removal.purge_after", backupProperties.snapshotRetention());
            log.info("Removal {}: {} organizations out of sight; purged from {} on unless an Administrator cancels",
                    current.businessKey(), moved, purgeAfter);
            return new MoveOut(false, moved, purgeAfter);
        }));
    }

    /** Where the start of a write step leaves it. */
    private enum Start {
        /** The removal runs: write. */
        WRITE,
        /** The scope differs from the confirmed one: nothing is written until the person confirms it. */
        SCOPE_CHANGED,
        /** The deletion's cooling-off period is not over: nothing is purged yet. */
        NOT_DUE
    }

    /**
     * Moves the removal to RUNNING (or finds it running in this mode), after its rules, in a transaction of its own.
     * Before the first write the whole scope is compared with the confirmed one: when it differs, the removal moves to
     * SCOPE_CHANGED instead, with the scope as it is now frozen for the person to confirm.
     *
     * @return whether the step may write, or why not
     */
    private Start start(Removal removal, RemovalMode mode, RemovalStatus from, Consumer<Removal> rulesOfAChunk) {
        String step = mode == RemovalMode.DELETE ? "Hard delete" : "Disconnect";
        return removalService.refusingOnBrokenRule(removal, () -> ownTransaction.execute(status -> {
            Removal current = removalService.get(removal.processInstanceId());
            rules.requireChosen(current, mode, step);
            if (current.status() == RemovalStatus.SCOPE_CHANGED) {
                return Start.SCOPE_CHANGED; // found before, by a run of this step whose own transaction did not commit
            }
            rules.requireState(current, step, from, RemovalStatus.RUNNING);
            if (current.status() == RemovalStatus.PENDING_DELETION && !current.purgeDue()) {
                return Start.NOT_DUE;
            }
            if (current.status() == RemovalStatus.RUNNING && current.mode() != mode) {
                throw new RemovalRefusedException("'" + step + "' cannot run: removal " + current.businessKey()
                        + " is already running as a " + current.mode().name().toLowerCase(Locale.ROOT) + ".");
            }
            if (current.status() == from) {
                // Before the rules: a delete's snapshot is of the confirmed scope, so a changed one has none yet.
                List<Long> changed = scope.changedSinceConfirmed(current, mode);
                if (!changed.isEmpty()) {
                    markScopeChanged(current, mode, changed);
                    return Start.SCOPE_CHANGED;
                }
            }
            rulesOfAChunk.accept(current);
            if (!removals.markRunning(current.id(), mode, from)) {
                throw new RemovalRefusedException("'" + step + "' cannot run: removal " + current.businessKey()
                        + " changed state while it started.");
            }
            if (from == RemovalStatus.PENDING_DELETION && current.status() == from) {
                // The purge may begin later than the wait said (a late timer, an outage): so does the restore window.
                backups.keepSnapshotsForTheirRetentionFrom(current.id(), "now()", backupProperties.snapshotRetention());
            }
            return Start.WRITE;
        }));
    }

    /** In the caller's transaction: the removal waits for its changed scope to be confirmed, frozen as a new round. */
    private void markScopeChanged(Removal removal, RemovalMode mode, List<Long> changed) {
        if (!removals.markScopeChanged(removal.id(), mode)) {
            throw new IllegalStateException("Removal " + removal.businessKey() + " changed state while its scope was compared");
        }
        scope.proposeRound(removal, mode, changed);
        log.warn("Removal {}: the scope changed since it was confirmed ({} organizations added, changed or gone); nothing"
                + " more is written until the person confirms again", removal.businessKey(), changed.size());
    }

    /** The next chunk of the mode, at most so many rows written, looked for among so many organizations. */
    private interface ChunkSource {
        PlatformData.Chunk next(long maxRows, int candidates);
    }

    /** Writes a chunk for the removal as it stands, returning how many organizations it wrote. */
    private interface ChunkWork {
        int write(Removal current, List<Long> organizations);
    }

    /**
     * Takes chunks, each in a transaction of its own, until none is left or the time budget is spent. A crash loses
     * at most the chunk in flight, whose transaction rolls back; the retried job goes on with the organizations
     * still in scope.
     */
    private Progress runChunks(Removal removal, RemovalMode mode, Consumer<Removal> rulesOfAChunk, ChunkSource nextChunk,
            ChunkWork work, Runnable whenDone) {
        String verb = mode == RemovalMode.DELETE ? "deleted" : "disconnected";
        long integrationId = removal.requireIntegrationId();
        long deadline = System.nanoTime() + settings.jobTimeBudget().toNanos();
        int candidates = 64;
        int chunks = 0;
        while (true) {
            long started = System.nanoTime();
            PlatformData.Chunk chunk = nextChunk.next(settings.chunkRows(), candidates);
            if (chunk.isEmpty()) {
                finish(removal, mode, whenDone);
                log.info("Removal {}: all organizations {} after {} chunks in this job", removal.businessKey(), verb, chunks);
                return new Progress(true, chunks, 0);
            }
            int written;
            try {
                written = writeChunk(removal, mode, rulesOfAChunk, work, chunk);
            } catch (ScopeChangedException changed) {
                ownTransaction.executeWithoutResult(status -> {
                    Removal current = removalService.get(removal.processInstanceId());
                    if (current.status() == RemovalStatus.RUNNING) {
                        markScopeChanged(current, mode, changed.organizations());
                    }
                });
                return new Progress(false, chunks, remover.organizationsLeft(integrationId), true, null);
            }
            long left = remover.organizationsLeft(integrationId);
            if (written > 0) {
                chunks++;
                log.info("Removal {}: chunk of {} organizations ({} items) {} in {} ms; {} organizations left",
                        removal.businessKey(), written, chunk.items(), verb, (System.nanoTime() - started) / 1_000_000, left);
            } else {
                log.info("Removal {}: the next {} organizations were {} by another run of this step; {} organizations left",
                        removal.businessKey(), chunk.organizations().size(), verb, left);
            }
            if (chunk.organizations().size() == candidates) {
                candidates = Math.min(candidates * 2, 8192);
            }
            if (left == 0) {
                finish(removal, mode, whenDone);
                return new Progress(true, chunks, 0);
            }
            if (System.nanoTime() > deadline) {
                return new Progress(false, chunks, left);
            }
        }
    }

    /**
     * One chunk in a transaction of its own: the rules, then the work, which locks the chunk's rows and has the scope
     * guard compare them with the confirmed scope before it writes, then the count on the removal row.
     *
     * @throws ScopeChangedException when the chunk's organizations differ from the confirmed scope; nothing written
     */
    private int writeChunk(Removal removal, RemovalMode mode, Consumer<Removal> rulesOfAChunk, ChunkWork work,
            PlatformData.Chunk chunk) {
        return removalService.refusingOnBrokenRule(removal, () -> ownTransaction.execute(status -> {
            long begun = System.nanoTime();
            Removal current = removalService.get(removal.processInstanceId());
            rulesOfAChunk.accept(current);
            int organizations = work.write(current, chunk.organizations());
            if (organizations > 0 && !removals.recordChunk(removal.id(), mode, (System.nanoTime() - begun) / 1_000_000)) {
                throw new IllegalStateException("Removal " + removal.businessKey() + " is no longer running as a "
                        + mode.name().toLowerCase(Locale.ROOT) + ": the chunk is rolled back");
            }
            return organizations;
        }));
    }

    /** Marks the integration disconnected or deleted, while the removal is still running in this mode. */
    private void finish(Removal removal, RemovalMode mode, Runnable whenDone) {
        ownTransaction.executeWithoutResult(status -> {
            if (!removals.lockRunning(removal.id(), mode)) {
                throw new IllegalStateException("Removal " + removal.businessKey() + " is no longer running as a "
                        + mode.name().toLowerCase(Locale.ROOT));
            }
            if (removal.coolingOffSeconds() != null && removal.coolingOffSeconds() > 0) {
                // A purge after a cooling-off period: its snapshot is kept for the retention from the purge's end.
                backups.keepSnapshotsForTheirRetentionFrom(removal.id(), "now()", backupProperties.snapshotRetention());
            }
            whenDone.run();
        });
    }

    /**
     * Rows done and rows left per kind, one line per kind (as many lines whatever the size of the data), for
     * Cockpit's variables. "Left" is the preview the user confirmed minus what is done, read from two small
     * tables: nothing is counted again while the removal runs. Once finished, nothing is left.
     */
    public String progressReport(String processInstanceId, RemovalMode mode, boolean finished) {
        StringBuilder report = new StringBuilder();
        for (KindReconciled line : reconciliation(removalService.get(processInstanceId).id(), mode)) {
            report.append(String.format(Locale.ROOT, "%s: %,d done, %,d left%n",
                    line.kind().toLowerCase(Locale.ROOT).replace('_', ' '), line.written(),
                    finished ? 0 : Math.max(0, line.confirmed() - line.written())));
        }
        return report.toString().strip();
    }

    /**
     * A kind of the preview the person confirmed: its two columns, what the mode was to write of it (a delete: both;
     * a disconnect: what came from the PSA) and what was written (for RMM devices: unmatched).
     */
    public record KindReconciled(String kind, long psaSynced, long platformOnly, long confirmed, long written) {
    }

    /**
     * The confirmed preview against the rows written, per kind the mode writes, in the forms' order, read from two
     * small tables: nothing is counted again.
     */
    public List<KindReconciled> reconciliation(long removalId, RemovalMode mode) {
        Map<String, Map<String, Long>> counts = removals.counts(removalId);
        Map<String, Long> done = counts.getOrDefault(mode == RemovalMode.DELETE ? "DELETED" : "DISCONNECTED", Map.of());
        Map<String, Long> unmatched = counts.getOrDefault("UNMATCHED", Map.of());
        Map<String, ImpactPreview.KindCount> preview = removals.preview(removalId);
        List<String> kinds = new ArrayList<>(List.of("ORGANIZATION"));
        kinds.addAll(ImpactReport.ITEM_KINDS);
        if (mode == RemovalMode.DELETE) {
            kinds.addAll(List.of("ATTACHMENT", "RELATED_ITEM", "RMM_DEVICE")); // a disconnect leaves these as they are
        }
        List<KindReconciled> lines = new ArrayList<>();
        for (String kind : kinds) {
            ImpactPreview.KindCount planned = preview.getOrDefault(kind, new ImpactPreview.KindCount(0, 0));
            long confirmed = mode == RemovalMode.DELETE ? planned.total() : planned.psaSynced();
            long written = (kind.equals("RMM_DEVICE") ? unmatched : done).getOrDefault(kind, 0L);
            lines.add(new KindReconciled(kind, planned.psaSynced(), planned.platformOnly(), confirmed, written));
        }
        return lines;
    }

    /** The removal's scope as frozen at the preview and at each change found, with checksums for the mode. */
    public List<ScopeRound> scopeRounds(long removalId, RemovalMode mode) {
        return scope.rounds(removalId, mode);
    }

    /** What changed in scope since it was confirmed, as Markdown, while the removal waits for the person to confirm it. */
    public String scopeDifference(String processInstanceId) {
        return removalService.scopeDifference(processInstanceId);
    }

    public long rows(String processInstanceId, String action) {
        return removals.total(removalService.get(processInstanceId).id(), action);
    }

    public long unmatchedDevices(String processInstanceId) {
        return remover.unmatchedDevices(removalService.get(processInstanceId).id());
    }
}

package io.psaremoval.removal;

import io.psaremoval.integration.Integrations;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
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
    private final TransactionTemplate ownTransaction;

    DataRemovalService(RemovalService removalService, RemovalRepository removals, Integrations integrations,
            PlatformData remover, RemovalRules rules, RemovalSettings settings,
            PlatformTransactionManager transactionManager) {
        this.removalService = removalService;
        this.removals = removals;
        this.integrations = integrations;
        this.remover = remover;
        this.rules = rules;
        this.settings = settings;
        this.ownTransaction = new TransactionTemplate(transactionManager);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Where a chunked disconnect or delete stands after one job. */
    public record Progress(boolean finished, int chunks, long organizationsLeft) {
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
        start(removal, RemovalMode.DISCONNECT, RemovalStatus.PENDING, rulesOfAChunk);
        long integrationId = removal.requireIntegrationId();
        return runChunks(removal, RemovalMode.DISCONNECT, rulesOfAChunk,
                (maxRows, candidates) -> remover.nextChunkToDisconnect(integrationId, maxRows, candidates),
                organizations -> remover.disconnect(removal.id(), integrationId, organizations),
                () -> integrations.markDisconnected(integrationId));
    }

    /**
     * Hard deletes everything of the organizations synced from the PSA for at most the job time budget. Each chunk
     * needs what the confirmation needed: the requester and the person who confirmed still Managers or
     * Administrators, bulk delete on, a backup that was recent when the deletion was confirmed.
     *
     * @throws RemovalRefusedException when a rule is broken; the removal has then ended as refused
     */
    public Progress hardDelete(String processInstanceId) {
        Removal removal = removalService.get(processInstanceId);
        OffsetDateTime confirmedAt = removals.confirmedAt(removal.id()).orElse(null);
        Consumer<Removal> rulesOfAChunk = current -> {
            rules.requirePermittedRequester(current);
            rules.requirePermittedConfirmer(current);
            rules.requireBulkDeleteEnabled(current);
            rules.requireRecentBackup(current, confirmedAt);
        };
        start(removal, RemovalMode.DELETE, RemovalStatus.CONFIRMED, rulesOfAChunk);
        long integrationId = removal.requireIntegrationId();
        return runChunks(removal, RemovalMode.DELETE, rulesOfAChunk,
                (maxRows, candidates) -> remover.nextChunk(integrationId, maxRows, candidates),
                organizations -> remover.hardDelete(removal.id(), integrationId, organizations),
                () -> integrations.markDeleted(integrationId));
    }

    /** Moves the removal to RUNNING (or finds it running in this mode), after its rules, in a transaction of its own. */
    private void start(Removal removal, RemovalMode mode, RemovalStatus from, Consumer<Removal> rulesOfAChunk) {
        String step = mode == RemovalMode.DELETE ? "Hard delete" : "Disconnect";
        removalService.refusingOnBrokenRule(removal, () -> ownTransaction.execute(status -> {
            Removal current = removalService.get(removal.processInstanceId());
            rules.requireChosen(current, mode, step);
            rules.requireState(current, step, from, RemovalStatus.RUNNING);
            if (current.status() == RemovalStatus.RUNNING && current.mode() != mode) {
                throw new RemovalRefusedException("'" + step + "' cannot run: removal " + current.businessKey()
                        + " is already running as a " + current.mode().name().toLowerCase(Locale.ROOT) + ".");
            }
            rulesOfAChunk.accept(current);
            if (!removals.markRunning(current.id(), mode, from)) {
                throw new RemovalRefusedException("'" + step + "' cannot run: removal " + current.businessKey()
                        + " changed state while it started.");
            }
            return null;
        }));
    }

    /** The next chunk of the mode, at most so many rows written, looked for among so many organizations. */
    private interface ChunkSource {
        PlatformData.Chunk next(long maxRows, int candidates);
    }

    /**
     * Takes chunks, each in a transaction of its own, until none is left or the time budget is spent. A crash loses
     * at most the chunk in flight, whose transaction rolls back; the retried job goes on with the organizations
     * still in scope.
     */
    private Progress runChunks(Removal removal, RemovalMode mode, Consumer<Removal> rulesOfAChunk, ChunkSource nextChunk,
            ToIntFunction<List<Long>> work, Runnable whenDone) {
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
            int written = removalService.refusingOnBrokenRule(removal, () -> ownTransaction.execute(status -> {
                long begun = System.nanoTime();
                rulesOfAChunk.accept(removalService.get(removal.processInstanceId()));
                int organizations = work.applyAsInt(chunk.organizations());
                if (organizations > 0 && !removals.recordChunk(removal.id(), mode, (System.nanoTime() - begun) / 1_000_000)) {
                    throw new IllegalStateException("Removal " + removal.businessKey() + " is no longer running as a "
                            + mode.name().toLowerCase(Locale.ROOT) + ": the chunk is rolled back");
                }
                return organizations;
            }));
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

    /** Marks the integration disconnected or deleted, while the removal is still running in this mode. */
    private void finish(Removal removal, RemovalMode mode, Runnable whenDone) {
        ownTransaction.executeWithoutResult(status -> {
            if (!removals.lockRunning(removal.id(), mode)) {
                throw new IllegalStateException("Removal " + removal.businessKey() + " is no longer running as a "
                        + mode.name().toLowerCase(Locale.ROOT));
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

    public long rows(String processInstanceId, String action) {
        return removals.total(removalService.get(processInstanceId).id(), action);
    }

    public long unmatchedDevices(String processInstanceId) {
        return remover.unmatchedDevices(removalService.get(processInstanceId).id());
    }
}

package io.psaremoval.removal;

import io.psaremoval.account.PlatformUser;
import io.psaremoval.integration.Integration;
import io.psaremoval.integration.IntegrationRepository;
import io.psaremoval.integration.IntegrationUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The business steps of a removal. Each is safe to run twice: a job retried after a crash or a lock
 * timeout finds the work done and changes nothing more.
 */
@Service
public class RemovalService {

    /** The role of a requester who is not an active platform user (the decision table refuses it). */
    public static final String UNKNOWN_ROLE = "UNKNOWN";

    private static final Logger log = LoggerFactory.getLogger(RemovalService.class);

    private final RemovalRepository removals;
    private final IntegrationRepository integrations;
    private final ImpactPreviewService previews;
    private final PlatformDataRemover remover;
    private final RemovalSettings settings;
    private final TransactionTemplate chunkTransaction;

    RemovalService(RemovalRepository removals, IntegrationRepository integrations, ImpactPreviewService previews,
            PlatformDataRemover remover, RemovalSettings settings, PlatformTransactionManager transactionManager) {
        this.removals = removals;
        this.integrations = integrations;
        this.previews = previews;
        this.remover = remover;
        this.settings = settings;
        this.chunkTransaction = new TransactionTemplate(transactionManager);
        this.chunkTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Records who asked; the requester comes from the platform's users table, or is unknown. */
    @Transactional
    public Removal register(String processInstanceId, String businessKey, Optional<PlatformUser> requester,
            String username, String reason) {
        String role = requester.map(user -> user.role().name()).orElse(UNKNOWN_ROLE);
        return removals.createIfAbsent(processInstanceId, businessKey, username == null ? "(anonymous)" : username,
                role, requester.map(PlatformUser::accountId).orElse(null), reason);
    }

    public Removal get(String processInstanceId) {
        return removals.findByProcessInstance(processInstanceId)
                .orElseThrow(() -> new IllegalStateException("No removal recorded for process instance " + processInstanceId));
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
     * Marks the integration "removing" and ties it to this removal. While it is, a second removal or a sync
     * of the integration is refused. Repeating the call for the same removal changes nothing.
     */
    @Transactional(noRollbackFor = IntegrationUnavailableException.class)
    public Removal reserve(String processInstanceId, long integrationId) {
        Removal removal = get(processInstanceId);
        if (removal.integrationId() != null) {
            if (removal.integrationId() != integrationId) {
                throw new IntegrationUnavailableException("This removal already reserved integration "
                        + removal.integrationName() + ".");
            }
            return removal;
        }
        Integration integration = checkRemovable(removal, integrationId);
        if (!integrations.markRemoving(integrationId, removal.requireAccountId())) {
            // Another removal reserved it since the check above (another node, at the same moment).
            throw unavailable(integrations.findById(integrationId).orElseThrow());
        }
        removals.attachIntegration(removal.id(), integrationId, integration.name(), integration.status());
        log.info("Removal {}: integration '{}' ({}) reserved by {}", removal.businessKey(), integration.name(),
                integrationId, removal.requestedBy());
        return get(processInstanceId);
    }

    @Transactional
    public ImpactPreview preview(String processInstanceId) {
        Removal removal = get(processInstanceId);
        ImpactPreview preview = previews.preview(removal.requireIntegrationId());
        removals.savePreview(removal.id(), preview);
        return preview;
    }

    @Transactional
    public void recordDeletionConfirmed(String processInstanceId, String confirmedBy) {
        removals.recordConfirmation(get(processInstanceId).id(), confirmedBy);
    }

    /** Where a chunked disconnect or delete stands after one job. */
    public record Progress(boolean finished, int chunks, long organizationsLeft) {
    }

    /**
     * Permanently disconnects the records, chunk by chunk, for at most the job time budget: the
     * integration goes, its organizations and items stay stand-alone. Call again until finished.
     */
    public Progress disconnect(String processInstanceId) {
        Removal removal = get(processInstanceId);
        long integrationId = removal.requireIntegrationId();
        inNewTransaction(() -> removals.markRunning(removal.id(), RemovalMode.DISCONNECT));
        return runChunks(removal, "disconnected", organizations -> remover.disconnect(removal.id(), integrationId,
                organizations), () -> integrations.markDisconnected(integrationId));
    }

    /**
     * Hard deletes everything of the organizations synced from the PSA, chunk by chunk, for at most the
     * job time budget. Call again until finished.
     */
    public Progress hardDelete(String processInstanceId) {
        Removal removal = get(processInstanceId);
        long integrationId = removal.requireIntegrationId();
        if (removal.confirmedBy() == null) {
            throw new IllegalStateException("Removal " + removal.businessKey() + " has no typed confirmation: nothing is deleted");
        }
        inNewTransaction(() -> removals.markRunning(removal.id(), RemovalMode.DELETE));
        return runChunks(removal, "deleted", organizations -> remover.hardDelete(removal.id(), integrationId,
                organizations), () -> integrations.markDeleted(integrationId));
    }

    /**
     * Takes chunks, each in a transaction of its own, until none is left or the time budget is spent.
     * A crash loses at most the chunk in flight, whose transaction rolls back; the retried job goes on
     * with the organizations still in scope.
     */
    private Progress runChunks(Removal removal, String verb, ToIntFunction<List<Long>> work,
            Runnable whenDone) {
        long integrationId = removal.requireIntegrationId();
        long deadline = System.nanoTime() + settings.jobTimeBudget().toNanos();
        int candidates = 64;
        int chunks = 0;
        while (true) {
            long started = System.nanoTime();
            PlatformDataRemover.Chunk chunk = remover.nextChunk(integrationId, settings.chunkRows(), candidates);
            if (chunk.isEmpty()) {
                inNewTransaction(whenDone);
                log.info("Removal {}: all organizations {} after {} chunks in this job", removal.businessKey(), verb, chunks);
                return new Progress(true, chunks, 0);
            }
            int written = chunkTransaction.execute(status -> {
                long begun = System.nanoTime();
                int organizations = work.applyAsInt(chunk.organizations());
                if (organizations > 0) {
                    removals.recordChunk(removal.id(), (System.nanoTime() - begun) / 1_000_000);
                }
                return organizations;
            });
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
                inNewTransaction(whenDone);
                return new Progress(true, chunks, 0);
            }
            if (System.nanoTime() > deadline) {
                return new Progress(false, chunks, left);
            }
        }
    }

    /** Runs the work in a transaction of its own, committed when it returns, whatever surrounds the call. */
    private void inNewTransaction(Runnable work) {
        chunkTransaction.executeWithoutResult(status -> work.run());
    }

    /**
     * Rows done and rows left per kind, one line per kind (as many lines whatever the size of the data), for
     * Cockpit's variables. "Left" is the preview the user confirmed minus what is done, read from two small
     * tables: nothing is counted again while the removal runs. Once finished, nothing is left.
     */
    public String progressReport(String processInstanceId, RemovalMode mode, boolean finished) {
        Removal removal = get(processInstanceId);
        Map<String, Map<String, Long>> counts = removals.counts(removal.id());
        Map<String, Long> done = counts.getOrDefault(mode == RemovalMode.DELETE ? "DELETED" : "DISCONNECTED", Map.of());
        Map<String, Long> unmatched = counts.getOrDefault("UNMATCHED", Map.of());
        Map<String, ImpactPreview.KindCount> preview = removals.preview(removal.id());
        List<String> kinds = new ArrayList<>(List.of("ORGANIZATION"));
        kinds.addAll(ImpactPreviewService.ITEM_KINDS);
        if (mode == RemovalMode.DELETE) {
            kinds.addAll(List.of("ATTACHMENT", "RELATED_ITEM", "RMM_DEVICE")); // a disconnect leaves these as they are
        }
        StringBuilder report = new StringBuilder();
        for (String kind : kinds) {
            ImpactPreview.KindCount planned = preview.getOrDefault(kind, new ImpactPreview.KindCount(0, 0));
            long total = mode == RemovalMode.DELETE ? planned.total() : planned.psaSynced();
            long rows = (kind.equals("RMM_DEVICE") ? unmatched : done).getOrDefault(kind, 0L);
            report.append(String.format(Locale.ROOT, "%s: %,d done, %,d left%n",
                    kind.toLowerCase(Locale.ROOT).replace('_', ' '), rows, finished ? 0 : Math.max(0, total - rows)));
        }
        return report.toString().strip();
    }

    public long rows(String processInstanceId, String action) {
        return removals.total(get(processInstanceId).id(), action);
    }

    public long unmatchedDevices(String processInstanceId) {
        return remover.unmatchedDevices(get(processInstanceId).id());
    }

    /** Gives the integration back its previous status after a cancellation or expiry; nothing else changes. */
    @Transactional
    public void release(String processInstanceId) {
        removals.findByProcessInstance(processInstanceId).ifPresent(removal -> {
            if (removal.integrationId() != null && removal.status().isOpen()) {
                integrations.restoreStatus(removal.integrationId(), removal.previousIntegrationStatus());
            }
        });
    }

    @Transactional
    public void end(String processInstanceId, RemovalStatus outcome) {
        removals.findByProcessInstance(processInstanceId).ifPresent(removal -> removals.end(removal.id(), outcome));
    }
}

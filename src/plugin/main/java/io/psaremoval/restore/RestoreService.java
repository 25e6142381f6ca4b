package io.psaremoval.restore;

import io.psaremoval.security.Notes;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.removal.ImpactReport;
import io.psaremoval.rmm.RmmDeliveryService;
import io.psaremoval.rmm.RmmNotifier;
import io.psaremoval.security.SecurityEvents;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Restore deleted PSA data: an Administrator of the account chooses one of its removals' deletions (by the kept snapshot
 * of the newest scope round it deleted under), sees what it deleted (from the snapshot of each round it deleted under,
 * the organizations deleted under that round: read back and verified against the checksums recorded when it was taken),
 * confirms, and every row is recreated with its id in one transaction; RMM devices still unmatched are matched again to
 * their restored configurations and their RMM integrations are told; a deleted PSA integration comes back paused. A
 * delete that stopped part-way gets back what it deleted, nothing of what it left in place. Every
 * step checks again, from the database, who asks and what the snapshot is; a snapshot that does not match its checksum,
 * is another account's, or whose rows would collide with live data, is refused in words and nothing is written.
 */
@Service
public class RestoreService {

    private static final Logger log = LoggerFactory.getLogger(RestoreService.class);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH);

    /** What the inspection of the chosen snapshot found: restorable (with what it holds) or why not. */
    public record Inspection(boolean restorable, String report, String refusal) {
    }

    /** What the restore step did: restored, or refused (nothing written) and why. */
    public record Outcome(boolean restored, String refusal, long rows, int devicesRematched) {
    }

    private final RestoreRepository restores;
    private final SnapshotRestorer restorer;
    private final PlatformUsers users;
    private final RmmNotifier rmm;
    private final RmmDeliveryService rmmDelivery;
    private final SecurityEvents securityEvents;
    private final JdbcClient jdbc;
    private final TransactionTemplate inspection;
    private final TransactionTemplate ownTransaction;
    private final ObjectMapper json = new ObjectMapper();

    private final int maxRequestsPerDay;

    RestoreService(RestoreRepository restores, SnapshotRestorer restorer, PlatformUsers users, RmmNotifier rmm,
            RmmDeliveryService rmmDelivery, SecurityEvents securityEvents, JdbcClient jdbc,
            PlatformTransactionManager transactionManager, io.psaremoval.removal.RemovalSettings settings) {
        this.maxRequestsPerDay = settings.maxRequestsPerDay();
        this.restores = restores;
        this.restorer = restorer;
        this.users = users;
        this.rmm = rmm;
        this.rmmDelivery = rmmDelivery;
        this.securityEvents = securityEvents;
        this.jdbc = jdbc;
        this.inspection = new TransactionTemplate(transactionManager);
        this.inspection.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.ownTransaction = new TransactionTemplate(transactionManager);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Whether a restore other than the process instance's has this business key already. */
    public boolean businessKeyTaken(String businessKey, String processInstanceId) {
        return restores.businessKeyTaken(businessKey, processInstanceId);
    }

    /**
     * Records the request of an active Administrator of an account that has a snapshot to restore.
     *
     * @throws RestoreRefusedException saying why not (the start is refused, nothing recorded)
     */
    @Transactional
    public Restore register(String processInstanceId, String businessKey, String username, String reason) {
        PlatformUser user = username == null ? null : users.findActiveByUsername(username).orElse(null);
        String notPermitted = whyNotAdministrator(user, username, null, "You");
        if (notPermitted != null) {
            securityEvents.record(username, "RESTORE_REFUSED", processInstanceId, null, notPermitted);
            throw new RestoreRefusedException(notPermitted);
        }
        if (restores.restorable(user.accountId()).isEmpty()) {
            throw new RestoreRefusedException("Your account has no snapshot of deleted PSA data to restore: a snapshot is"
                    + " taken before every hard delete and kept for its retention, then removed.");
        }
        String tooMany = restores.whyNotOneMoreRequest(username, processInstanceId, maxRequestsPerDay);
        if (tooMany != null) {
            securityEvents.record(username, "RESTORE_REFUSED", processInstanceId, null, tooMany);
            throw new RestoreRefusedException(tooMany);
        }
        Restore restore = restores.createIfAbsent(processInstanceId, businessKey, user.accountId(), username,
                Notes.orNull(reason));
        log.info("Restore {} requested by {} for account {}", businessKey, username, user.accountId());
        return restore;
    }

    public Restore get(String processInstanceId) {
        return restores.findByProcessInstance(processInstanceId).orElseThrow(() -> new IllegalStateException(
                "No restore recorded for process instance " + processInstanceId));
    }

    /** The snapshots the restore may offer, as the chooser's options: "removal-... · ConnectWise Manage · ...". */
    public List<Map<String, String>> options(String processInstanceId) {
        return restores.restorable(get(processInstanceId).accountId()).stream()
                .map(snapshot -> Map.of("value", String.valueOf(snapshot.snapshotId()), "label", label(snapshot)))
                .toList();
    }

    private static String label(RestorableSnapshot snapshot) {
        return snapshot.integrationName() + " · removal " + snapshot.removalKey() + " · " + snapshot.organizations()
                + " organizations" + (snapshot.stoppedPartWay() ? " (stopped part-way)" : "")
                + (snapshot.rounds() > 1 ? " · " + snapshot.rounds() + " snapshots, one per round of its scope" : "")
                + " · taken " + snapshot.takenAt().withOffsetSameInstant(ZoneOffset.UTC).format(WHEN)
                + " · kept until " + snapshot.keptUntil().withOffsetSameInstant(ZoneOffset.UTC).format(WHEN);
    }

    /**
     * REQUESTED or CHOSEN → CHOSEN: the snapshot the person chose, if their account may restore it.
     *
     * @throws RestoreRefusedException saying why not; nothing changed
     */
    @Transactional
    public void choose(String processInstanceId, long snapshotId, String chosenBy) {
        Restore restore = restores.lock(processInstanceId).orElseThrow();
        requireAdministrator(restore, chosenBy, "You");
        RestorableSnapshot snapshot = restores.restorable(restore.accountId(), snapshotId)
                .orElseThrow(() -> new RestoreRefusedException(restores.whyNotRestorable(restore.accountId(), snapshotId)));
        restores.otherUnderWay(snapshot.removalId(), restore.id()).ifPresent(other -> {
            throw underWay(other);
        });
        boolean chosen;
        try {
            chosen = restores.choose(restore.id(), snapshot.snapshotId(), snapshot.removalId());
        } catch (org.springframework.dao.DuplicateKeyException chosenMeanwhile) {
            // Another restore of the same deletion chose it meanwhile (V25's unique index); the transaction is aborted, so
            // nothing more is read in it.
            throw underWay(null);
        }
        if (!chosen) {
            throw new RestoreRefusedException("Restore " + restore.businessKey() + " is not waiting for a snapshot: it is "
                    + restore.status().toLowerCase(Locale.ROOT) + ".");
        }
    }

    /**
     * One restore of a deletion at a time: a second one would read and check the same snapshot while the first holds its
     * locks, each holding its connections while it waits.
     */
    private static RestoreRefusedException underWay(Restore other) {
        return new RestoreRefusedException("Another restore of this deletion is under way"
                + (other == null ? "" : " (" + other.businessKey() + ", asked for by " + other.requestedBy() + ")")
                + ": a deletion is restored by one restore at a time. Finish or cancel that one first (one stopped for an"
                + " operator ends when an operator retries or ends it); nothing was restored.");
    }

    /**
     * Reads the chosen snapshot back and checks it against what was recorded and against the account as it is now, in
     * a transaction that is rolled back: nothing is written.
     */
    public Inspection inspect(String processInstanceId) {
        return inspection.execute(status -> {
            status.setRollbackOnly();
            Restore restore = get(processInstanceId);
            if (!restore.status().equals("CHOSEN")) {
                // A retried job: what it found before stands.
                return new Inspection(false, null, restore.outcomeReason() != null ? restore.outcomeReason()
                        : "Restore " + restore.businessKey() + " is " + restore.status().toLowerCase(Locale.ROOT)
                                + ", not waiting for its snapshot to be checked. Nothing was restored.");
            }
            try {
                chosenSnapshot(restore);
                SnapshotRestorer.Staged staged = stage(restore);
                String refusal = restorer.whyNotRestorable(staged, restore.accountId());
                if (refusal != null) {
                    return new Inspection(false, null, refusal);
                }
                return new Inspection(true, report(restore, staged, restorer.devices(restore.accountId())), null);
            } catch (RestoreRefusedException refused) {
                return new Inspection(false, null, refused.getMessage());
            }
        });
    }

    /**
     * CHOSEN → CONFIRMED: the person confirmed the restore of the snapshot they were shown.
     *
     * @throws RestoreRefusedException saying why not; nothing changed
     */
    @Transactional
    public void confirm(String processInstanceId, String confirmedBy) {
        Restore restore = restores.lock(processInstanceId).orElseThrow();
        requireAdministrator(restore, confirmedBy, "You");
        if (!restores.confirm(restore.id(), confirmedBy)) {
            throw new RestoreRefusedException("Restore " + restore.businessKey() + " is not waiting for a confirmation: it is "
                    + restore.status().toLowerCase(Locale.ROOT) + ".");
        }
    }

    /**
     * CONFIRMED → RESTORED, in one transaction: the requester and who confirmed still Administrators of the account, the
     * records of the snapshots the removal deleted under locked, read back and verified again, the rows checked against
     * the account as it is now, then every row recreated with its id, devices still unmatched matched again and their
     * RMM integrations' notices recorded, a deleted integration paused; committed on its own, before the step's job. A
     * retried job finds it
     * restored and changes nothing.
     */
    public Outcome restore(String processInstanceId) {
        // A transaction of its own: a refusal rolls back and lets go of its locks before the refusal is recorded.
        try {
            return ownTransaction.execute(status -> write(processInstanceId));
        } catch (org.springframework.dao.DataIntegrityViolationException e) {
            // A row the checks did not foresee (a race with a sync, say): the database keeps its keys, nothing is written.
            throw new RestoreRefusedException("The database refused a row of the snapshot (" + firstLine(e) + "): it would"
                    + " collide with live data. Nothing was restored.");
        }
    }

    private static String firstLine(org.springframework.core.NestedRuntimeException e) {
        String message = String.valueOf(e.getMostSpecificCause().getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    private Outcome write(String processInstanceId) {
        Restore restore = restores.lock(processInstanceId).orElseThrow();
        if (restore.status().equals("RESTORED")) {
            return new Outcome(true, null, rows(restore), restore.devicesRematched());
        }
        if (restore.status().equals("REFUSED") && restore.outcomeReason() != null) {
            throw new RestoreRefusedException(restore.outcomeReason()); // a retried job: the refusal it recorded
        }
        if (!restore.status().equals("CONFIRMED")) {
            throw new RestoreRefusedException("'Restore the snapshot' cannot run: restore " + restore.businessKey()
                    + " is " + restore.status().toLowerCase(Locale.ROOT) + ", not confirmed. Nothing was restored.");
        }
        requireAdministrator(restore, restore.requestedBy(), "The person who asked for the restore");
        requireAdministrator(restore, restore.confirmedBy(), "The person who confirmed the restore");
        RestoreRepository.StoredSnapshot snapshot = chosenSnapshot(restore);
        if (restores.restorable(restore.accountId(), snapshot.id()).isEmpty()) {
            throw new RestoreRefusedException(restores.whyNotRestorable(restore.accountId(), snapshot.id()));
        }
        SnapshotRestorer.Staged staged = stage(restore);
        String refusal = restorer.whyNotRestorable(staged, restore.accountId());
        if (refusal != null) {
            throw new RestoreRefusedException(refusal);
        }
        List<SnapshotRestorer.Rematched> rematched = restorer.write(restore.accountId());
        rematched.stream().collect(Collectors.groupingBy(SnapshotRestorer.Rematched::rmmIntegrationId, TreeMap::new,
                        Collectors.mapping(device -> new RmmNotifier.RematchedDevice(device.rmmDeviceId(), device.externalId(),
                                device.hostname(), device.configurationId()), Collectors.toList())))
                .forEach((rmmIntegrationId, devices) -> rmm.notifyRematched(restore.removalId(), rmmIntegrationId, devices));
        // A deleted integration comes back paused; one a delete stopped part-way left in place keeps its status.
        jdbc.sql("update integration set status = 'PAUSED', updated_at = now() where id = :id and status = 'DELETED'")
                .param("id", staged.psaIntegrationId()).update();
        Map<String, Long> recreated = new java.util.LinkedHashMap<>(staged.rows());
        recreated.remove("rmm_device");
        try {
            if (!restores.restored(restore.id(), json.writeValueAsString(recreated), rematched.size())) {
                throw new IllegalStateException("Restore " + restore.businessKey() + " changed state while it was written");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        log.info("Restore {}: what removal {} deleted restored from snapshots {} ({}), {} RMM devices matched again",
                restore.businessKey(), restore.removalId(), staged.rounds().stream().map(SnapshotRestorer.Round::snapshotId)
                        .toList(), recreated, rematched.size());
        return new Outcome(true, null, recreated.values().stream().mapToLong(Long::longValue).sum(), rematched.size());
    }

    /** Ends the restore as refused, with the reason, in a transaction of its own (the write step rolled back). */
    public void refuse(String processInstanceId, String reason) {
        ownTransaction.executeWithoutResult(status -> restores.findByProcessInstance(processInstanceId)
                .ifPresent(restore -> restores.end(restore.id(), "REFUSED", reason)));
        log.warn("Restore of process instance {} refused: {}", processInstanceId, reason);
    }

    /** Delivers the notices of the devices matched again that are not delivered yet; fails (retried) while one is not. */
    public RmmDeliveryService.Outcome deliverNotices(String processInstanceId) {
        Restore restore = get(processInstanceId);
        if (!restore.status().equals("RESTORED")) {
            throw new IllegalStateException("Restore " + restore.businessKey() + " is not restored: nothing to tell the RMM");
        }
        return rmmDelivery.deliverPending(restore.removalId(), "devices-rematched");
    }

    /** Ends the restore with its outcome; an ended restore keeps its first. */
    @Transactional
    public void end(String processInstanceId, String outcome, String reason) {
        restores.findByProcessInstance(processInstanceId).ifPresent(restore -> restores.end(restore.id(), outcome, reason));
    }

    /** The process instance ended without an outcome of its own (deleted by an operator, say): an open restore is aborted. */
    @Transactional
    public void abortIfOpen(String processInstanceId, String reason) {
        restores.findByProcessInstance(processInstanceId).filter(Restore::isOpen)
                .ifPresent(restore -> restores.end(restore.id(), "ABORTED", reason));
    }

    /** The restores of a removal's snapshots, oldest first: the auditors' view. */
    public List<Restore> ofRemoval(long removalId) {
        return restores.ofRemoval(removalId);
    }

    private RestoreRepository.StoredSnapshot chosenSnapshot(Restore restore) {
        if (restore.snapshotId() == null) {
            throw new RestoreRefusedException("No snapshot was chosen for restore " + restore.businessKey() + ".");
        }
        RestoreRepository.StoredSnapshot snapshot = restores.lockSnapshot(restore.snapshotId()).orElse(null);
        if (snapshot == null || !Objects.equals(snapshot.accountId(), restore.accountId())) {
            throw new RestoreRefusedException(restores.whyNotRestorable(restore.accountId(), restore.snapshotId()));
        }
        return snapshot;
    }

    /** Stages what the restore's removal deleted, from the snapshot of every round it deleted under (locked). */
    private SnapshotRestorer.Staged stage(Restore restore) {
        List<RestoreRepository.StoredSnapshot> snapshots = restores.lockSnapshotsDeletedUnder(restore.removalId());
        for (RestoreRepository.StoredSnapshot snapshot : snapshots) {
            if (snapshot.accountId() != null && !Objects.equals(snapshot.accountId(), restore.accountId())) {
                throw new RestoreRefusedException(restores.whyNotRestorable(restore.accountId(), snapshot.id()));
            }
        }
        return restorer.stage(snapshots, restore.accountId(), integrationOf(restore), restore.removalId());
    }

    private long integrationOf(Restore restore) {
        return jdbc.sql("select integration_id from removal where id = :id").param("id", restore.removalId())
                .query(Long.class).single();
    }

    private void requireAdministrator(Restore restore, String username, String who) {
        PlatformUser user = username == null ? null : users.lockForWrite(username).orElse(null);
        String why = whyNotAdministrator(user, username, restore.accountId(), who);
        if (why != null) {
            throw new RestoreRefusedException(why + " Nothing was restored.");
        }
    }

    private static String whyNotAdministrator(PlatformUser user, String username, Long accountId, String who) {
        return PlatformUser.whyNotAdministrator(user, username, accountId, who, "the restore's account",
                "restores its deleted PSA data");
    }

    private long rows(Restore restore) {
        try {
            return restore.rowsRestored() == null ? 0 : json.readTree(restore.rowsRestored()).properties().stream()
                    .mapToLong(entry -> entry.getValue().asLong()).sum();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String report(Restore restore, SnapshotRestorer.Staged staged, SnapshotRestorer.Devices devices) {
        record Named(String key, String name) {
        }
        record Removed(String businessKey, String status) {
        }
        Removed removal = jdbc.sql("select business_key, status from removal where id = :id").param("id", restore.removalId())
                .query(Removed.class).single();
        record Integration(String name, String status) {
        }
        Integration integration = jdbc.sql("select name, status from integration where id = :id")
                .param("id", staged.psaIntegrationId()).query(Integration.class).single();
        List<SnapshotRestorer.Round> rounds = staged.rounds();
        StringBuilder md = new StringBuilder("# What removal ").append(removal.businessKey()).append(" deleted\n")
                .append("Everything removal ").append(removal.businessKey()).append(" deleted of **")
                .append(ImpactReport.plain(integration.name())).append("**");
        if (!removal.status().equals("DELETED")) {
            md.append(", which stopped part-way (").append(removal.status().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .append("): the organizations it deleted, not those it left in place");
        }
        if (rounds.size() == 1) {
            md.append(", from the snapshot of round ").append(rounds.get(0).scopeRound()).append(" of its confirmed scope,"
                    + " as it was at ").append(rounds.get(0).takenAt()).append(".\n\n");
        } else {
            md.append(". It deleted under ").append(rounds.size()).append(" rounds of its confirmed scope (the scope changed"
                    + " while it ran and was confirmed again); each organization comes back as the snapshot of the round"
                    + " it was deleted under holds it:\n\n");
            for (SnapshotRestorer.Round round : rounds) {
                md.append("* round ").append(round.scopeRound()).append(": ").append(round.organizations())
                        .append(" organizations, snapshot ").append(round.snapshotId()).append(" taken at ")
                        .append(round.takenAt()).append("\n");
            }
            md.append("\n");
        }
        md.append("| Table | Rows recreated |\n|---|---:|\n");
        for (Named table : List.of(new Named("organization", "Organizations"), new Named("item", "Items"),
                new Named("attachment", "Attachments"), new Named("related_item", "Related items"))) {
            md.append("| ").append(table.name()).append(" | ").append(String.format(Locale.ENGLISH, "%,d",
                    staged.rows().get(table.key()))).append(" |\n");
        }
        md.append("\n**Verified just now:** ").append(rounds.size() == 1 ? "the file's SHA-256 (" + rounds.get(0).sha256()
                        + ") is the one recorded when it was taken"
                        : "each file's SHA-256 (" + rounds.stream().map(SnapshotRestorer.Round::sha256)
                                .collect(Collectors.joining(", ")) + ") is the one recorded when it was taken")
                .append(", and every table matches its manifest; none of these rows exists in your account now.\n\n");
        md.append("Restoring recreates every row with its id in one transaction. ").append(devices.toRematch())
                .append(" RMM devices matched to these configurations then, and unmatched now, are matched again and their"
                        + " RMM is told");
        md.append(devices.matchedElsewhere() > 0 ? "; " + devices.matchedElsewhere()
                + " were matched to other configurations since and stay so. " : ". ");
        if (integration.status().equals("DELETED")) {
            md.append("**").append(ImpactReport.plain(integration.name())).append("** comes back **paused**: nothing syncs"
                    + " until an Administrator resumes it.");
        } else {
            md.append("**").append(ImpactReport.plain(integration.name())).append("** is ")
                    .append(integration.status().toLowerCase(Locale.ROOT)).append(" and stays so; the organizations come back"
                            + " synced from it.");
        }
        return md.toString();
    }
}

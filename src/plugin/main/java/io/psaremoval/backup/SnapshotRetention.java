package io.psaremoval.backup;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Removes the snapshots of removals' scopes once they are older than {@code psa.backup.snapshot-retention}, and the
 * accounts' exports once older than {@code psa.backup.export-retention}, every {@code psa.backup.retention-check-interval},
 * on a thread of its own (the plugin does not switch on Spring's scheduling for the host). Each removal deletes the file
 * from its store and records on the backup's row when and by what it was removed, in one transaction; on several nodes
 * each is removed by one of them (its row is locked, the others skip it).
 */
@Component
public class SnapshotRetention implements DisposableBean {

    /** Who removed a snapshot, as the backup history and the audit record it. */
    public static final String REMOVED_BY = "retention job";
    private static final Logger log = LoggerFactory.getLogger(SnapshotRetention.class);
    /** The names the snapshot step gives its files and drafts (see ScopeSnapshots and FolderSnapshotStore). */
    private static final java.util.regex.Pattern LEFTOVER =
            java.util.regex.Pattern.compile("\\.?removal-\\d+-round-\\d+-[0-9a-f]{8}\\.(zip|partial)");

    private final BackupService backups;
    private final SnapshotStore store;
    private final BackupStore exports;
    private final BackupProperties properties;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "psa-snapshot-retention");
        thread.setDaemon(true);
        return thread;
    });

    SnapshotRetention(BackupService backups, SnapshotStore store, BackupStore exports, BackupProperties properties) {
        this.backups = backups;
        this.store = store;
        this.exports = exports;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStartup() {
        long interval = properties.retentionCheckInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::periodically, interval, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * Removes what the store holds that no backup record knows (a draft or a snapshot a crash left before it was
     * recorded) once it is older than the retention.
     */
    public int removeLeftovers() {
        java.time.Instant old = java.time.Instant.now().minus(properties.snapshotRetention());
        int removed = 0;
        try {
            for (SnapshotStore.Stored stored : store.list()) {
                String name = java.nio.file.Path.of(stored.location()).getFileName().toString();
                if (!LEFTOVER.matcher(name).matches()) {
                    continue; // not a snapshot's: a folder shared with anything else keeps its files
                }
                if (stored.modified().isBefore(old) && !backups.isRecorded(stored.location())) {
                    store.delete(stored.location());
                    log.info("Snapshot store leftover {} (from {}) removed: no backup record knows it", stored.location(),
                            stored.modified());
                    removed++;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return removed;
    }

    /** Removes every account export past its retention now (none where the export store keeps them itself). */
    public int removeExpiredExports() {
        return removeEach("Export", (after, limit) -> backups.expiredExports(properties.exportRetention(), after, limit),
                id -> backups.removeExpiredExport(id, properties.exportRetention(), exports, REMOVED_BY));
    }

    /** Removes every snapshot past its retention now. */
    public int removeExpired() {
        return removeEach("Snapshot", backups::expiredSnapshots,
                id -> backups.removeExpiredSnapshot(id, store, REMOVED_BY));
    }

    /**
     * Removes each backup the query finds, in id order, each in a transaction of its own. One that fails (its file out
     * of the store's reach) or that another node holds is passed over, never in the way of the ones after it, and is
     * tried again the next time.
     */
    private int removeEach(String what, java.util.function.BiFunction<Long, Integer, java.util.List<Backup>> expired,
            java.util.function.LongPredicate remove) {
        int removed = 0;
        long after = 0;
        for (var batch = expired.apply(after, 100); !batch.isEmpty(); batch = expired.apply(after, 100)) {
            for (Backup backup : batch) {
                after = backup.id();
                try {
                    if (remove.test(backup.id())) {
                        removed++;
                    }
                } catch (RuntimeException e) {
                    log.warn("{} {} past its retention could not be removed: {}", what, backup.location(), e.getMessage());
                }
            }
        }
        return removed;
    }

    private void periodically() {
        try {
            int removed = removeExpired();
            try {
                removeLeftovers();
            } catch (RuntimeException e) {
                log.warn("Removing the snapshot store's leftovers failed; it runs again in {}",
                        properties.retentionCheckInterval(), e);
            }
            if (removed > 0) {
                log.info("{} snapshots past their retention of {} removed", removed, properties.snapshotRetention());
            }
            int exportsRemoved = removeExpiredExports();
            if (exportsRemoved > 0) {
                log.info("{} account exports past their retention of {} removed", exportsRemoved, properties.exportRetention());
            }
        } catch (RuntimeException e) {
            log.warn("Removing expired snapshots failed; it runs again in {}", properties.retentionCheckInterval(), e);
        }
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}

package io.psaremoval.removal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The confirmed scope of a removal as a contract (see V12__confirmed_scope.sql). The preview freezes the scope, per
 * organization, as round 1; right before the first write the whole scope is compared with the confirmed round, and
 * each chunk compares its organizations, locked, through a {@link PlatformData.ScopeGuard}. When they differ, the scope
 * as it is now is frozen as the next round, with the difference in words, for the person to confirm.
 */
@Component
class ScopeContract {

    /** At most so many organizations are named in the difference; the rest are counted. */
    private static final int NAMED = 10;

    private final JdbcClient jdbc;
    private final PlatformData platformData;
    private final RemovalRepository removals;

    private final org.springframework.transaction.support.TransactionTemplate oneInstant;

    ScopeContract(JdbcClient jdbc, PlatformData platformData, RemovalRepository removals,
            org.springframework.transaction.PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.platformData = platformData;
        this.removals = removals;
        this.oneInstant = new org.springframework.transaction.support.TransactionTemplate(transactionManager);
        this.oneInstant.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.oneInstant.setIsolationLevel(org.springframework.transaction.TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.oneInstant.setReadOnly(true);
    }

    /** The scope's counts (what the person is shown) and its fingerprints (what is frozen), read at one instant. */
    record Reading(ImpactPreview preview, Map<Long, ScopeFingerprint> fingerprints) {
    }

    /** Reads the counts and the fingerprints of the integration's scope in one REPEATABLE READ transaction. */
    Reading read(long psaIntegrationId, RemovalMode mode) {
        return inOneInstant(() -> new Reading(platformData.preview(psaIntegrationId),
                mode == RemovalMode.DELETE ? platformData.scope(psaIntegrationId)
                        : platformData.scopeToDisconnect(psaIntegrationId)));
    }

    /** Runs the work in a transaction of its own, REPEATABLE READ and read-only: all it reads is of one instant. */
    <T> T inOneInstant(java.util.function.Supplier<T> work) {
        return oneInstant.execute(status -> work.get());
    }

    /** Freezes the preview's scope as the removal's confirmed round (while it waits for its mode: PENDING). */
    void freezePreview(Removal removal, Reading reading) {
        int round = freeze(removal.id(), reading.fingerprints(), reading.preview(), null);
        if (!removals.recordPreviewRound(removal.id(), round)) {
            throw new IllegalStateException("Removal " + removal.businessKey() + " left PENDING while its scope was frozen");
        }
    }

    /**
     * The organizations whose rows differ for the mode from the confirmed round, or that were added to the scope or
     * left it since: the whole scope, read now.
     */
    List<Long> changedSinceConfirmed(Removal removal, RemovalMode mode) {
        Map<Long, ScopeFingerprint> now = mode == RemovalMode.DELETE ? platformData.scope(removal.requireIntegrationId())
                : platformData.scopeToDisconnect(removal.requireIntegrationId());
        return changedSince(confirmed(removal, null), now, mode);
    }

    private static List<Long> changedSince(Map<Long, ScopeFingerprint> confirmed, Map<Long, ScopeFingerprint> now,
            RemovalMode mode) {
        TreeSet<Long> changed = new TreeSet<>();
        now.forEach((organization, fingerprint) -> {
            ScopeFingerprint before = confirmed.get(organization);
            if (before == null || !before.sameAs(fingerprint, mode)) {
                changed.add(organization);
            }
        });
        confirmed.keySet().stream().filter(organization -> !now.containsKey(organization)).forEach(changed::add);
        return List.copyOf(changed);
    }

    /** A chunk's check: its locked organizations must be as the confirmed round has them, else nothing is written. */
    PlatformData.ScopeGuard guard(Removal removal, RemovalMode mode) {
        return lockedChunk -> {
            Map<Long, ScopeFingerprint> confirmed = confirmed(removal, List.copyOf(lockedChunk.keySet()));
            List<Long> changed = lockedChunk.entrySet().stream()
                    .filter(entry -> !confirmed.containsKey(entry.getKey())
                            || !confirmed.get(entry.getKey()).sameAs(entry.getValue(), mode))
                    .map(Map.Entry::getKey).toList();
            if (!changed.isEmpty()) {
                throw new ScopeChangedException(changed);
            }
        };
    }

    /**
     * Freezes the scope as it is now as the next round, not yet confirmed, with what changed since the confirmed one in
     * words for the person: the organizations found changed, what is left to write against what was confirmed and is
     * not written yet, kind by kind.
     *
     * @return the difference, as Markdown
     */
    String proposeRound(Removal removal, RemovalMode mode, List<Long> changedInAChunk) {
        // What is frozen, what the person is shown and which organizations are named all come from one reading.
        Reading now = read(removal.requireIntegrationId(), RemovalMode.DELETE);
        TreeSet<Long> changed = new TreeSet<>(changedSince(confirmed(removal, null), now.fingerprints(), mode));
        changed.addAll(changedInAChunk.stream().filter(organization -> !now.fingerprints().containsKey(organization)).toList());
        String difference = difference(removal, mode, List.copyOf(changed), now.fingerprints(),
                RemovalRepository.kinds(now.preview()));
        freeze(removal.id(), now.fingerprints(), now.preview(), difference);
        return difference;
    }

    /** The newest round's difference: what the person is asked to confirm. */
    String pendingDifference(long removalId) {
        return jdbc.sql("select difference from removal_scope_round where removal_id = :id order by round desc limit 1")
                .param("id", removalId).query(String.class).optional().orElse(null);
    }

    /**
     * The person confirmed the newest round: it becomes the contract, and the confirmed counts (what the progress and
     * the outcome are told against) become what was written so far plus what the round holds.
     *
     * @return false when the removal was not waiting for that (not SCOPE_CHANGED)
     */
    boolean confirmNewest(Removal removal, RemovalMode mode, String confirmedBy) {
        int round = jdbc.sql("select max(round) from removal_scope_round where removal_id = :id")
                .param("id", removal.id()).query(Integer.class).single();
        if (!removals.confirmScopeRound(removal.id(), round)) {
            return false;
        }
        jdbc.sql("update removal_scope_round set confirmed_by = :by, confirmed_at = now() where removal_id = :id and round = :round")
                .param("id", removal.id()).param("round", round).param("by", confirmedBy).update();
        Map<String, Long> written = written(removal.id(), mode);
        Map<String, ImpactPreview.KindCount> confirmed = new LinkedHashMap<>();
        jdbc.sql("select kind, psa_synced, platform_only from removal_scope_kind where removal_id = :id and round = :round")
                .param("id", removal.id()).param("round", round)
                .query((rs, n) -> {
                    long done = written.getOrDefault(rs.getString(1), 0L);
                    // Rows already written count as what the mode writes: a delete's against the whole, a disconnect's as synced.
                    return confirmed.put(rs.getString(1), mode == RemovalMode.DELETE
                            ? new ImpactPreview.KindCount(rs.getLong(2), rs.getLong(3) + done)
                            : new ImpactPreview.KindCount(rs.getLong(2) + done, rs.getLong(3)));
                }).list();
        removals.savePreview(removal.id(), confirmed);
        return true;
    }

    /** The rows per table that a delete of the round's scope removes, as a snapshot of it must hold them. */
    Map<String, Long> expectedRows(long removalId, int round) {
        Map<String, Long> rows = new LinkedHashMap<>();
        jdbc.sql("""
                select case kind when 'ORGANIZATION' then 'organization' when 'ATTACHMENT' then 'attachment'
                                 when 'RELATED_ITEM' then 'related_item' when 'RMM_DEVICE' then 'rmm_device'
                                 else 'item' end as table_name,
                       sum(psa_synced + platform_only)
                from removal_scope_kind where removal_id = :id and round = :round group by 1""")
                .param("id", removalId).param("round", round)
                .query((rs, n) -> rows.put(rs.getString(1), rs.getLong(2))).list();
        return rows;
    }

    /** Every round of the removal's scope, oldest first, with its checksum for the mode. */
    List<ScopeRound> rounds(long removalId, RemovalMode mode) {
        return jdbc.sql("""
                select r.round, r.organizations, %s as checksum, r.frozen_at, r.difference, r.confirmed_by, r.confirmed_at,
                       (select count(*) from removal_deleted_organization d
                        where d.removal_id = r.removal_id and d.scope_round = r.round) as organizations_deleted
                from removal_scope_round r where r.removal_id = :id order by r.round"""
                        .formatted(mode == RemovalMode.DELETE ? "r.delete_checksum" : "r.disconnect_checksum"))
                .param("id", removalId).query(ScopeRound.class).list();
    }

    private int freeze(long removalId, Map<Long, ScopeFingerprint> scope, ImpactPreview preview, String difference) {
        int round = jdbc.sql("select coalesce(max(round), 0) + 1 from removal_scope_round where removal_id = :id")
                .param("id", removalId).query(Integer.class).single();
        jdbc.sql("""
                insert into removal_scope_round (removal_id, round, organizations, delete_checksum, disconnect_checksum,
                                                 difference)
                values (:id, :round, :organizations, :delete, :disconnect, :difference)""")
                .param("id", removalId).param("round", round).param("organizations", scope.size())
                .param("delete", checksum(scope, RemovalMode.DELETE))
                .param("disconnect", checksum(scope, RemovalMode.DISCONNECT))
                .param("difference", difference).update();
        jdbc.sql("""
                insert into removal_scope (removal_id, round, organization_id, delete_rows, delete_fingerprint,
                                           disconnect_rows, disconnect_fingerprint)
                select :id, :round, s.* from unnest(:organizations::bigint[], :deleteRows::bigint[], :deleteSums::bigint[],
                                                    :disconnectRows::bigint[], :disconnectSums::bigint[]) as s""")
                .param("id", removalId).param("round", round)
                .param("organizations", scope.keySet().toArray(Long[]::new))
                .param("deleteRows", scope.values().stream().map(ScopeFingerprint::deleteRows).toArray(Long[]::new))
                .param("deleteSums", scope.values().stream().map(ScopeFingerprint::deleteFingerprint).toArray(Long[]::new))
                .param("disconnectRows", scope.values().stream().map(ScopeFingerprint::disconnectRows).toArray(Long[]::new))
                .param("disconnectSums", scope.values().stream().map(ScopeFingerprint::disconnectFingerprint)
                        .toArray(Long[]::new))
                .update();
        RemovalRepository.kinds(preview).forEach((kind, count) -> jdbc.sql("""
                insert into removal_scope_kind (removal_id, round, kind, psa_synced, platform_only)
                values (:id, :round, :kind, :synced, :platformOnly)""")
                .param("id", removalId).param("round", round).param("kind", kind)
                .param("synced", count.psaSynced()).param("platformOnly", count.platformOnly()).update());
        return round;
    }

    /** The confirmed round's fingerprints, of the given organizations or (null) of all. */
    private Map<Long, ScopeFingerprint> confirmed(Removal removal, List<Long> organizations) {
        if (removal.scopeRound() == null) {
            throw new RemovalRefusedException("Nothing is written: removal " + removal.businessKey()
                    + " has no confirmed scope on record.");
        }
        Map<Long, ScopeFingerprint> confirmed = new TreeMap<>();
        jdbc.sql("""
                select organization_id, delete_rows, delete_fingerprint, disconnect_rows, disconnect_fingerprint
                from removal_scope where removal_id = :id and round = :round"""
                        + (organizations == null ? "" : " and organization_id = any(:organizations)"))
                .param("id", removal.id()).param("round", removal.scopeRound())
                .param("organizations", organizations == null ? new Long[0] : organizations.toArray(Long[]::new))
                .query((rs, n) -> confirmed.put(rs.getLong(1), new ScopeFingerprint(rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), rs.getLong(5))))
                .list();
        return confirmed;
    }

    private Map<String, Long> written(long removalId, RemovalMode mode) {
        Map<String, Map<String, Long>> counts = removals.counts(removalId);
        Map<String, Long> written = new LinkedHashMap<>(
                counts.getOrDefault(mode == RemovalMode.DELETE ? "DELETED" : "DISCONNECTED", Map.of()));
        counts.getOrDefault("UNMATCHED", Map.of()).forEach(written::put);
        return written;
    }

    private String difference(Removal removal, RemovalMode mode, List<Long> changed, Map<Long, ScopeFingerprint> now,
            Map<String, ImpactPreview.KindCount> nowKinds) {
        String verb = mode == RemovalMode.DELETE ? "deleted" : "disconnected";
        List<Long> gone = changed.stream().filter(organization -> !now.containsKey(organization)).toList();
        List<Long> addedOrChanged = changed.stream().filter(now::containsKey).toList();
        StringBuilder md = new StringBuilder("### What changed since you confirmed\n\n");
        if (!addedOrChanged.isEmpty()) {
            md.append("**").append(ImpactReport.n(addedOrChanged.size())).append("** ")
                    .append(addedOrChanged.size() == 1 ? "organization was" : "organizations were")
                    .append(" added or changed (an item, an attachment, a link or an RMM match added, edited or removed): ")
                    .append(names(addedOrChanged)).append(". Nothing of ")
                    .append(addedOrChanged.size() == 1 ? "it" : "them").append(" was ").append(verb).append(".\n\n");
        }
        if (!gone.isEmpty()) {
            md.append("**").append(ImpactReport.n(gone.size())).append("** ")
                    .append(gone.size() == 1 ? "organization you confirmed is" : "organizations you confirmed are")
                    .append(" no longer synced from the PSA: left alone.\n\n");
        }
        Map<String, Long> written = written(removal.id(), mode);
        long organizationsWritten = written.getOrDefault("ORGANIZATION", 0L);
        if (organizationsWritten > 0) {
            md.append("**").append(ImpactReport.n(organizationsWritten)).append("** organizations were ").append(verb)
                    .append(" before the change was found.\n\n");
        }
        md.append("| Kind | Confirmed, not yet ").append(verb).append(" | Now |\n|---|---:|---:|\n");
        Map<String, ImpactPreview.KindCount> confirmed = removals.preview(removal.id());
        for (Map.Entry<String, ImpactPreview.KindCount> kind : nowKinds.entrySet()) {
            if (mode == RemovalMode.DISCONNECT && List.of("ATTACHMENT", "RELATED_ITEM", "RMM_DEVICE").contains(kind.getKey())) {
                continue; // a disconnect leaves these as they are
            }
            ImpactPreview.KindCount before = confirmed.getOrDefault(kind.getKey(), new ImpactPreview.KindCount(0, 0));
            long confirmedLeft = Math.max(0, measure(before, mode) - written.getOrDefault(kind.getKey(), 0L));
            long nowLeft = measure(kind.getValue(), mode);
            md.append("| ").append(ImpactReport.label(kind.getKey())).append(" | ").append(ImpactReport.n(confirmedLeft))
                    .append(" | ").append(confirmedLeft == nowLeft ? ImpactReport.n(nowLeft) : "**" + ImpactReport.n(nowLeft) + "**")
                    .append(" |\n");
        }
        return md.toString().strip();
    }

    private static long measure(ImpactPreview.KindCount count, RemovalMode mode) {
        return mode == RemovalMode.DELETE ? count.total() : count.psaSynced();
    }

    private String names(List<Long> organizations) {
        List<String> names = new ArrayList<>(jdbc.sql("select name from organization where id = any(:ids) order by name limit :n")
                .param("ids", organizations.toArray(Long[]::new)).param("n", NAMED).query(String.class).list());
        if (organizations.size() > names.size()) {
            names.add("and " + ImpactReport.n(organizations.size() - names.size()) + " more");
        }
        return String.join(", ", names.stream().map(ImpactReport::plain).toList());
    }

    /** One value for the whole scope of a mode: MD5 over each organization's id, rows and fingerprint, in id order. */
    static String checksum(Map<Long, ScopeFingerprint> scope, RemovalMode mode) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            new TreeMap<>(scope).forEach((organization, fingerprint) -> md5.update(String.format(Locale.ROOT, "%d:%d:%s%n",
                    organization, mode == RemovalMode.DELETE ? fingerprint.deleteRows() : fingerprint.disconnectRows(),
                    mode == RemovalMode.DELETE ? fingerprint.deleteFingerprint() : fingerprint.disconnectFingerprint())
                    .getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.psaremoval.removal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The accounts' removal policies and the removals' second approvals ({@code V15__second_approval.sql}). */
@Repository
class ApprovalRepository {

    /** The size of one round of a removal's confirmed scope, as the thresholds measure it. */
    record RoundSize(long organizations, long items) {
    }

    private static final String APPROVAL = """
            select round, required_because, requested_at, decision, decided_by, decided_at, note
            from removal_approval""";

    private final JdbcClient jdbc;

    private static final String POLICY_COLUMNS = """
            account_id, deletion_approval_required, changed_by, changed_at, off_requested_by, off_requested_at,
            extract(epoch from cooling_off)::bigint as cooling_off_seconds,
            extract(epoch from cooling_off_requested)::bigint as cooling_off_requested_seconds,
            cooling_off_requested_by, cooling_off_requested_at""";

    ApprovalRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    RemovalPolicy policy(long accountId) {
        return jdbc.sql("select " + POLICY_COLUMNS + " from removal_policy where account_id = :account")
                .param("account", accountId).query(RemovalPolicy.class).optional()
                .orElse(RemovalPolicy.defaultOf(accountId));
    }

    /**
     * Sets the policy, row-locked. Switching four eyes on is at once; switching it off takes two Administrators: the
     * first one's request waits until another one asks the same.
     */
    RemovalPolicy.Change setPolicy(long accountId, boolean deletionApprovalRequired, String changedBy,
            StandingRequest standing) {
        if (!deletionApprovalRequired && policy(accountId).changedBy() == null) {
            return RemovalPolicy.Change.UNCHANGED; // never set: off already
        }
        RemovalPolicy now = lockPolicy(accountId, changedBy);
        if (deletionApprovalRequired) {
            if (now.deletionApprovalRequired()) {
                jdbc.sql("update removal_policy set off_requested_by = null, off_requested_at = null where account_id = :account")
                        .param("account", accountId).update();
                return RemovalPolicy.Change.UNCHANGED;
            }
            jdbc.sql("""
                    update removal_policy set deletion_approval_required = true, changed_by = :by, changed_at = now()
                    where account_id = :account""").param("account", accountId).param("by", changedBy).update();
            return RemovalPolicy.Change.CHANGED;
        }
        if (!now.deletionApprovalRequired()) {
            return RemovalPolicy.Change.UNCHANGED;
        }
        if (!standing.test(now.offRequestedBy(), now.offRequestedAt()) || now.offRequestedBy().equals(changedBy)) {
            jdbc.sql("""
                    update removal_policy set off_requested_by = :by, off_requested_at = now() where account_id = :account""")
                    .param("account", accountId).param("by", changedBy).update();
            return RemovalPolicy.Change.OFF_REQUESTED;
        }
        jdbc.sql("""
                update removal_policy set deletion_approval_required = false, changed_by = :by, changed_at = now(),
                                          off_requested_by = null, off_requested_at = null
                where account_id = :account""").param("account", accountId).param("by", changedBy).update();
        return RemovalPolicy.Change.CHANGED;
    }

    /**
     * Sets the account's cooling-off period, row-locked. Lengthening it (or setting the host's period as the account's
     * own) is at once; shortening it takes two Administrators: the first one's request waits until another one asks for
     * the same period.
     */
    RemovalPolicy.Change setCoolingOff(long accountId, java.time.Duration period, java.time.Duration hostDefault,
            String changedBy, StandingRequest standing) {
        RemovalPolicy now = lockPolicy(accountId, changedBy);
        java.time.Duration current = now.coolingOff(hostDefault);
        if (period.compareTo(current) >= 0) {
            if (period.equals(current) && now.coolingOffSeconds() != null) {
                jdbc.sql("""
                        update removal_policy set cooling_off_requested = null, cooling_off_requested_by = null,
                                                  cooling_off_requested_at = null
                        where account_id = :account""").param("account", accountId).update();
                return RemovalPolicy.Change.UNCHANGED;
            }
            setCoolingOff(accountId, period, changedBy);
            return RemovalPolicy.Change.CHANGED;
        }
        boolean askedBySomeoneElse = standing.test(now.coolingOffRequestedBy(), now.coolingOffRequestedAt())
                && !now.coolingOffRequestedBy().equals(changedBy)
                && Long.valueOf(period.toSeconds()).equals(now.coolingOffRequestedSeconds());
        if (!askedBySomeoneElse) {
            jdbc.sql("""
                    update removal_policy set cooling_off_requested = make_interval(secs => :seconds),
                                              cooling_off_requested_by = :by, cooling_off_requested_at = now()
                    where account_id = :account""")
                    .param("account", accountId).param("seconds", period.toSeconds()).param("by", changedBy).update();
            return RemovalPolicy.Change.SHORTER_REQUESTED;
        }
        setCoolingOff(accountId, period, changedBy);
        return RemovalPolicy.Change.CHANGED;
    }

    private void setCoolingOff(long accountId, java.time.Duration period, String changedBy) {
        jdbc.sql("""
                update removal_policy set cooling_off = make_interval(secs => :seconds), changed_by = :by, changed_at = now(),
                                          cooling_off_requested = null, cooling_off_requested_by = null,
                                          cooling_off_requested_at = null
                where account_id = :account""")
                .param("account", accountId).param("seconds", period.toSeconds()).param("by", changedBy).update();
    }

    /**
     * Whether a first Administrator's request (to switch four eyes off, to shorten the cooling-off period) still counts
     * when a second one asks the same, read under the policy's lock: false for no request.
     */
    @FunctionalInterface
    interface StandingRequest {
        boolean test(String requestedBy, java.time.OffsetDateTime requestedAt);
    }

    /** The account's policy row, created with the defaults if it has none, locked until the caller's transaction ends. */
    private RemovalPolicy lockPolicy(long accountId, String changedBy) {
        jdbc.sql("""
                insert into removal_policy (account_id, deletion_approval_required, changed_by) values (:account, false, :by)
                on conflict (account_id) do nothing""")
                .param("account", accountId).param("by", changedBy).update();
        return jdbc.sql("select " + POLICY_COLUMNS + " from removal_policy where account_id = :account for update")
                .param("account", accountId).query(RemovalPolicy.class).single();
    }

    /** Organizations and items (of every kind) in one round of the removal's scope. */
    RoundSize size(long removalId, int round) {
        return jdbc.sql("""
                select coalesce((select organizations from removal_scope_round where removal_id = :id and round = :round), 0) as organizations,
                       coalesce((select sum(psa_synced + platform_only) from removal_scope_kind
                                 where removal_id = :id and round = :round
                                   and kind not in ('ORGANIZATION', 'ATTACHMENT', 'RELATED_ITEM', 'RMM_DEVICE')), 0) as items""")
                .param("id", removalId).param("round", round).query(RoundSize.class).single();
    }

    /** Asks for the round's approval once; a repeated call keeps the first request. */
    void request(long removalId, int round, String because) {
        jdbc.sql("""
                insert into removal_approval (removal_id, round, required_because) values (:id, :round, :because)
                on conflict (removal_id, round) do nothing""")
                .param("id", removalId).param("round", round).param("because", because).update();
    }

    /** The round's approval, row-locked until the caller's transaction ends, so that it is decided once. */
    Optional<DeletionApproval> lock(long removalId, int round) {
        return jdbc.sql(APPROVAL + " where removal_id = :id and round = :round for update")
                .param("id", removalId).param("round", round).query(DeletionApproval.class).optional();
    }

    /** The round's approval, share-locked: a write step relies on it until its transaction ends. */
    Optional<DeletionApproval> find(long removalId, int round) {
        return jdbc.sql(APPROVAL + " where removal_id = :id and round = :round for share")
                .param("id", removalId).param("round", round).query(DeletionApproval.class).optional();
    }

    List<DeletionApproval> all(long removalId) {
        return jdbc.sql(APPROVAL + " where removal_id = :id order by round")
                .param("id", removalId).query(DeletionApproval.class).list();
    }

    /** Decides an undecided approval; false when it was decided already. */
    boolean decide(long removalId, int round, String decision, String by, String note) {
        return jdbc.sql("""
                update removal_approval set decision = :decision, decided_by = :by, decided_at = now(), note = :note
                where removal_id = :id and round = :round and decision is null""")
                .param("id", removalId).param("round", round).param("decision", decision).param("by", by)
                .param("note", note).update() == 1;
    }

    /** One round of the removal's scope, kind by kind, in the forms' order. */
    Map<String, ImpactPreview.KindCount> scopeKinds(long removalId, int round) {
        Map<String, ImpactPreview.KindCount> found = new HashMap<>();
        jdbc.sql("select kind, psa_synced, platform_only from removal_scope_kind where removal_id = :id and round = :round")
                .param("id", removalId).param("round", round)
                .query((rs, n) -> found.put(rs.getString(1), new ImpactPreview.KindCount(rs.getLong(2), rs.getLong(3))))
                .list();
        List<String> order = new ArrayList<>(List.of("ORGANIZATION"));
        order.addAll(ImpactReport.ITEM_KINDS);
        order.addAll(List.of("ATTACHMENT", "RELATED_ITEM", "RMM_DEVICE"));
        Map<String, ImpactPreview.KindCount> kinds = new LinkedHashMap<>();
        order.stream().filter(found::containsKey).forEach(kind -> kinds.put(kind, found.get(kind)));
        return kinds;
    }

    /** Records a change of the account's removal policy with its feature changes (no removal of its own). */
    void recordFeatureChange(long accountId, String feature, boolean enabled, String changedBy, String note) {
        jdbc.sql("""
                insert into account_feature_change (account_id, feature, enabled, changed_by, note)
                values (:account, :feature, :enabled, :by, :note)""")
                .param("account", accountId).param("feature", feature).param("enabled", enabled).param("by", changedBy)
                .param("note", note).update();
    }

    /** Whether the user asked for the removal or confirmed its deletion or a changed scope of it. */
    boolean involved(long removalId, String username) {
        return jdbc.sql("""
                select exists (select 1 from removal where id = :id and (requested_by = :user or confirmed_by = :user))
                    or exists (select 1 from removal_scope_round where removal_id = :id and confirmed_by = :user)""")
                .param("id", removalId).param("user", username).query(Boolean.class).single();
    }
}

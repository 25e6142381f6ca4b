package io.psaremoval.removal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Deletes a chunk's items with the foreign keys that point at them checked once for the whole chunk, set-based, in
 * place of PostgreSQL's check per deleted row. Measured on 1,000,000 items, those per-row checks (one trigger call per
 * item and per referencing key, four keys, about 17 µs a call) were nine tenths of a delete's time.
 *
 * <p><b>How.</b> The table {@code item} is locked against schema changes for the rest of the transaction (ROW
 * EXCLUSIVE: no key, trigger or rule can be added meanwhile), the conditions below are read from the catalogue, and
 * the {@code delete from item} runs with {@code session_replication_role = replica} for that one statement
 * ({@code SET LOCAL}, put back right after), which skips triggers, the foreign-key checks among them. Then, in a new
 * statement of the same transaction, every foreign key that references {@code item} (read from the catalogue, so that
 * keys a host added are checked too) is looked up once for all the deleted ids. A row still pointing at one: the chunk
 * fails and rolls back, naming the constraint, as the trigger would have.
 *
 * <p><b>Why that is as strict as the triggers, under the conditions below.</b> Under READ COMMITTED every statement
 * sees all that was committed before it began. A transaction that added a reference to one of the items holds a
 * key-share lock on that item, so the delete (or the caller's locking read before it) waited for it to end and the
 * check that follows sees its row; one that tries later waits on the deleted row's lock and then fails its own
 * foreign-key check, since its session is not in replica mode.
 *
 * <p><b>Keys the caller cleared.</b> A caller may name referencing columns it clears itself, in the same
 * transaction, by deleting or re-pointing every row that points at one of the items (a hard delete's chunk clears the
 * platform's four keys this way, see {@link #deleteItemsOf} and {@link JdbcPlatformData#hardDelete}, which spares it
 * four index lookups per item). Those keys are not looked up again. Either the items were locked ({@code FOR UPDATE})
 * before the caller cleared them, or deleted before (the delete holds each row's lock to the end of the transaction):
 * a row that comes to point at an item takes a key-share lock on it (PostgreSQL's own check does, in any session not
 * in replica mode), which waits for that lock and then fails, and the caller's statements, which began after the
 * items were locked or deleted, saw every row that pointed at one before (a transaction that held a key-share lock
 * then was waited for). Every other key, a host's own above all, is checked as above.
 *
 * <p><b>When not.</b> The set-based path is taken only when all of these hold, checked in the chunk's transaction;
 * otherwise the delete runs with the triggers, like any other delete: the setting
 * {@code psa.removal.set-based-reference-checks} is on; the session may set {@code session_replication_role} (a
 * superuser, or on PostgreSQL 15+ a role given {@code GRANT SET ON PARAMETER session_replication_role}); the
 * transaction is READ COMMITTED (an older snapshot could miss a reference committed while the delete waited);
 * {@code item} has no triggers or rules of its own and no child tables (replica mode would skip the triggers and rules;
 * the children's keys are not read); every foreign key that references {@code item} includes {@code item.id}, is NO
 * ACTION or RESTRICT (replica mode would skip a cascade), and is on a table this role may read without row-level
 * security (PostgreSQL's own check sees every row; this one must too).
 */
final class ItemDeletion {

    private static final Logger log = LoggerFactory.getLogger(ItemDeletion.class);

    /**
     * A foreign key to {@code item}: the referencing table and its column that holds the item's id, quoted for SQL,
     * the key's other referencing columns (a row with one of them null is not checked by PostgreSQL either), what it
     * does on delete ({@code a} no action, {@code r} restrict, others act), and whether this role reads every row.
     */
    record ReferencingKey(String constraint, String table, String column, List<String> otherColumns, String onDelete,
            boolean rowSecurity, boolean readable) {
    }

    /** How this chunk's items are deleted: set-based with these keys, or with the triggers for the reason given. */
    record Plan(List<ReferencingKey> keys, String withTriggersBecause) {

        boolean setBased() {
            return withTriggersBecause == null;
        }
    }

    /** A referencing column ({@code table} and {@code column} as the catalogue names them, quoted for SQL). */
    record Column(String table, String column) {
    }

    private final JdbcClient jdbc;
    private final boolean enabled;
    private final AtomicReference<String> lastPath = new AtomicReference<>();

    ItemDeletion(JdbcClient jdbc, boolean enabled) {
        this.jdbc = jdbc;
        this.enabled = enabled;
    }

    /**
     * Deletes the given items, in the caller's transaction.
     *
     * @return rows deleted per kind
     * @throws ReferenceStillPointsException when a row still points at one of them; the caller's transaction must
     *                                        roll back
     */
    Map<String, Long> delete(Long[] items) {
        Prepared prepared = prepare(Set.of());
        if (!prepared.plan().setBased()) {
            return deleteReturningKinds(items);
        }
        Map<String, Long> deleted = inReplicaMode(prepared, () -> deleteReturningKinds(items));
        requireNothingPointing(prepared, items);
        return deleted;
    }

    /**
     * Deletes every item of the given organizations, which the caller has locked ({@code FOR UPDATE}: no item can join
     * them meanwhile), together with the rows that point at them, in the caller's transaction. {@code eachItem} sees
     * every item's row with {@code id}, {@code kind} and the caller's {@code columns} (read from {@code item i}, each
     * given a name to read it by); {@code clearReferences}, given the items' ids, deletes or re-points every row of the
     * keys in {@code clearedByTheCaller} that points at one of them, and may throw to roll the chunk back: it runs
     * before any other key is looked up and, with the triggers, before the items are deleted.
     *
     * <p>On the set-based path the items go first: one {@code delete ... returning} in replica mode hands each row to
     * {@code eachItem} (no locking read before it: the delete locks each row it removes until the transaction ends),
     * then {@code clearReferences} runs, then every other key is looked up. That is as strict as the items locked
     * first: a reference committed before the delete reached its item is seen by {@code clearReferences}, whose
     * statements begin after the delete; one tried later waits for the deleted row's lock and fails its own key check
     * (its session is not in replica mode). Should anything fail (or the caller throw once it has seen the rows), the
     * transaction rolls back whole. On the path with the triggers the items are locked and read first, in id order,
     * then {@code clearReferences} runs, then the items are deleted with PostgreSQL's per-row checks.
     *
     * @return items deleted per kind
     * @throws ReferenceStillPointsException when a row still points at one of them; the caller's transaction must
     *                                        roll back
     */
    Map<String, Long> deleteItemsOf(Long[] organizations, String columns, RowCallbackHandler eachItem,
            Consumer<Long[]> clearReferences, Set<Column> clearedByTheCaller) {
        Prepared prepared = prepare(clearedByTheCaller);
        List<Long> ids = new ArrayList<>();
        Map<String, Long> kinds = new TreeMap<>();
        RowCallbackHandler collect = rs -> {
            ids.add(rs.getLong("id"));
            kinds.merge(rs.getString("kind"), 1L, Long::sum);
            eachItem.processRow(rs);
        };
        if (!prepared.plan().setBased()) {
            jdbc.sql("select i.id as id, i.kind as kind, " + columns
                            + " from item i where i.organization_id = any(:organizations) order by i.id for update")
                    .param("organizations", organizations).query(collect);
            Long[] items = ids.toArray(Long[]::new);
            clearReferences.accept(items);
            Map<String, Long> deleted = deleteReturningKinds(items);
            if (!deleted.equals(kinds)) {
                throw new IllegalStateException("The items deleted (" + deleted + ") are not those locked (" + kinds + ")");
            }
            return deleted;
        }
        inReplicaMode(prepared, () -> {
            jdbc.sql("delete from item i where i.organization_id = any(:organizations)"
                            + " returning i.id as id, i.kind as kind, " + columns)
                    .param("organizations", organizations).query(collect);
            return null;
        });
        Long[] items = ids.toArray(Long[]::new);
        clearReferences.accept(items);
        requireNothingPointing(prepared, items);
        return kinds;
    }

    /** The chunk's path, decided in its transaction, and the keys to look up after a set-based delete. */
    private record Prepared(Plan plan, List<ReferencingKey> toCheck, String role) {
    }

    /**
     * Locks {@code item} against schema changes for the rest of the transaction (ROW EXCLUSIVE: no key, trigger or rule
     * can be added meanwhile) and decides the path from the catalogue.
     */
    private Prepared prepare(Set<Column> clearedByTheCaller) {
        jdbc.sql("lock table item in row exclusive mode").update();
        Plan plan = plan();
        List<ReferencingKey> toCheck = plan.keys().stream()
                .filter(key -> !clearedByTheCaller.contains(new Column(key.table(), key.column()))).toList();
        logWhenPathChanges(plan, toCheck);
        String role = jdbc.sql("select current_setting('session_replication_role')").query(String.class).single();
        if (!plan.setBased() && role.equals("replica")) {
            throw new IllegalStateException("This connection's session_replication_role is replica: PostgreSQL would"
                    + " check no foreign key that points at the items, so they are not deleted (" + plan.withTriggersBecause() + ")");
        }
        return new Prepared(plan, toCheck, role);
    }

    /** Runs one statement with {@code session_replication_role = replica} ({@code SET LOCAL}), put back right after. */
    private <T> T inReplicaMode(Prepared prepared, Supplier<T> statement) {
        jdbc.sql("select set_config('session_replication_role', 'replica', true)").query(String.class).single();
        // Should the statement fail, the transaction is aborted and its rollback puts the setting back.
        T result = statement.get();
        jdbc.sql("select set_config('session_replication_role', :role, true)").param("role", prepared.role())
                .query(String.class).single();
        return result;
    }

    private void requireNothingPointing(Prepared prepared, Long[] items) {
        List<ReferencingKey> stillPointing = stillPointing(prepared.toCheck(), items);
        if (!stillPointing.isEmpty()) {
            throw new ReferenceStillPointsException(stillPointing);
        }
    }

    private Map<String, Long> deleteReturningKinds(Long[] items) {
        Map<String, Long> deleted = new LinkedHashMap<>();
        jdbc.sql("""
                with changed as (delete from item where id = any(:items) returning kind)
                select kind, count(*) from changed group by kind order by kind""")
                .param("items", items)
                .query((rs, n) -> deleted.put(rs.getString(1), rs.getLong(2)))
                .list();
        return deleted;
    }

    /**
     * The keys with a row still pointing at one of the items, in one new statement: per key, one index scan for the
     * ids where the referencing column is indexed (every key of the platform's schema is).
     */
    private List<ReferencingKey> stillPointing(List<ReferencingKey> keys, Long[] items) {
        if (keys.isEmpty()) {
            return List.of();
        }
        String sql = IntStream.range(0, keys.size())
                .mapToObj(i -> "select " + i + " where exists (select 1 from " + keys.get(i).table() + " where "
                        + keys.get(i).column() + " = any(:items)"
                        + keys.get(i).otherColumns().stream().map(column -> " and " + column + " is not null")
                                .collect(Collectors.joining()) + ")")
                .collect(Collectors.joining(" union all "));
        return jdbc.sql(sql).param("items", items).query(Integer.class).list().stream().map(keys::get).toList();
    }

    /** Whether this chunk's delete can be checked set-based, decided from the database in the caller's transaction. */
    Plan plan() {
        if (!enabled) {
            return new Plan(List.of(), "psa.removal.set-based-reference-checks is off");
        }
        record Conditions(String isolation, int version, boolean superuser, long triggers, long rules,
                boolean children) {
        }
        Conditions conditions = jdbc.sql("""
                select current_setting('transaction_isolation') as isolation,
                       current_setting('server_version_num')::int as version,
                       coalesce((select rolsuper from pg_roles where rolname = current_user), false) as superuser,
                       (select count(*) from pg_trigger where tgrelid = to_regclass('item') and not tgisinternal) as triggers,
                       (select count(*) from pg_rewrite where ev_class = to_regclass('item') and rulename <> '_RETURN') as rules,
                       (select relhassubclass from pg_class where oid = to_regclass('item')) as children""")
                .query(Conditions.class).single();
        if (!conditions.isolation().equals("read committed")) {
            return new Plan(List.of(), "the transaction is " + conditions.isolation() + ", not read committed");
        }
        if (!conditions.superuser() && (conditions.version() < 150000 || !jdbc.sql(
                "select has_parameter_privilege('session_replication_role', 'SET')").query(Boolean.class).single())) {
            return new Plan(List.of(), "this database role may not set session_replication_role (see the README)");
        }
        if (conditions.triggers() > 0 || conditions.rules() > 0) {
            return new Plan(List.of(), "the item table has triggers or rules of its own");
        }
        if (conditions.children()) {
            return new Plan(List.of(), "the item table has child tables");
        }
        List<ReferencingKey> keys = new ArrayList<>();
        for (ReferencingKey key : referencingKeys()) {
            if (key.column() == null) {
                return new Plan(List.of(), "foreign key " + key.constraint() + " references item without its id");
            }
            if (!key.onDelete().equals("a") && !key.onDelete().equals("r")) {
                return new Plan(List.of(), "foreign key " + key.constraint() + " acts on delete (cascade or set null/default)");
            }
            if (key.rowSecurity() || !key.readable()) {
                return new Plan(List.of(), "foreign key " + key.constraint() + " is on " + key.table()
                        + ", which has row-level security or which this role may not read");
            }
            keys.add(key);
        }
        return new Plan(List.copyOf(keys), null);
    }

    /** Every foreign key that references {@code item}, from the catalogue, with the referencing column of item.id. */
    private List<ReferencingKey> referencingKeys() {
        return jdbc.sql("""
                select c.conname, c.conrelid::regclass::text,
                       (select quote_ident(a.attname)
                        from unnest(c.conkey, c.confkey) as k(referencing, referenced)
                        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.referencing
                        join pg_attribute r on r.attrelid = c.confrelid and r.attnum = k.referenced
                        where r.attname = 'id'),
                       array(select quote_ident(a.attname)
                             from unnest(c.conkey, c.confkey) as k(referencing, referenced)
                             join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.referencing
                             join pg_attribute r on r.attrelid = c.confrelid and r.attnum = k.referenced
                             where r.attname <> 'id'),
                       c.confdeltype::text, t.relrowsecurity, has_table_privilege(c.conrelid, 'SELECT')
                from pg_constraint c join pg_class t on t.oid = c.conrelid
                where c.contype = 'f' and c.confrelid = to_regclass('item')
                order by c.conrelid::regclass::text, c.conname""")
                .query((rs, n) -> new ReferencingKey(rs.getString(1), rs.getString(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getString(5), rs.getBoolean(6),
                        rs.getBoolean(7)))
                .list();
    }

    private void logWhenPathChanges(Plan plan, List<ReferencingKey> toCheck) {
        String cleared = plan.keys().stream().filter(key -> !toCheck.contains(key)).map(ReferencingKey::constraint)
                .collect(Collectors.joining(", "));
        String path = plan.setBased()
                ? "set-based, checking " + (toCheck.isEmpty() ? "no key" : toCheck.stream().map(ReferencingKey::constraint)
                        .collect(Collectors.joining(", ")))
                        + (cleared.isEmpty() ? "" : "; cleared by the caller, the items locked or deleted: " + cleared)
                : "with PostgreSQL's per-row foreign-key triggers: " + plan.withTriggersBecause();
        if (!path.equals(lastPath.getAndSet(path))) {
            log.info("Items of a hard delete are deleted {}", path);
        }
    }

    /** Rows still point at items the chunk deleted: the chunk must roll back, nothing of it is kept. */
    static final class ReferenceStillPointsException extends IllegalStateException {

        ReferenceStillPointsException(List<ReferencingKey> keys) {
            super("Deleting these items would leave rows pointing at them (" + keys.stream()
                    .map(key -> key.table() + "." + key.column() + ", constraint " + key.constraint())
                    .collect(Collectors.joining("; ")) + "): the chunk is rolled back and nothing of it is deleted");
        }
    }
}

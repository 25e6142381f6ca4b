package io.psaremoval.integration;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The default {@link Integrations}: the platform's {@code integration} table. */
public class IntegrationRepository implements Integrations {

    private static final String COLUMNS = "id, account_id, kind, provider, name, status";

    private final JdbcClient jdbc;

    public IntegrationRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Integration> findById(long id) {
        return jdbc.sql("select " + COLUMNS + " from integration where id = :id")
                .param("id", id).query(Integration.class).optional();
    }

    /** Active or paused PSA integrations of the account with the number of organizations each syncs. */
    public List<RemovablePsaIntegration> findRemovablePsaIntegrations(long accountId) {
        return jdbc.sql("""
                select i.id, i.name, i.provider,
                       (select count(*) from organization o where o.psa_integration_id = i.id) as organizations
                from integration i
                where i.account_id = :account and i.kind = 'PSA' and i.status in ('ACTIVE', 'PAUSED')
                order by i.name, i.id""")
                .param("account", accountId).query(RemovablePsaIntegration.class).list();
    }

    /** Marks the integration as being removed; false when it is not (any longer) a removable PSA of the account. */
    public boolean markRemoving(long id, long accountId) {
        return jdbc.sql("""
                update integration set status = 'REMOVING', updated_at = now()
                where id = :id and account_id = :account and kind = 'PSA' and status in ('ACTIVE', 'PAUSED')""")
                .param("id", id).param("account", accountId).update() == 1;
    }

    /** Gives a reserved integration back its status from before the removal; no-op otherwise. */
    public void restoreStatus(long id, IntegrationStatus previous) {
        jdbc.sql("update integration set status = :previous, updated_at = now() where id = :id and status = 'REMOVING'")
                .param("id", id).param("previous", previous.name()).update();
    }

    public void markDisconnected(long id) {
        jdbc.sql("""
                update integration set status = 'DISCONNECTED', disconnected_at = coalesce(disconnected_at, now()),
                       updated_at = now()
                where id = :id and status in ('REMOVING', 'DISCONNECTED')""")
                .param("id", id).update();
    }

    public void markDeleted(long id) {
        jdbc.sql("""
                update integration set status = 'DELETED', deleted_at = coalesce(deleted_at, now()), updated_at = now()
                where id = :id and status in ('REMOVING', 'DELETED')""")
                .param("id", id).update();
    }

    /** Records a completed sync run; refused unless the integration is active. */
    public void recordSync(long id) {
        int updated = jdbc.sql("update integration set last_synced_at = now() where id = :id and status = 'ACTIVE'")
                .param("id", id).update();
        if (updated == 0) {
            Integration integration = findById(id)
                    .orElseThrow(() -> new IntegrationUnavailableException("Integration " + id + " does not exist."));
            throw new IntegrationUnavailableException("Integration '" + integration.name() + "' cannot sync while it is "
                    + integration.status().name().toLowerCase() + ".");
        }
    }
}

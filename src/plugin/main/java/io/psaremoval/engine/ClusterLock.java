package io.psaremoval.engine;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Serializes work that several engine nodes on one PostgreSQL would otherwise race on (creating the same
 * engine user twice, say), with a PostgreSQL advisory lock that the current transaction holds until it ends.
 */
@Component
public class ClusterLock {

    private final JdbcClient jdbc;

    public ClusterLock(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Waits until no other node's transaction holds the lock of this name, then holds it until commit or rollback. */
    public void holdUntilTransactionEnds(String name) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("The cluster lock '" + name + "' needs a transaction to hold it");
        }
        jdbc.sql("select 1 from (select pg_advisory_xact_lock(hashtext(:name))) as locked").param("name", name)
                .query(Integer.class).single();
    }
}

package io.psaremoval.account;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;

/** The default {@link Accounts}: the platform's {@code account} table. */
public class AccountRepository implements Accounts {

    private final JdbcClient jdbc;

    public AccountRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<String> findName(long accountId) {
        return jdbc.sql("select name from account where id = :id").param("id", accountId).query(String.class).optional();
    }

    public boolean isBulkDeleteEnabled(long accountId) {
        return jdbc.sql("select bulk_delete_enabled from account where id = :id")
                .param("id", accountId).query(Boolean.class).single();
    }

    /** Whether bulk delete is enabled, share-locked until the caller's transaction ends (a write step's check). */
    public boolean isBulkDeleteEnabledForWrite(long accountId) {
        return jdbc.sql("select bulk_delete_enabled from account where id = :id for share")
                .param("id", accountId).query(Boolean.class).optional().orElse(false);
    }

    /** Switches bulk delete on and records who did it; a repeated call changes and records nothing. */
    @Transactional
    public void enableBulkDelete(long accountId, String changedBy, String note, Long removalId) {
        int changed = jdbc.sql("update account set bulk_delete_enabled = true where id = :id and not bulk_delete_enabled")
                .param("id", accountId).update();
        if (changed == 1) {
            jdbc.sql("""
                    insert into account_feature_change (account_id, feature, enabled, changed_by, note, removal_id)
                    values (:account, 'BULK_DELETE', true, :by, :note, :removal)""")
                    .param("account", accountId).param("by", changedBy).param("note", note)
                    .param("removal", removalId).update();
        }
    }
}

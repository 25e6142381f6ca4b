package io.psaremoval.account;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The default {@link PlatformUsers}: the platform's {@code platform_user} table; also how tests and the demo add users. */
public class PlatformUserRepository implements PlatformUsers {

    private static final String COLUMNS = "id, account_id, username, full_name, email, role, active";

    private final JdbcClient jdbc;

    public PlatformUserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<PlatformUser> findActiveByUsername(String username) {
        return jdbc.sql("select " + COLUMNS + " from platform_user where username = :username and active")
                .param("username", username)
                .query(PlatformUser.class)
                .optional();
    }

    @Override
    public List<PlatformUser> findActiveInAccount(long accountId, Role role) {
        return jdbc.sql("select " + COLUMNS + " from platform_user where account_id = :account and role = :role and active"
                        + " order by full_name, id")
                .param("account", accountId).param("role", role.name()).query(PlatformUser.class).list();
    }

    /**
     * The user as the database has them now, active or not, share-locked until the caller's transaction ends:
     * a write step that checked the user's role writes before any change of that role commits.
     */
    public Optional<PlatformUser> lockForWrite(String username) {
        return jdbc.sql("select " + COLUMNS + " from platform_user where username = :username for share")
                .param("username", username)
                .query(PlatformUser.class)
                .optional();
    }

    /** Whether the platform knows this user name, active or not. */
    public boolean exists(String username) {
        return jdbc.sql("select count(*) from platform_user where username = :username").param("username", username)
                .query(Long.class).single() > 0;
    }

    public List<PlatformUser> findAll() {
        return jdbc.sql("select " + COLUMNS + " from platform_user order by account_id nulls last, id")
                .query(PlatformUser.class)
                .list();
    }

    public long create(Long accountId, String username, String fullName, String email, Role role) {
        return jdbc.sql("""
                insert into platform_user (account_id, username, full_name, email, role)
                values (:account, :username, :fullName, :email, :role) returning id""")
                .param("account", accountId)
                .param("username", username)
                .param("fullName", fullName)
                .param("email", email)
                .param("role", role.name())
                .query(Long.class)
                .single();
    }
}

package io.psaremoval.account;

import java.util.List;
import java.util.Optional;

/**
 * The documentation platform's people, as the removal needs them: who may remove, in which account, with which
 * role. The default reads the platform's {@code platform_user} table ({@link PlatformUserRepository}); a host whose
 * users live elsewhere defines its own bean of this type.
 */
public interface PlatformUsers {

    Optional<PlatformUser> findActiveByUsername(String username);

    /**
     * The user as they are now, active or not, held so that a change of their role waits until the caller's
     * transaction ends (a write step checks the role, then writes).
     */
    Optional<PlatformUser> lockForWrite(String username);

    /** Whether the platform knows this user name, active or not. */
    boolean exists(String username);

    List<PlatformUser> findAll();

    /** The account's active users of one role, by name: whom a refused person may ask. */
    default List<PlatformUser> findActiveInAccount(long accountId, Role role) {
        return findAll().stream()
                .filter(user -> user.active() && user.role() == role && Long.valueOf(accountId).equals(user.accountId()))
                .sorted(java.util.Comparator.comparing(PlatformUser::fullName)).toList();
    }
}

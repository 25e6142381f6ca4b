package io.psaremoval.engine;

import io.psaremoval.account.PlatformUser;

/**
 * Makes the platform's people engine users, in the groups the removal's tasks and authorizations name
 * ({@code account-7}, {@code account-7-administrator}, {@code psa-support}, {@code psa-auditors}). The plugin's default
 * ({@link EngineIdentityMirror}) writes the engine's own identity tables; a host whose engine reads identities
 * from elsewhere (LDAP, say) defines its own bean of this type, and the default backs off.
 */
public interface IdentityMirror {

    /** Creates or updates the user's engine identity and groups; a password is set only when given. */
    void mirror(PlatformUser user, String initialPassword);

    /**
     * Brings every engine identity in step with the platform: new and changed users mirrored, users who left or
     * were deactivated removed.
     *
     * @return how many engine users were removed
     */
    int synchronize();
}

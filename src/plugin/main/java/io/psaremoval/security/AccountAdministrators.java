package io.psaremoval.security;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.account.Role;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Who may change an account's settings through the plugin's own API ({@link ApiAuthentication} signed the caller in):
 * an active Administrator of the account, read from the platform's users, or an engine administrator.
 */
@Component
public class AccountAdministrators {

    /** What an endpoint says and records when it refuses a caller. */
    public record Refusal(String message, String securityEventKind, String subject) {
    }

    private final IdentityService identityService;
    private final PlatformUsers users;
    private final SecurityEvents securityEvents;

    AccountAdministrators(IdentityService identityService, PlatformUsers users, SecurityEvents securityEvents) {
        this.identityService = identityService;
        this.users = users;
        this.securityEvents = securityEvents;
    }

    /**
     * The caller, when they are an engine administrator or an active Administrator of the account; anyone else is
     * refused with 403 and a security event. What does not exist is refused to an account's users as what is another
     * account's (so that ids cannot be probed); an engine administrator is told it does not exist (404).
     *
     * @param accountId the account of what the caller asks about, empty when it does not exist
     * @param notFound  what an engine administrator is told when it does not exist
     */
    public String require(Optional<Long> accountId, String notFound, Refusal refusal) {
        Authentication authentication = identityService.getCurrentAuthentication();
        String caller = authentication == null ? null : authentication.getUserId();
        List<String> groups = groupsOf(authentication);
        if (groups.contains(AccountGroups.CAMUNDA_ADMIN)) {
            if (accountId.isEmpty()) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND, notFound);
            }
            return caller;
        }
        PlatformUser user = caller == null ? null : users.findActiveByUsername(caller).orElse(null);
        if (accountId.isEmpty() || user == null || user.role() != Role.ADMINISTRATOR
                || !Objects.equals(user.accountId(), accountId.get())) {
            securityEvents.record(caller, refusal.securityEventKind(), null, null,
                    refusal.message() + " (" + refusal.subject() + ")");
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, refusal.message());
        }
        return caller;
    }

    /** The engine groups of a signed-in caller; none for no caller (the engine itself) or a caller without groups. */
    public static List<String> groupsOf(Authentication authentication) {
        return authentication == null || authentication.getGroupIds() == null ? List.of() : authentication.getGroupIds();
    }
}

package io.psaremoval.account;

import java.util.List;
import java.util.stream.Collectors;

/** A person who can sign in: a user of one account, or the vendor's support agent or auditor. */
public record PlatformUser(long id, Long accountId, String username, String fullName, String email, Role role,
        boolean active) {

    /** At most so many people are named in a sentence; the rest are counted. */
    private static final int NAMED = 10;

    /** People as a person reads them in a sentence: "Ada Admin, Bob Boss", the first ten named, then "and 3 more". */
    public static String namesOf(List<PlatformUser> people) {
        String named = people.stream().limit(NAMED).map(PlatformUser::fullName).collect(Collectors.joining(", "));
        return people.size() > NAMED ? named + " and " + (people.size() - NAMED) + " more" : named;
    }

    /** The groups this user belongs to in the engine. */
    public List<String> engineGroups() {
        return switch (role) {
            case SUPPORT -> List.of(AccountGroups.SUPPORT);
            // A platform auditor reads every account's removals; an account's auditor only that account's.
            case AUDITOR -> accountId == null ? List.of(AccountGroups.AUDITORS) : List.of(role.groupOf(accountId));
            default -> List.of(AccountGroups.ofAccount(accountId), role.groupOf(accountId));
        };
    }
}

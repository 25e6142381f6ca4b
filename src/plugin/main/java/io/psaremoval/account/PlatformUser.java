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

    /**
     * Why the person may not act as an active Administrator of the account (null: they may), in one wording for every
     * rule that needs one: "You (ada) are a Manager; only an Administrator of the account approves a hard delete."
     *
     * @param user       the person as the platform's users table has them, or null when it has no such user
     * @param accountId  the account they must be an Administrator of; null: their own
     * @param who        "You", or who they are in the sentence ("The Administrator who approved")
     * @param whose      what the account is to the reader ("the removal's account")
     * @param action     what only an Administrator does ("approves a hard delete")
     */
    public static String whyNotAdministrator(PlatformUser user, String username, Long accountId, String who, String whose,
            String action) {
        boolean you = who.equals("You");
        String person = who + " (" + username + ") ";
        if (user == null || !user.active()) {
            return person + (you ? "are" : "is") + " not an active user of the platform.";
        }
        if (user.accountId() == null || (accountId != null && !user.accountId().equals(accountId))) {
            return person + (you ? "do" : "does") + " not belong to " + whose + ".";
        }
        if (user.role() != Role.ADMINISTRATOR) {
            return person + (you ? "are " : "is ") + user.role().withArticle() + "; only an Administrator of the account "
                    + action + ".";
        }
        return null;
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

package io.psaremoval.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PlatformUserTest {

    @Test
    void peopleAreNamedUpToTenAndTheRestCounted() {
        List<PlatformUser> twelve = IntStream.rangeClosed(1, 12).mapToObj(PlatformUserTest::administrator).toList();

        assertThat(PlatformUser.namesOf(twelve.subList(0, 2))).isEqualTo("Admin 1, Admin 2");
        assertThat(PlatformUser.namesOf(twelve.subList(0, 10))).endsWith("Admin 9, Admin 10").doesNotContain("more");
        assertThat(PlatformUser.namesOf(twelve)).startsWith("Admin 1, ").endsWith("Admin 10 and 2 more");
        assertThat(PlatformUser.namesOf(List.of())).isEmpty();
    }

    @Test
    void whoIsNotAnActiveAdministratorOfTheAccountIsToldWhyInOneWording() {
        PlatformUser ada = administrator(1);
        PlatformUser manager = new PlatformUser(2, 1L, "bob", "Bob", "bob@example.com", Role.MANAGER, true);
        PlatformUser gone = new PlatformUser(3, 1L, "cy", "Cy", "cy@example.com", Role.ADMINISTRATOR, false);
        PlatformUser support = new PlatformUser(4, null, "sue", "Sue", "sue@example.com", Role.SUPPORT, true);
        String whose = "the removal's account";

        assertThat(PlatformUser.whyNotAdministrator(ada, "admin1", 1L, "You", whose, "approves a hard delete")).isNull();
        assertThat(PlatformUser.whyNotAdministrator(ada, "admin1", null, "You", whose, "approves")).as("their own account")
                .isNull();
        assertThat(PlatformUser.whyNotAdministrator(manager, "bob", 1L, "You", whose, "approves a hard delete"))
                .isEqualTo("You (bob) are a Manager; only an Administrator of the account approves a hard delete.");
        assertThat(PlatformUser.whyNotAdministrator(manager, "bob", 1L, "The Administrator who approved", whose, "approves"))
                .isEqualTo("The Administrator who approved (bob) is a Manager; only an Administrator of the account approves.");
        assertThat(PlatformUser.whyNotAdministrator(gone, "cy", 1L, "You", whose, "approves"))
                .isEqualTo("You (cy) are not an active user of the platform.");
        assertThat(PlatformUser.whyNotAdministrator(null, "nobody", 1L, "The Administrator who approved", whose, "approves"))
                .isEqualTo("The Administrator who approved (nobody) is not an active user of the platform.");
        assertThat(PlatformUser.whyNotAdministrator(ada, "admin1", 2L, "You", whose, "approves"))
                .isEqualTo("You (admin1) do not belong to the removal's account.");
        assertThat(PlatformUser.whyNotAdministrator(support, "sue", null, "You", "the restore's account", "restores"))
                .as("no account of their own").isEqualTo("You (sue) do not belong to the restore's account.");
    }

    private static PlatformUser administrator(int i) {
        return new PlatformUser(i, 1L, "admin" + i, "Admin " + i, "admin" + i + "@example.com", Role.ADMINISTRATOR, true);
    }
}

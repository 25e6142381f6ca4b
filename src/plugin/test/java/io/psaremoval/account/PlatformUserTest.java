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

    private static PlatformUser administrator(int i) {
        return new PlatformUser(i, 1L, "admin" + i, "Admin " + i, "admin" + i + "@example.com", Role.ADMINISTRATOR, true);
    }
}

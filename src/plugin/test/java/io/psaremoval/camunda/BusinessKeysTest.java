package io.psaremoval.camunda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.camunda.bpm.engine.impl.persistence.StrongUuidGenerator;
import org.camunda.bpm.spring.boot.starter.configuration.id.PrefixedUuidGenerator;
import org.junit.jupiter.api.Test;

/** Removals and restores get keys as unlike one another as their ids, whichever id generator the host's engine uses. */
class BusinessKeysTest {

    /** Keys of 32 random-looking bits: a repeat among 1,000 has odds of about 1 in 8,600, three of about 1 in 10^12. */
    private static final int INSTANCES = 1_000;
    private static final int REPEATS_ALLOWED = 2;

    @Test
    void everyIdGeneratorGivesDistinctReadableKeys() {
        StrongUuidGenerator strong = new StrongUuidGenerator();
        PrefixedUuidGenerator prefixed = new PrefixedUuidGenerator("psa-removal-host");
        long[] simple = {0};
        for (Supplier<String> ids : List.<Supplier<String>>of(strong::getNextId, prefixed::getNextId,
                () -> String.valueOf(++simple[0]))) {
            Set<String> removals = new HashSet<>();
            Set<String> restores = new HashSet<>();
            IntStream.range(0, INSTANCES).mapToObj(i -> ids.get()).forEach(id -> {
                removals.add(BusinessKeys.ofRemoval(id, key -> false));
                restores.add(BusinessKeys.ofRestore(id, key -> false));
            });
            assertThat(removals).as("a key per removal, e.g. " + removals.iterator().next())
                    .hasSizeGreaterThanOrEqualTo(INSTANCES - REPEATS_ALLOWED)
                    .allMatch(key -> key.matches("removal-\\d{8}-[0-9a-f]{8}"));
            assertThat(restores).hasSizeGreaterThanOrEqualTo(INSTANCES - REPEATS_ALLOWED).allMatch(key -> key.matches("restore-[0-9a-f]{8}"));
        }
    }

    @Test
    void theSameInstanceAlwaysGetsTheSameDigits() {
        assertThat(BusinessKeys.digits("psa-removal-host-0b8c1a2e-5f3d-11ef-9c1a-0242ac120002", 4))
                .isEqualTo(BusinessKeys.digits("psa-removal-host-0b8c1a2e-5f3d-11ef-9c1a-0242ac120002", 4))
                .isNotEqualTo(BusinessKeys.digits("psa-removal-host-0b8c1a2f-5f3d-11ef-9c1a-0242ac120002", 4));
    }

    @Test
    void aKeyTakenAlreadyGivesSixteenDigits() {
        String id = new StrongUuidGenerator().getNextId();
        String removal = BusinessKeys.ofRemoval(id, key -> false);
        String restore = BusinessKeys.ofRestore(id, key -> false);

        assertThat(BusinessKeys.ofRemoval(id, removal::equals)).matches("removal-\\d{8}-[0-9a-f]{16}")
                .startsWith(removal);
        assertThat(BusinessKeys.ofRestore(id, restore::equals)).matches("restore-[0-9a-f]{16}").startsWith(restore);
    }
}

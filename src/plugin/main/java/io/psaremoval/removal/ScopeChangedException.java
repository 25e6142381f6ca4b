package io.psaremoval.removal;

import java.util.List;

/**
 * A chunk found organizations whose rows differ from the scope the person confirmed (or that were not in it): the
 * chunk's transaction rolls back, nothing of it is written, and the removal asks the person to confirm again.
 */
final class ScopeChangedException extends RuntimeException {

    private final List<Long> organizations;

    ScopeChangedException(List<Long> organizations) {
        super("The scope changed since it was confirmed: organizations " + organizations + "; nothing of the chunk is written");
        this.organizations = List.copyOf(organizations);
    }

    List<Long> organizations() {
        return organizations;
    }
}

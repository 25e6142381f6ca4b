package io.psaremoval.integration;

/** A PSA integration that can be removed, as offered to the user. */
public record RemovablePsaIntegration(long id, String name, String provider, long organizations) {

    public String label() {
        return name + (name.equals(provider) ? "" : " (" + provider + ")") + " · "
                + String.format("%,d", organizations) + " synced organizations";
    }
}

package io.psaremoval.removal;

/** The article's two ways out. */
public enum RemovalMode {
    /** "Permanently disconnect records": the integration goes, its organizations and items stay stand-alone. */
    DISCONNECT,
    /** "Permanently delete all data": a hard delete of everything of the PSA-synced organizations. */
    DELETE
}

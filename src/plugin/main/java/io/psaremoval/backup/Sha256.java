package io.psaremoval.backup;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as the exports and the verified snapshots are recorded and checked with: a new digest, and its value in hex. */
public final class Sha256 {

    private Sha256() {
    }

    /** A new SHA-256 digest (every Java platform has one). */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The digest's value in lower-case hex, as {@code account_backup.sha256} holds it; the digest is reset. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}

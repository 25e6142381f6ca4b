package io.psaremoval.security;

/**
 * What a person must write for others to read (a reason, why they refuse, withdraw or cancel, where a backup is kept):
 * text that says something. Java's {@code isBlank} and PostgreSQL's {@code btrim} let through a note of only a
 * no-break space (U+00A0) or a zero-width space (U+200B), which shows nothing; a note needs a letter or a digit.
 */
public final class Notes {

    private Notes() {
    }

    /** Whether the text has at least one letter or digit, of any script. */
    public static boolean saysSomething(String text) {
        return text != null && text.codePoints().anyMatch(Character::isLetterOrDigit);
    }

    /** The text stripped, or null when it says nothing (an optional note left empty). */
    public static String orNull(String text) {
        return saysSomething(text) ? text.strip() : null;
    }
}

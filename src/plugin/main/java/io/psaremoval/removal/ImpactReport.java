package io.psaremoval.removal;

import java.util.List;
import java.util.Locale;

/** What a removal touches, as the forms and the progress report name it. */
public final class ImpactReport {

    /** Item kinds in the order the forms list them. */
    public static final List<String> ITEM_KINDS = List.of("CONFIGURATION", "CONTACT", "LOCATION", "PASSWORD", "DOMAIN",
            "DOCUMENT", "FLEXIBLE_ASSET");

    private ImpactReport() {
    }

    /** The preview as Markdown for the forms, numbers grouped by thousands. */
    public static String report(String integrationName, ImpactPreview preview) {
        StringBuilder md = new StringBuilder();
        md.append("# What removing ").append(plain(integrationName)).append(" touches\n\n");
        md.append("**").append(n(preview.organizations())).append("** organizations are synced from this PSA");
        if (preview.preExistingOrganizations() > 0) {
            md.append(", of which **").append(n(preview.preExistingOrganizations()))
                    .append("** existed here before the PSA linked them (a delete removes them too)");
        }
        md.append(".\n\n| Kind | From the PSA | Only in this platform |\n|---|---:|---:|\n");
        preview.items().forEach((kind, count) -> md.append("| ").append(label(kind)).append(" | ")
                .append(n(count.psaSynced())).append(" | ").append(n(count.platformOnly())).append(" |\n"));
        md.append("| Attachments | 0 | ").append(n(preview.attachments())).append(" |\n");
        md.append("| Related items | 0 | ").append(n(preview.relatedItems())).append(" |\n");
        md.append("| **All** | **").append(n(preview.psaSyncedItems())).append("** | **")
                .append(n(preview.platformOnlyItems() + preview.attachments() + preview.relatedItems()))
                .append("** |\n\n");
        md.append("A delete destroys the right-hand column for good: the PSA cannot bring it back. ");
        if (preview.rmmDevices() > 0) {
            md.append("**").append(n(preview.rmmDevices()))
                    .append("** RMM devices are matched to these configurations: a delete unmatches them, and their RMM data is not shown anywhere until they are matched again.");
        } else {
            md.append("No RMM device is matched to these configurations.");
        }
        return md.toString();
    }

    /** A kind as the forms name it: "Configurations", "Flexible assets", "RMM devices". */
    public static String label(String kind) {
        if (kind.equals("RMM_DEVICE")) {
            return "RMM devices";
        }
        String words = kind.toLowerCase(Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1) + "s";
    }

    /**
     * Text as Markdown shows it, character for character, on one line: a name or a person's note cannot make a link, a
     * heading, a table cell, an entity or a paragraph of its own. Colons and at signs are escaped too, and the dot of
     * {@code www.}, so that a bare address ({@code https://...}, {@code www....}, {@code name@host}) is not turned into a
     * link by a renderer that links them (GitHub's extension, which Tasklist's forms apply: the browser test saw a link
     * made without it): a note is read, not followed.
     */
    public static String plain(String text) {
        return text == null ? null
                : text.replaceAll("[\\r\\n]+", " ").replaceAll("([\\\\`*_{}\\[\\]()#+!|<>~:@&-])", "\\\\$1")
                        .replaceAll("(?i)(www)\\.", "$1\\\\.");
    }

    /** A period as a person reads it: "7 days", "1 day", "36 hours", "2 minutes", "45 seconds". */
    public static String duration(java.time.Duration period) {
        long seconds = period.toSeconds();
        if (seconds % 86_400 == 0 && seconds > 0) {
            return plural(seconds / 86_400, "day");
        }
        if (seconds % 3_600 == 0 && seconds > 0) {
            return plural(seconds / 3_600, "hour");
        }
        if (seconds % 60 == 0 && seconds > 0) {
            return plural(seconds / 60, "minute");
        }
        return plural(seconds, "second");
    }

    private static String plural(long count, String unit) {
        return n(count) + " " + unit + (count == 1 ? "" : "s");
    }

    static String n(long value) {
        return String.format(Locale.ENGLISH, "%,d", value);
    }
}

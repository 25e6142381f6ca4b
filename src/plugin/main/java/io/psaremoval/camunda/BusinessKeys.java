package io.psaremoval.camunda;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.function.Predicate;

/**
 * The business keys people read in Tasklist, notices and the audit ({@code removal-20261130-3f9a1c07},
 * {@code restore-8b2d44e1}): eight hex digits drawn from the process instance's id by SHA-256, so that they are as
 * unlike one another as the ids are, whichever id generator the host's engine uses (a {@code prefixed} id starts with
 * the application's name, a {@code simple} one is a short number: their first characters would repeat or run out).
 * Eight digits repeat once in some thousands of keys; where the short key is taken already, the key has sixteen.
 */
final class BusinessKeys {

    private BusinessKeys() {
    }

    /** A removal's key: the UTC day it started and the instance's digits, eight unless those are taken. */
    static String ofRemoval(String processInstanceId, Predicate<String> taken) {
        String day = "removal-" + LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE) + "-";
        return free(day, processInstanceId, taken);
    }

    /** A restore's key, eight digits unless those are taken. */
    static String ofRestore(String processInstanceId, Predicate<String> taken) {
        return free("restore-", processInstanceId, taken);
    }

    private static String free(String prefix, String processInstanceId, Predicate<String> taken) {
        String key = prefix + digits(processInstanceId, 4);
        return taken.test(key) ? prefix + digits(processInstanceId, 8) : key;
    }

    static String digits(String processInstanceId, int bytes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(processInstanceId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256", e);
        }
    }
}

package io.psaremoval.security;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * How many instances of a kind (removals, restores) one person asked for in the last 24 hours, for the cap
 * {@code psa.removal.max-requests-per-day}. Two requests of one person at the same moment are counted one after the
 * other: an advisory lock per person and kind, held until the caller's transaction ends.
 */
public final class RequestsPerPerson {

    private RequestsPerPerson() {
    }

    /**
     * Why the person may not ask for one more of the kind now, in words; null while they may.
     *
     * @param kind              the kind as the person reads it in the plural ("removals", "restores")
     * @param table             the kind's record table ({@code removal}, {@code removal_restore}): a constant of the
     *                          caller, with {@code requested_by}, {@code started_at} and {@code process_instance_id}
     * @param processInstanceId the request being started, left out of the count
     */
    public static String whyNotOneMore(JdbcClient jdbc, String kind, String table, String requestedBy,
            String processInstanceId, int maxPerDay) {
        long asked = inTheLastDay(jdbc, table, requestedBy, processInstanceId);
        return asked < maxPerDay ? null : "You asked for " + asked + " " + kind + " in the last 24 hours, the most one person"
                + " may: ask again tomorrow (or an operator raises psa.removal.max-requests-per-day). Nothing was started.";
    }

    private static long inTheLastDay(JdbcClient jdbc, String table, String requestedBy, String processInstanceId) {
        jdbc.sql("select 1 from pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .param("key", "psa-requests:" + table + ":" + requestedBy).query(Integer.class).single();
        return jdbc.sql("select count(*) from " + table
                        + " where requested_by = :by and started_at > now() - interval '1 day' and process_instance_id <> :pid")
                .param("by", requestedBy).param("pid", processInstanceId).query(Long.class).single();
    }
}

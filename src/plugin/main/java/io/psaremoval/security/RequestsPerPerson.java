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
     * @param table             the kind's record table ({@code removal}, {@code removal_restore}): a constant of the
     *                          caller, with {@code requested_by}, {@code started_at} and {@code process_instance_id}
     * @param processInstanceId the request being started, left out of the count
     */
    public static long inTheLastDay(JdbcClient jdbc, String table, String requestedBy, String processInstanceId) {
        jdbc.sql("select 1 from pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .param("key", "psa-requests:" + table + ":" + requestedBy).query(Integer.class).single();
        return jdbc.sql("select count(*) from " + table
                        + " where requested_by = :by and started_at > now() - interval '1 day' and process_instance_id <> :pid")
                .param("by", requestedBy).param("pid", processInstanceId).query(Long.class).single();
    }
}

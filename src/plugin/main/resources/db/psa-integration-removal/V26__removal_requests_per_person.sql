-- A start counts what its requester asked for in the last 24 hours (psa.removal.max-requests-per-day).
create index removal_requested_by_started_idx on removal (requested_by, started_at);
-- The same for restores.
create index removal_restore_requested_by_started_idx on removal_restore (requested_by, started_at);

-- The removal row is the source of truth for every write step: each step moves it from the state it expects
-- (a conditional update), and re-checks from these columns what the flow promised on the way there.
--
--   REQUESTED --reserve--> PENDING --confirm deletion--> CONFIRMED --first delete chunk--> RUNNING --> DELETED
--                          PENDING --first disconnect chunk--------------------------------> RUNNING --> DISCONNECTED
--   any open state --> CANCELLED | EXPIRED | NOT_PERMITTED | UNAVAILABLE | NOTHING_TO_REMOVE
--                   --> REFUSED  (a write step found its preconditions broken: nothing written by it)
--                   --> ABORTED  (the process instance ended outside its flow, e.g. deleted by an operator)

alter table removal drop constraint removal_status_check;
alter table removal add constraint removal_status_check
    check (status in ('REQUESTED', 'PENDING', 'CONFIRMED', 'RUNNING', 'DISCONNECTED', 'DELETED', 'CANCELLED',
                      'EXPIRED', 'NOT_PERMITTED', 'UNAVAILABLE', 'NOTHING_TO_REMOVE', 'REFUSED', 'ABORTED'));

drop index removal_one_open_per_integration;
create unique index removal_one_open_per_integration on removal (integration_id)
    where status in ('PENDING', 'CONFIRMED', 'RUNNING');

alter table removal
    -- The mode the requester chose (before any data is written), so that later steps can check it.
    add column chosen_mode             text check (chosen_mode in ('DISCONNECT', 'DELETE')),
    -- The backup this removal relies on: found recent by the check, exported or recorded for it.
    add column backup_id               bigint references account_backup (id),
    -- The support agent who agreed to switch bulk delete on for this removal.
    add column bulk_delete_approved_by text,
    -- Why the removal ended as it did, in words (refusals and aborts say what and who).
    add column outcome_reason          text;
create index removal_backup_idx on removal (backup_id);

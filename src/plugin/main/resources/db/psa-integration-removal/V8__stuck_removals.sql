-- A removal whose step ran out of retries waits for an operator. Each such stop is recorded here with the two
-- Tasklist tasks it opened (one for the requester, one for the operators) and how it ended: RESUMED when the
-- operator's retry succeeded, ENDED when the process instance ended without it (say, cancelled in Cockpit).
create table removal_stuck_notice (
    id                  bigint generated always as identity primary key,
    removal_id          bigint      not null references removal (id),
    process_instance_id text        not null,
    job_id              text        not null,
    incident_id         text        not null unique,
    activity_id         text,
    step_name           text        not null,
    failure             text        not null,
    requester           text        not null,
    requester_task_id   text,
    operator_task_id    text,
    opened_at           timestamptz not null default now(),
    retried_at          timestamptz,
    retried_by          text,
    closed_at           timestamptz,
    closed_how          text check (closed_how in ('RESUMED', 'ENDED')),
    times_stopped       int         not null default 1,
    check ((closed_at is null) = (closed_how is null))
);
-- Every successful job asks whether it ends a stop: an index of the open ones only keeps that cheap.
create index removal_stuck_notice_open_job on removal_stuck_notice (job_id) where closed_at is null;
create index removal_stuck_notice_removal on removal_stuck_notice (removal_id);

-- Attempts the application refused or neutralised: forged variables, fields a form did not ask for,
-- variable changes outside a form. Written in their own transaction, so a refusal that rolls back
-- the request itself is still on record.
create table security_event (
    id                  bigint generated always as identity primary key,
    occurred_at         timestamptz not null default now(),
    username            text,
    kind                text        not null,
    process_instance_id text,
    task_id             text,
    detail              text        not null
);
create index security_event_process_instance_idx on security_event (process_instance_id);
create index security_event_occurred_idx on security_event (occurred_at);

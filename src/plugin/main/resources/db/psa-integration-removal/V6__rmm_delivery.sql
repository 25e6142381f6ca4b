-- Where each RMM integration is told about unmatched devices, set by an Administrator of its account. The secret
-- signs every notice (HMAC-SHA256); it is never returned by the API.
create table rmm_endpoint (
    rmm_integration_id bigint      primary key references integration (id),
    url                text        not null check (url ~ '^https?://'),
    secret             text        not null check (length(secret) >= 16),
    updated_by         text        not null,
    updated_at         timestamptz not null default now()
);

-- A notice is recorded once (the outbox), then delivered: PENDING until its RMM answered 2xx (DELIVERED), or
-- NOT_CONFIGURED when its RMM integration has no endpoint at the time of delivery.
alter table rmm_unmatch_notice
    add column delivery_status text not null default 'PENDING'
        check (delivery_status in ('PENDING', 'DELIVERED', 'NOT_CONFIGURED')),
    add column delivered_at timestamptz;

-- Every delivery attempt, kept also when the attempt's own transaction rolled back.
create table rmm_notice_delivery (
    id           bigint generated always as identity primary key,
    notice_id    bigint      not null references rmm_unmatch_notice (id),
    attempted_at timestamptz not null default now(),
    outcome      text        not null check (outcome in ('DELIVERED', 'FAILED', 'NOT_CONFIGURED')),
    http_status  integer,
    detail       text
);
create index rmm_notice_delivery_notice_idx on rmm_notice_delivery (notice_id);

-- The host's own table, migrated by the host's own Flyway (Spring Boot's, default location and history table).
create table expense_claim (
    id          bigint generated always as identity primary key,
    employee    text           not null,
    amount      numeric(12, 2) not null check (amount > 0),
    approved_by text,
    created_at  timestamptz    not null default now()
);

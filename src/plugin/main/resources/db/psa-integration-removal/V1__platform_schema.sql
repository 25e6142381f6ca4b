-- The IT documentation platform that the removal process works on, modelled on IT Glue.
--
-- Tenant isolation is enforced by the schema itself: every child row carries its account_id and
-- points at its parent through a composite foreign key (parent_id, account_id), so a row can never
-- reference a parent of another account. Every referencing column is indexed: bulk deletes and
-- unmatching depend on it. Foreign keys restrict deletion; the removal deletes children first.

create table account (
    id                  bigint generated always as identity primary key,
    name                text        not null check (btrim(name) <> ''),
    bulk_delete_enabled boolean     not null default false,
    created_at          timestamptz not null default now()
);

-- Account exports (IT Glue's "Export" under Account > Settings) and external backups a user vouched for.
create table account_backup (
    id           bigint generated always as identity primary key,
    account_id   bigint      not null references account (id),
    kind         text        not null check (kind in ('PLATFORM_EXPORT', 'EXTERNAL_CONFIRMED')),
    requested_by text        not null,
    completed_at timestamptz not null default now(),
    location     text,
    size_bytes   bigint,
    sha256       text,
    note         text
);
create index account_backup_account_completed_idx on account_backup (account_id, completed_at desc);

-- People. The six account roles belong to one account; support agents (the vendor's staff) belong
-- to none; an auditor is either an account's auditor or, without an account, a platform auditor.
create table platform_user (
    id         bigint generated always as identity primary key,
    account_id bigint references account (id),
    username   text        not null unique check (username ~ '^[a-z0-9][a-z0-9._-]*$'),
    full_name  text        not null,
    email      text        not null,
    role       text        not null check (role in ('ADMINISTRATOR', 'MANAGER', 'EDITOR', 'CREATOR', 'LITE',
                                                    'READ_ONLY', 'SUPPORT', 'AUDITOR')),
    active     boolean     not null default true,
    created_at timestamptz not null default now(),
    check ((role in ('ADMINISTRATOR', 'MANAGER', 'EDITOR', 'CREATOR', 'LITE', 'READ_ONLY') and account_id is not null)
        or (role = 'SUPPORT' and account_id is null)
        or role = 'AUDITOR')
);
create index platform_user_account_idx on platform_user (account_id);

create table integration (
    id              bigint generated always as identity primary key,
    account_id      bigint      not null references account (id),
    kind            text        not null check (kind in ('PSA', 'RMM')),
    provider        text        not null check (btrim(provider) <> ''),
    name            text        not null check (btrim(name) <> ''),
    status          text        not null default 'ACTIVE'
                                check (status in ('ACTIVE', 'PAUSED', 'REMOVING', 'DISCONNECTED', 'DELETED')),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    last_synced_at  timestamptz,
    disconnected_at timestamptz,
    deleted_at      timestamptz,
    unique (id, account_id),
    unique (id, account_id, kind)
);
create index integration_account_idx on integration (account_id);

-- An organization is synced from a PSA integration (it carries the integration and the PSA's id for
-- it) or stand-alone. psa_linked_at is when a sync linked it: an organization created before that
-- existed in the platform first and was matched by the sync (IT Glue's "Happy Frog" case).
create table organization (
    id                 bigint generated always as identity primary key,
    account_id         bigint      not null references account (id),
    name               text        not null check (btrim(name) <> ''),
    psa_integration_id bigint,
    psa_kind           text        check (psa_kind = 'PSA'),
    psa_external_id    text,
    psa_linked_at      timestamptz,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    unique (id, account_id),
    foreign key (psa_integration_id, account_id, psa_kind) references integration (id, account_id, kind),
    check ((psa_integration_id is null and psa_kind is null and psa_external_id is null and psa_linked_at is null)
        or (psa_integration_id is not null and psa_kind is not null and psa_external_id is not null
            and psa_linked_at is not null)),
    unique (psa_integration_id, psa_external_id)
);
create index organization_account_idx on organization (account_id);
-- psa_integration_id is covered by the unique (psa_integration_id, psa_external_id) index.

-- Items of every kind the article names. psa_external_id set: synced from the organization's PSA;
-- null: exists only in the platform (what a hard delete destroys and a new sync cannot bring back).
create table item (
    id              bigint generated always as identity primary key,
    account_id      bigint      not null,
    organization_id bigint      not null,
    kind            text        not null check (kind in ('CONFIGURATION', 'CONTACT', 'LOCATION', 'PASSWORD',
                                                         'DOMAIN', 'DOCUMENT', 'FLEXIBLE_ASSET')),
    name            text        not null check (btrim(name) <> ''),
    psa_external_id text,
    body            text,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    unique (id, account_id),
    unique (id, account_id, kind),
    foreign key (organization_id, account_id) references organization (id, account_id)
);
create index item_organization_idx on item (organization_id, kind);
create index item_account_idx on item (account_id);

-- Files attached to an organization or to one of its items; they only ever exist in the platform.
create table attachment (
    id              bigint generated always as identity primary key,
    account_id      bigint      not null,
    organization_id bigint      not null,
    item_id         bigint,
    file_name       text        not null check (btrim(file_name) <> ''),
    content_type    text        not null default 'application/octet-stream',
    content         bytea       not null,
    created_at      timestamptz not null default now(),
    foreign key (organization_id, account_id) references organization (id, account_id),
    foreign key (item_id, account_id) references item (id, account_id)
);
create index attachment_organization_idx on attachment (organization_id);
create index attachment_item_idx on attachment (item_id);
create index attachment_account_idx on attachment (account_id);

-- A link between two items of the same account, possibly of different organizations.
create table related_item (
    id             bigint generated always as identity primary key,
    account_id     bigint      not null,
    source_item_id bigint      not null,
    target_item_id bigint      not null,
    note           text,
    created_at     timestamptz not null default now(),
    foreign key (source_item_id, account_id) references item (id, account_id),
    foreign key (target_item_id, account_id) references item (id, account_id),
    check (source_item_id <> target_item_id),
    unique (source_item_id, target_item_id)
);
create index related_item_target_idx on related_item (target_item_id);
create index related_item_account_idx on related_item (account_id);
-- source_item_id is covered by the unique (source_item_id, target_item_id) index.

-- Devices reported by an RMM integration, optionally matched to a configuration item.
create table rmm_device (
    id                       bigint generated always as identity primary key,
    account_id               bigint      not null,
    rmm_integration_id       bigint      not null,
    rmm_kind                 text        not null default 'RMM' check (rmm_kind = 'RMM'),
    external_id              text        not null,
    hostname                 text        not null,
    matched_configuration_id bigint,
    matched_kind             text        check (matched_kind = 'CONFIGURATION'),
    matched_at               timestamptz,
    foreign key (rmm_integration_id, account_id, rmm_kind) references integration (id, account_id, kind),
    foreign key (matched_configuration_id, account_id, matched_kind) references item (id, account_id, kind),
    check ((matched_configuration_id is null) = (matched_kind is null)
       and (matched_configuration_id is null) = (matched_at is null)),
    unique (rmm_integration_id, external_id)
);
create index rmm_device_matched_configuration_idx on rmm_device (matched_configuration_id);
create index rmm_device_account_idx on rmm_device (account_id);

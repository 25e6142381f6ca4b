-- A row's hash for the scope's fingerprints is now PostgreSQL's hash of the row value itself
-- (hash_record_extended(row(...), 0): each column hashed by its type's own hash function) instead of the text hash of
-- the row's text (psa_row_hash, V14): measured on 1,000,000 items, building every row's text was most of comparing a
-- scope, and with the scope's read reshaped (see JdbcPlatformData.scope) the whole comparison went from about 5 s to
-- under 2 s. The fingerprints detect change; they are not a defence against someone who may write the account anyway.
-- As with V14, scopes frozen with the former hash no longer compare equal: a removal under way when this version is
-- deployed asks its person to confirm its scope again, nothing more.
drop function psa_row_hash(text);

comment on column removal_scope.delete_fingerprint is
    'XOR of hash_record_extended of every row a delete of the organization removes (see JdbcPlatformData)';
comment on column removal_scope.disconnect_fingerprint is
    'XOR of hash_record_extended of every row a disconnect of the organization writes (see JdbcPlatformData)';

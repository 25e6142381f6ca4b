-- A restore's business key is looked up when a new one is drawn (eight digits, sixteen where those are taken).
create index removal_restore_business_key_idx on removal_restore (business_key);

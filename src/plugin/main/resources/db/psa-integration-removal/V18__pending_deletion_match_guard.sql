-- The guard against matching an RMM device to a configuration pending deletion (V17) fires only when a match is made
-- or moved: an RMM sync that rewrites a device's row with the match it already had is not refused.
drop trigger rmm_device_not_matched_to_pending_deletion on rmm_device;
create trigger rmm_device_not_matched_to_pending_deletion
    before insert on rmm_device
    for each row when (new.matched_configuration_id is not null)
    execute function refuse_match_to_pending_deletion();
create trigger rmm_device_not_rematched_to_pending_deletion
    before update of matched_configuration_id on rmm_device
    for each row when (new.matched_configuration_id is not null
                       and new.matched_configuration_id is distinct from old.matched_configuration_id)
    execute function refuse_match_to_pending_deletion();

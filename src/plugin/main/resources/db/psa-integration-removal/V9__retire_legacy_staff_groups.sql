-- Until V8 the identity mirror named the platform's staff groups 'support' and 'auditors'; they are 'psa-support' and
-- 'psa-auditors' now, so that they never meet a host's own groups. An engine upgraded from then would keep the old
-- groups, their memberships and grants beside the new ones for ever. Once, here: open tasks offered to 'support' are
-- offered to 'psa-support' (with the task grants that go with that), and the old groups go with their memberships and
-- remaining grants. Only groups exactly as the mirror created them (type SYSTEM, name equal to id) are touched; a
-- host's own group of that id stays. On a new database the engine's tables do not exist yet: nothing to do.
do $$
declare
    legacy text[];
begin
    if to_regclass('act_id_group') is null then
        return;
    end if;
    select coalesce(array_agg(id_), '{}') into legacy
    from act_id_group where id_ in ('support', 'auditors') and type_ = 'SYSTEM' and name_ = id_;
    if 'support' = any (legacy) then
        update act_ru_identitylink set group_id_ = 'psa-support' where group_id_ = 'support' and type_ = 'candidate';
        update act_ru_authorization a set group_id_ = 'psa-support'
        where a.group_id_ = 'support' and a.resource_type_ = 7 -- tasks
          and not exists (select 1 from act_ru_authorization b where b.group_id_ = 'psa-support'
                          and b.resource_type_ = a.resource_type_ and b.resource_id_ = a.resource_id_
                          and b.type_ = a.type_);
    end if;
    delete from act_ru_authorization where group_id_ = any (legacy);
    delete from act_id_tenant_member where group_id_ = any (legacy);
    delete from act_id_membership where group_id_ = any (legacy);
    delete from act_id_group where id_ = any (legacy);
end
$$;

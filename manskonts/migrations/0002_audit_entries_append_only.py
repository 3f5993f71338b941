from django.db import migrations

# The audit trail is kept like the accounting records: never purged, never edited. The database
# refuses it whoever asks (a shell, a script, a purge gone wrong). The one change allowed is the
# actor becoming NULL when that user is deleted (ON DELETE SET NULL); actor_email keeps who it was.
# An auditlog upgrade whose migration rewrites rows must drop the trigger around its change.
FORWARD = [
    """
CREATE FUNCTION manskonts_audit_entry_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit log entries are never deleted (id %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - 'actor_id') IS DISTINCT FROM (to_jsonb(OLD) - 'actor_id')
            OR NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id THEN
        RAISE EXCEPTION 'audit log entries are never changed (id %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$
""",
    """
CREATE TRIGGER manskonts_audit_entry_is_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION manskonts_audit_entry_is_append_only()
""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS manskonts_audit_entry_is_append_only ON auditlog_logentry",
    "DROP FUNCTION IF EXISTS manskonts_audit_entry_is_append_only()",
]


class Migration(migrations.Migration):
    dependencies = [("manskonts", "0001_audit_entry"), ("auditlog", "0017_add_actor_email")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

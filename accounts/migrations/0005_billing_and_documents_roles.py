from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_staff_groups

    sync_staff_groups(apps)


class Migration(migrations.Migration):
    """Accountants import bank statements and resolve unmatched entries; clerks see audits and
    export jobs."""

    dependencies = [
        ("accounts", "0004_application_reviewer_group"),
        ("billing", "0002_payments_statements"),
        ("documents", "0002_audit_and_reminders"),
        ("eservices", "0002_sort_keys_and_export_jobs"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]

from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_staff_groups

    sync_staff_groups(apps)


class Migration(migrations.Migration):
    """The staff role "Klientu saziņa": requests, their answers and templates, nothing of money or
    users (accounts/roles.py, docs/roles.md)."""

    dependencies = [
        ("accounts", "0007_user_last_client"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("billing", "0010_invoice_due_reminded_for"),
        ("documents", "0004_purge_run_exports"),
        ("eservices", "0007_object_code_stored_as_digits"),
        ("notifications", "0003_staffemail"),
        ("orders", "0009_service_request_auto_terminate_days"),
        ("requisitions", "0002_assignee_templates_reminders"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]

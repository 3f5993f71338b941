from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_staff_groups

    sync_staff_groups(apps)


class Migration(migrations.Migration):
    """The role "Klientu saziņa" reads and answers the clients' conversations (accounts/roles.py,
    docs/roles.md)."""

    dependencies = [
        ("conversations", "0001_initial"),
        ("accounts", "0007_user_last_client"),
        ("requisitions", "0003_client_contact_role"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]

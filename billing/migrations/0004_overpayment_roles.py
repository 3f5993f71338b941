from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_staff_groups

    sync_staff_groups(apps)


class Migration(migrations.Migration):
    """Accountants see and refund overpayments; clerks see them."""

    dependencies = [
        ("accounts", "0006_roles_least_privilege"),
        ("billing", "0003_overpayments"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]

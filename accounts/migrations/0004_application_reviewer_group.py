from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_staff_groups

    sync_staff_groups(apps)


class Migration(migrations.Migration):
    """The account reviewers may now view and decide legal-person account applications."""

    dependencies = [
        ("accounts", "0003_legal_person_application"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]

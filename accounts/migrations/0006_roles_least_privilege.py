from django.db import migrations


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_staff_groups

    sync_staff_groups(apps)


class Migration(migrations.Migration):
    """Roles hold only what their work needs: account reviewers no longer add or change users (a
    user's page holds their rights; issue 12), clerks no longer hold the unused "change document"
    and "view export job" permissions. See docs/roles.md."""

    dependencies = [
        ("accounts", "0005_billing_and_documents_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("billing", "0002_payments_statements"),
        ("documents", "0002_audit_and_reminders"),
        ("eservices", "0004_report_totals_index_only"),
        ("orders", "0003_order_part_sort_keys"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]

from django.db import migrations, models


class Migration(migrations.Migration):
    """Separate from 0005: PostgreSQL will not alter a table with pending trigger events from the
    data migration's updates in the same transaction."""

    dependencies = [
        ("billing", "0005_statement_import_in_background"),
    ]

    operations = [
        migrations.AlterField(
            model_name="unmatchedbankentry",
            name="entry_key",
            field=models.CharField(max_length=140, unique=True, verbose_name="ieraksta identitāte"),
        ),
    ]

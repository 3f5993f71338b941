from django.db import migrations


def load_services(apps, schema_editor):
    from manskonts.collation import latvian_key
    from orders.catalogue import GROUPS, SERVICES

    ServiceGroup = apps.get_model("orders", "ServiceGroup")
    Service = apps.get_model("orders", "Service")
    groups = {}
    for code, name in GROUPS:
        groups[code], _ = ServiceGroup.objects.update_or_create(code=code, defaults={"name": name})
    ranks = {name: i for i, name in enumerate(sorted((s[1] for s in SERVICES), key=latvian_key), 1)}
    for code, name, group, price, note, term_kind, term_days, prepay, documents in SERVICES:
        Service.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "group": groups[group], "price": price, "price_note": note,
                "term_kind": term_kind, "term_days": term_days, "prepayment_percent": prepay,
                "required_documents": documents, "name_rank": ranks[name],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(load_services, migrations.RunPython.noop)]

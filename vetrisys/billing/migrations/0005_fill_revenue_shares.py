"""The revenue shares of the invoices issued before the table existed, from their documents.

Not atomic: the rebuild commits a batch of invoices at a time (a chain's ten years are
millions of rows) and may simply be run again; `vetrisys revenue-verify --repair` finishes
what an interrupted run left.
"""

from django.db import migrations


def fill(apps, schema_editor):
    """The billing service's own code: the shares must be exactly what the services write."""
    Invoice = apps.get_model("billing", "Invoice")
    if not Invoice.objects.filter(issued_at__isnull=False).exists():
        return
    from vetrisys.billing.services.revenue import revenue_shares_rebuild

    revenue_shares_rebuild()


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("billing", "0004_revenue_shares"),
        # The vets of procedures and dispenses, for the shares of the existing invoices.
        ("pharmacy", "0002_prescription_dispense"),
        ("records", "0002_seed_terms_and_templates"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

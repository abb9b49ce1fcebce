"""Ship the Kemendagri provinces, regencies and districts (ODbL 1.0, see data/ATTRIBUTION.md).

Idempotent: re-running inserts only missing rows and updates changed names. Villages are not
shipped; load them with ``lapor regions import-villages villages.csv``.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from lapor.regions.loader import load_shipped_regions


def load_regions(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    load_shipped_regions(
        model=apps.get_model("regions", "Region"), using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [
        # Reverse is a no-op: other apps hold PROTECT foreign keys to regions, and dropping
        # the table when unapplying 0001 removes the rows anyway.
        migrations.RunPython(load_regions, migrations.RunPython.noop, elidable=False),
    ]

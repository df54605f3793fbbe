from django.db import migrations

# A frozen copy of the catalogue as it was when this migration was written: later edits to
# nightly/catalogue.py must come with their own migration.
from nightly.catalogue import CATALOGUE


def seed(apps, schema_editor):
    Rule = apps.get_model("nightly", "Rule")
    for position, entry in enumerate(CATALOGUE, start=1):
        Rule.objects.update_or_create(
            code=entry.code,
            defaults={"message": entry.message, "resolution_hint": entry.resolution_hint, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("nightly", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

import datetime

from django.db import migrations

# The phases of the billing turn-on memo (January 2025), as an example the county edits.
PHASES = [
    (
        "Phase 3: September 2024 errors",
        datetime.date(2024, 9, 1),
        datetime.date(2024, 9, 1),
        datetime.date(2025, 2, 14),
    ),
    (
        "Phase 4: October and November 2024 errors",
        datetime.date(2024, 10, 1),
        datetime.date(2024, 11, 1),
        datetime.date(2025, 3, 14),
    ),
    (
        "Phase 5: December 2024 and January 2025 errors",
        datetime.date(2024, 12, 1),
        datetime.date(2025, 1, 1),
        datetime.date(2025, 4, 11),
    ),
]


def seed(apps, schema_editor):
    CorrectionDeadline = apps.get_model("reports", "CorrectionDeadline")
    for label, month_from, month_to, due in PHASES:
        CorrectionDeadline.objects.get_or_create(
            label=label, defaults={"month_from": month_from, "month_to": month_to, "due_date": due}
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

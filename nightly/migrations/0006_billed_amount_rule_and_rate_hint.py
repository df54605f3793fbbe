"""Issue 11: BILLED_AMOUNT_INVALID joins the catalogue of existing databases, and the NO_MATCHING_RATE
hint sends staff to the coverage first. The texts are frozen here (later catalogue edits need their
own migration); a hint the county already edited is left as it is."""

from django.db import migrations

NEW_RULE = {
    "code": "BILLED_AMOUNT_INVALID",
    "message": "Billed Amount is Missing or Above the Maximum Rate",
    "resolution_hint": "Enter the billed amount of the service (e.g. the actual deposit): more than zero and at "
    "most the procedure's maximum rate.",
}
RATE_HINT_BEFORE = (
    "Check the procedure and program of the service; ask county billing to add a rate effective on the date of service."
)
RATE_HINT = (
    "Check the client's coverage first: the rate follows the billed plan (an ECM or Community Supports service "
    "bills the managed care plan). Then check the procedure and program; ask county billing to add a rate "
    "effective on the date of service."
)


def forwards(apps, schema_editor):
    Rule = apps.get_model("nightly", "Rule")
    if not Rule.objects.filter(code=NEW_RULE["code"]).exists():
        last = Rule.objects.order_by("-position").values_list("position", flat=True).first() or 0
        Rule.objects.create(**NEW_RULE, position=last + 1)
    Rule.objects.filter(code="NO_MATCHING_RATE", resolution_hint=RATE_HINT_BEFORE).update(resolution_hint=RATE_HINT)


def backwards(apps, schema_editor):
    Rule = apps.get_model("nightly", "Rule")
    Rule.objects.filter(code="NO_MATCHING_RATE", resolution_hint=RATE_HINT).update(resolution_hint=RATE_HINT_BEFORE)


class Migration(migrations.Migration):
    dependencies = [("nightly", "0005_audit_statement_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]

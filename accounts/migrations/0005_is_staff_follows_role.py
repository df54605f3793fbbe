"""Existing users get the admin access their role gives (User.save keeps it so from now on)."""

from django.db import migrations


def staff_by_role(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.exclude(role="provider_admin").update(is_staff=True)
    User.objects.filter(role="provider_admin").update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_audit_statement_triggers")]

    operations = [migrations.RunPython(staff_by_role, migrations.RunPython.noop)]

"""The models and the migrations agree: nothing is left for makemigrations to write."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"Missing migrations:\n{out.getvalue()}\n(exit {exc.code})")
    assert "No changes detected" in out.getvalue()

from __future__ import annotations

import datetime as dt

import pytest

from nightly.engine import run_validation
from nightly.models import NightlyRun, ServiceFailure
from services.models import Service

AS_OF = dt.date(2026, 11, 21)
DOS = dt.date(2026, 10, 5)  # the factories' default date of service


def reasons(service: Service) -> set[str]:
    return set(ServiceFailure.objects.filter(service=service).values_list("rule__code", flat=True))


@pytest.fixture
def validate():
    """Run the whole engine in-process as of a date (default AS_OF) and return the run."""

    def run(as_of: dt.date = AS_OF, **kwargs) -> NightlyRun:
        return run_validation(as_of=as_of, **kwargs)

    return run


@pytest.fixture(autouse=True)
def rule_catalogue(request):
    """The catalogue rows the data migration seeds; a transactional test's flush removes them."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("django_db_setup")
    from nightly.catalogue import CATALOGUE
    from nightly.models import Rule

    if Rule.objects.count() < len(CATALOGUE):
        for position, entry in enumerate(CATALOGUE, start=1):
            Rule.objects.update_or_create(
                code=entry.code,
                defaults={"message": entry.message, "resolution_hint": entry.resolution_hint, "position": position},
            )

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

import datetime as dt

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_date_of_service_is_the_county_calendar_date_of_the_start():
    # 23:30 in San Diego on Oct 5 is already Oct 6 in UTC.
    service = factories.billable_service(start=factories.county_datetime(dt.date(2026, 10, 5), 23, 30))
    service.refresh_from_db()
    assert service.date_of_service == dt.date(2026, 10, 5)

"""The ADDRESS_INCOMPLETE rule's SQL reads the shared address table (tests/address_cases.py) as the
client record's instant feedback does: an address fails in SQL exactly when the page lists a problem."""

from __future__ import annotations

import pytest
from django.db import connection

from nightly.rules.address import homeless_sql, incomplete_sql
from tests.address_cases import ADDRESS_CASES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("street", "city", "state", "zip_code", "billing", "problem"), ADDRESS_CASES)
def test_rule_sql_agrees_with_the_page(street, city, state, zip_code, billing, problem):
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {incomplete_sql("a")} FROM (
                SELECT btrim(x.street) AS street, {homeless_sql("x.street")} AS homeless, x.billing AS billing_address,
                       btrim(x.city) AS city, btrim(x.state) AS state, btrim(x.zip) AS zip
                FROM (SELECT %s::text AS street, %s::text AS city, %s::text AS state, %s::text AS zip,
                             %s::boolean AS billing) x
            ) a
            """,
            [street, city, state, zip_code, billing],
        )
        (fails,) = cursor.fetchone()

    assert fails is (problem is not None)

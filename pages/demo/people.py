"""The demo county's people: clients with their addresses, program assignments, coverage, diagnoses
and authorizations (each client's services are visits.py's)."""

from __future__ import annotations

import datetime as dt

from clients.models import Client, Enrollment
from coverage.models import Coverage, Payer
from diagnosis.models import DiagnosisDocument
from pages.demo.base import PT, _ClientPlan, _EnrollmentPlan
from pages.demo.names import CITIES, FIRST_NAMES, LAST_NAMES, STREETS
from pages.demo.reference import AGENCIES, DX_CODES
from pages.demo.visits import Visits


class People(Visits):
    def build_client(self, index: int) -> None:
        rng = self.rng
        primary = rng.choices((PT.MH, PT.SUD, PT.ECM, PT.CS), weights=(42, 23, 17, 18))[0]
        agencies = [i for i, a in enumerate(AGENCIES) if primary in a[4]]
        agency = rng.choices(agencies, weights=[(40, 30, 30)[i] for i in agencies])[0]
        tenure = rng.choices(("long", "mid", "new"), weights=(30, 45, 25))[0]
        if tenure == "long":
            enrolled = self.today - dt.timedelta(days=rng.randint(540, 1080))
        elif tenure == "mid":
            enrolled = self.today - dt.timedelta(days=rng.randint(215, 520))
        else:
            enrolled = self.random_day(self.window_start, self.today - dt.timedelta(days=21))
        subtype = ""
        if primary == PT.CS:
            subtype = rng.choices(("homeless", "housed", "recuperative"), weights=(50, 40, 10))[0]
        homeless = subtype in ("homeless", "recuperative") or (primary == PT.ECM and rng.random() < 0.3)
        city, zip_code = rng.choice(CITIES)
        agency_row = self.agencies[agency]
        self.ssn_counter += 1
        client = Client(
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            date_of_birth=dt.date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)),
            address_street="HOMELESS" if homeless else f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
            # A homeless client's city, state and zip are the agency's.
            address_city=agency_row.address_city if homeless else city,
            address_state="CA",
            address_zip=agency_row.address_zip if homeless else zip_code,
            billing_address=True,
            financial_info_complete=True,
        )
        if rng.random() < 0.9:
            # A valid SSN (entry refuses areas 000, 666 and 9xx, group 00, serial 0000): area 100-199,
            # drawn with the same calls as before so a seed still builds the same county.
            client.set_ssn(f"1{rng.randint(0, 99):02d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}")
        cp = _ClientPlan(
            obj=client, agency=agency, tenure=tenure, enrolled=enrolled, subtype=subtype, homeless=homeless
        )
        types = [primary]
        if primary == PT.MH and rng.random() < 0.2:
            second = PT.ECM if (agency, PT.ECM) in self.programs else PT.SUD
            types.append(second)
        elif primary == PT.SUD and rng.random() < 0.1:
            types.append(PT.MH)
        for position, program_type in enumerate(types):
            enrolled_on = (
                enrolled if position == 0 else max(enrolled, self.window_start) + dt.timedelta(days=rng.randint(0, 40))
            )
            enrolled_on = min(enrolled_on, self.today - dt.timedelta(days=14))
            self.enroll(cp, program_type, enrolled_on)
        self.cover(cp)
        self.clients.append(cp)
        # Some clients finished treatment during the window: a clean discharge with no services after it.
        discharge: dt.date | None = None
        if tenure != "new" and rng.random() < 0.06:
            discharge = self.random_day(self.window_start + dt.timedelta(days=30), self.today - dt.timedelta(days=30))
            ep = cp.primary()
            ep.obj.status = Enrollment.Status.DISCHARGED
            ep.obj.discharged_date = discharge
        for ep in cp.enrollments:
            first = max(ep.obj.enrolled_date or enrolled, self.window_start)
            last = self.yesterday if ep.obj.discharged_date is None else ep.obj.discharged_date
            self.services_for(cp, ep, first, last)
        if discharge is not None and cp.primary().program_type == PT.SUD:
            # Transition care: a warm hand-off to the next level of care after discharge (30 days).
            handoff = self.weekday_on_or_after(discharge + dt.timedelta(days=rng.randint(3, 25)))
            self.add_service(cp, cp.primary(), "CARE_COORD", handoff, minutes=30)

    def enroll(self, cp: _ClientPlan, program_type: str, enrolled_on: dt.date) -> None:
        program = self.programs[(cp.agency, program_type)]
        enrollment = Enrollment(
            client=cp.obj,
            program=program,
            status=Enrollment.Status.ENROLLED,
            requested_date=enrolled_on - dt.timedelta(days=self.rng.randint(0, 14)),
            enrolled_date=enrolled_on,
        )
        ep = _EnrollmentPlan(obj=enrollment, program_type=program_type)
        codes = self.rng.sample(DX_CODES[program_type], k=self.rng.randint(1, 3))
        document = DiagnosisDocument(
            client=cp.obj,
            program=program,
            effective_date=enrolled_on,
            signed=True,
            signed_at=self.at(enrolled_on, 12),
        )
        document._demo_codes = codes  # type: ignore[attr-defined]
        ep.dx.append(document)
        cp.enrollments.append(ep)

    def cover(self, cp: _ClientPlan) -> None:
        rng = self.rng
        start = cp.enrolled - dt.timedelta(days=rng.randint(0, 365))
        kinds: list[str] = []
        if rng.random() < 0.08:
            kinds.append(Payer.PayerType.OHC)
        if PT.MH in cp.types() and rng.random() < 0.15:
            kinds.append(Payer.PayerType.MEDICARE)
        if PT.MH in cp.types():
            kinds.append(Payer.PayerType.MEDI_CAL)
        if PT.SUD in cp.types():
            kinds.append(Payer.PayerType.MEDI_CAL_DMC)
        if cp.types() & {PT.ECM, PT.CS}:
            kinds.append(Payer.PayerType.MCP)
        for priority, kind in enumerate(kinds, start=1):
            if kind == Payer.PayerType.MEDICARE:
                insured = f"{rng.randint(1, 9)}EG{rng.randint(1, 9)}TE{rng.randint(1, 9)}MK{rng.randint(10, 99)}"
            elif kind == Payer.PayerType.OHC:
                insured = f"XEH{rng.randint(100000000, 999999999)}"
            else:
                insured = self.cin()
            cp.coverages.append(
                Coverage(
                    client=cp.obj,
                    payer=self.payers[kind],
                    priority=priority,
                    start_date=start,
                    insured_id=insured,
                    subscriber_is_client=True,
                )
            )

"""The demo county's planted problems: about 15% of the services get one, spread over every rule code
of the catalogue, each by a short method named for what it plants (see pages/demo/county.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from clients.models import Enrollment
from coverage.models import Coverage, Payer
from diagnosis.models import DiagnosisDocument
from nightly.catalogue import Code
from pages.demo.base import PT, _ClientPlan, _ServicePlan, add_months, month_end, month_start
from pages.demo.reference import EXPIRED_STAFF_SLOT, Cred
from pages.demo.visits import Visits
from services.models import Authorization, Service

# Rule codes planted, in DOMAIN.md's order; `DemoSummary.planted` counts services per code.
PLANTED_RULES = (
    Code.FINANCIAL_INFO_INCOMPLETE,
    Code.DX_NONE_IN_PROGRAM,
    Code.DX_EFFECTIVE_AFTER_DOS,
    Code.DX_ENDED_BEFORE_DOS,
    Code.DX_NOT_SIGNED,
    Code.NOTE_NOT_SIGNED,
    Code.NOT_ENROLLED_ON_DOS,
    Code.NO_COVERAGE,
    Code.INSURED_ID_MISSING,
    Code.SUBSCRIBER_NOT_CLIENT,
    Code.ADDRESS_INCOMPLETE,
    Code.CLINICIAN_NOT_CREDENTIALED,
    Code.CREDENTIAL_EXPIRED,
    Code.NO_MATCHING_RATE,
    Code.ZERO_UNITS,
    Code.AUTHORIZATION_REQUIRED,
    Code.AUTHORIZATION_EXHAUSTED,
    Code.FREQUENCY_LIMIT_EXCEEDED,
    Code.DAILY_MAXIMUM_EXCEEDED,
    Code.MCP_ENROLLMENT_REQUIRED,
    Code.PREREQUISITE_NOT_MET,
    Code.DUPLICATE_SERVICE,
    Code.TIMELY_FILING_LIMIT,
    Code.BILLED_AMOUNT_INVALID,
)

# DOMAIN.md: a non-billable procedure is checked only by these rules.
NON_BILLABLE_RULES = frozenset(
    {
        Code.DX_NONE_IN_PROGRAM,
        Code.DX_EFFECTIVE_AFTER_DOS,
        Code.DX_ENDED_BEFORE_DOS,
        Code.DX_NOT_SIGNED,
        Code.NOTE_NOT_SIGNED,
        Code.NOT_ENROLLED_ON_DOS,
        Code.CLINICIAN_NOT_CREDENTIALED,
        Code.CREDENTIAL_EXPIRED,
        Code.DUPLICATE_SERVICE,
    }
)


def _new(cp: _ClientPlan) -> bool:
    return cp.tenure == "new"


def _settled(cp: _ClientPlan) -> bool:
    return cp.tenure != "new"


def _medi_cal_only(cp: _ClientPlan) -> bool:
    return not (cp.types() & {PT.ECM, PT.CS})


def _active(cp: _ClientPlan) -> bool:
    return _settled(cp) and cp.primary().obj.status == Enrollment.Status.ENROLLED


class Problems(Visits):
    def mark(
        self,
        cp: _ClientPlan,
        code: str,
        *,
        program_type: str | None = None,
        after: dt.date | None = None,
        before: dt.date | None = None,
        key: str | None = None,
    ) -> int:
        marked = 0
        for sp in cp.services:
            if not self.past(sp):
                continue
            if program_type is not None and sp.obj.program.program_type != program_type:
                continue
            if after is not None and sp.dos <= after:
                continue
            if before is not None and sp.dos >= before:
                continue
            if not sp.spec.billable and code not in NON_BILLABLE_RULES:
                continue
            if key is not None and sp.spec.key != key:
                continue
            sp.planted.add(code)
            marked += 1
        return marked

    def pick_clients(self, count: int, code: str, predicate: Callable[[_ClientPlan], bool]) -> list[_ClientPlan]:
        pool = [
            cp for cp in self.clients if not cp.defect and predicate(cp) and any(self.past(sp) for sp in cp.services)
        ]
        picked = self.rng.sample(pool, k=min(count, len(pool)))
        for cp in picked:
            cp.defect = code
        return picked

    def pick_services(
        self, count: int, predicate: Callable[[_ClientPlan, _ServicePlan], bool]
    ) -> list[tuple[_ClientPlan, _ServicePlan]]:
        """Clean past services of clients without a client-level problem."""
        pool = [
            (cp, sp)
            for cp in self.clients
            if not cp.defect
            for sp in cp.services
            if self.past(sp) and not sp.planted and not sp.locked and predicate(cp, sp)
        ]
        return self.rng.sample(pool, k=min(count, len(pool)))

    def plant_problems(self) -> None:
        """About 15% of the services get one planted problem each: client-level problems first (on new
        clients, or from a cut-off date), then authorizations, then problems of single services."""
        self.plant_financial_info_incomplete()
        self.plant_incomplete_addresses()
        self.plant_missing_insured_ids()
        self.plant_subscribers_other_than_the_client()
        self.plant_no_diagnosis_in_program()
        self.plant_diagnoses_effective_after_the_first_services()
        self.plant_requested_enrollments()
        self.plant_discharges_before_later_services()
        self.plant_coverage_ended()
        self.plant_managed_care_plans_ended()
        self.plant_diagnoses_ended()
        self.plant_unsigned_diagnosis_renewals()
        self.plant_lapsed_authorizations()
        self.plant_exhausted_authorizations()
        self.plant_unsigned_notes()
        self.plant_services_too_short_for_a_unit()
        self.plant_uncredentialed_clinicians()
        self.plant_expired_credentials()
        mh_sud = self.enrolled_mh_sud_clients()
        self.plant_engagements_without_a_rate(mh_sud)
        self.plant_frequency()
        self.plant_daily_maximum(mh_sud)
        self.plant_billed_amount()
        self.plant_prerequisite()
        self.plant_duplicates()
        self.plant_timely_filing()

    def cutoff(self, low: int, high: int) -> dt.date:
        """A cut-off date `low` to `high` days ago: a client-level problem starts after it."""
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    # -- client-level problems on new clients (few services each) ----------------------------------

    def plant_financial_info_incomplete(self) -> None:
        for cp in self.pick_clients(self.n(3), Code.FINANCIAL_INFO_INCOMPLETE, _new):
            cp.obj.financial_info_complete = False
            self.mark(cp, Code.FINANCIAL_INFO_INCOMPLETE)

    def plant_incomplete_addresses(self) -> None:
        variants = ("one_line", "short_zip", "no_billing_box", "no_city", "bad_state")
        for number, cp in enumerate(
            self.pick_clients(self.n(6), Code.ADDRESS_INCOMPLETE, lambda cp: _new(cp) and not cp.homeless)
        ):
            c = cp.obj
            variant = variants[number % len(variants)]
            if variant == "one_line":
                c.address_street = f"{c.address_street}, {c.address_city}, CA {c.address_zip}"
                c.address_city = c.address_state = c.address_zip = ""
            elif variant == "short_zip":
                c.address_zip = c.address_zip[:4]
            elif variant == "no_billing_box":
                c.billing_address = False
            elif variant == "no_city":
                c.address_city = ""
            else:
                c.address_state = "C1"
            self.mark(cp, Code.ADDRESS_INCOMPLETE)

    def plant_missing_insured_ids(self) -> None:
        for cp in self.pick_clients(self.n(3), Code.INSURED_ID_MISSING, _new):
            cp.coverages[-1].insured_id = ""
            self.mark(cp, Code.INSURED_ID_MISSING)

    def plant_subscribers_other_than_the_client(self) -> None:
        for cp in self.pick_clients(self.n(3), Code.SUBSCRIBER_NOT_CLIENT, lambda cp: _new(cp) and _medi_cal_only(cp)):
            cp.coverages[-1].subscriber_is_client = False
            self.mark(cp, Code.SUBSCRIBER_NOT_CLIENT)

    def plant_no_diagnosis_in_program(self) -> None:
        for cp in self.pick_clients(self.n(3), Code.DX_NONE_IN_PROGRAM, _new):
            cp.primary().dx.clear()
            self.mark(cp, Code.DX_NONE_IN_PROGRAM, program_type=cp.primary().program_type)

    def plant_diagnoses_effective_after_the_first_services(self) -> None:
        for cp in self.pick_clients(self.n(12), Code.DX_EFFECTIVE_AFTER_DOS, _new):
            ep = cp.primary()
            days = sorted({sp.dos for sp in cp.services if self.past(sp) and sp.obj.program is ep.obj.program})
            if len(days) < 2:
                continue
            effective = days[min(2, len(days) - 1)]
            ep.dx[0].effective_date = effective
            ep.dx[0].signed_at = self.at(effective, 12)
            self.mark(cp, Code.DX_EFFECTIVE_AFTER_DOS, program_type=ep.program_type, before=effective)

    def plant_requested_enrollments(self) -> None:
        for cp in self.pick_clients(self.n(1), Code.NOT_ENROLLED_ON_DOS, _new):
            ep = cp.primary()
            ep.obj.status = Enrollment.Status.REQUESTED
            ep.obj.enrolled_date = None
            self.mark(cp, Code.NOT_ENROLLED_ON_DOS, program_type=ep.program_type)

    # -- client-level problems that start on a cut-off date a few weeks ago ------------------------

    def plant_discharges_before_later_services(self) -> None:
        for cp in self.pick_clients(self.n(12), Code.NOT_ENROLLED_ON_DOS, _active):
            ep, day = cp.primary(), self.cutoff(12, 30)
            ep.obj.status = Enrollment.Status.DISCHARGED
            ep.obj.discharged_date = day
            cp.services = [
                sp for sp in cp.services if not (sp.other_status == "scheduled" and sp.obj.program is ep.obj.program)
            ]
            self.mark(cp, Code.NOT_ENROLLED_ON_DOS, program_type=ep.program_type, after=day)
            for sp in cp.services:
                # Care coordination within its transition days of the discharge still bills.
                if sp.dos <= day + dt.timedelta(days=sp.spec.transition_days):
                    sp.planted.discard(Code.NOT_ENROLLED_ON_DOS)

    def plant_coverage_ended(self) -> None:
        for cp in self.pick_clients(self.n(10), Code.NO_COVERAGE, lambda cp: _active(cp) and _medi_cal_only(cp)):
            day = self.cutoff(15, 40)
            for coverage in cp.coverages:
                coverage.end_date = day
            self.mark(cp, Code.NO_COVERAGE, after=day)

    def plant_managed_care_plans_ended(self) -> None:
        for cp in self.pick_clients(
            self.n(12),
            Code.MCP_ENROLLMENT_REQUIRED,
            lambda cp: _active(cp) and cp.primary().program_type in (PT.ECM, PT.CS),
        ):
            day = self.cutoff(20, 60)
            mcp = next(c for c in cp.coverages if c.payer.payer_type == Payer.PayerType.MCP)
            mcp.end_date = day
            cp.coverages.append(
                Coverage(
                    client=cp.obj,
                    payer=self.payers[Payer.PayerType.MEDI_CAL],
                    priority=max(c.priority for c in cp.coverages) + 1,
                    start_date=day + dt.timedelta(days=1),
                    insured_id=self.cin(),
                )
            )
            self.mark(cp, Code.MCP_ENROLLMENT_REQUIRED, program_type=cp.primary().program_type, after=day)

    def plant_diagnoses_ended(self) -> None:
        for cp in self.pick_clients(
            self.n(10),
            Code.DX_ENDED_BEFORE_DOS,
            lambda cp: _active(cp) and cp.primary().program_type in (PT.MH, PT.SUD),
        ):
            ep, day = cp.primary(), self.cutoff(20, 50)
            ep.dx[0].end_date = day
            self.mark(cp, Code.DX_ENDED_BEFORE_DOS, program_type=ep.program_type, after=day)

    def plant_unsigned_diagnosis_renewals(self) -> None:
        for cp in self.pick_clients(self.n(10), Code.DX_NOT_SIGNED, _active):
            ep, day = cp.primary(), self.cutoff(20, 50)
            old = ep.dx[0]
            old.end_date = day - dt.timedelta(days=1)
            renewed = DiagnosisDocument(client=cp.obj, program=old.program, effective_date=day, signed=False)
            renewed._demo_codes = old._demo_codes  # type: ignore[attr-defined]
            ep.dx.append(renewed)
            self.mark(
                cp, Code.DX_NOT_SIGNED, program_type=ep.program_type, before=None, after=day - dt.timedelta(days=1)
            )

    # -- authorizations ----------------------------------------------------------------------------

    def plant_lapsed_authorizations(self) -> None:
        """A TAR that ran out two months ago with its renewal still in progress."""
        for key, subtype, count in (("HOUSING_NAV", "homeless", 6), ("TENANCY", "housed", 3)):

            def of_subtype(cp: _ClientPlan, subtype: str = subtype) -> bool:
                return _active(cp) and cp.subtype == subtype

            for cp in self.pick_clients(self.n(count), Code.AUTHORIZATION_REQUIRED, of_subtype):
                auth = next(a for a in cp.auths if a.procedure is self.procedures[key])
                auth.end_date = self.prev_month - dt.timedelta(days=1)
                self.authorize(
                    cp,
                    key,
                    self.prev_month,
                    month_end(add_months(self.prev_month, 5)),
                    6,
                    status=Authorization.Status.IN_PROGRESS,
                )
                self.mark(cp, Code.AUTHORIZATION_REQUIRED, key=key, after=auth.end_date)

    def plant_exhausted_authorizations(self) -> None:
        """TARs approved for fewer months than were served."""
        for cp in self.pick_clients(
            self.n(6), Code.AUTHORIZATION_EXHAUSTED, lambda cp: _active(cp) and cp.subtype == "homeless"
        ):
            auth = next(a for a in cp.auths if a.procedure is self.procedures["HOUSING_NAV"])
            served = sorted(
                (sp for sp in cp.services if sp.spec.key == "HOUSING_NAV" and self.past(sp)),
                key=lambda sp: sp.obj.start,
            )
            auth.quantity = max(1, len(served) - 2)
            for sp in served[auth.quantity :]:
                sp.planted.add(Code.AUTHORIZATION_EXHAUSTED)

    # -- service-level problems on clients without a client-level one ------------------------------

    def plant_unsigned_notes(self) -> None:
        for _cp, sp in self.pick_services(self.n(95), lambda cp, sp: True):
            sp.obj.note_signed = False
            sp.planted.add(Code.NOTE_NOT_SIGNED)

    def plant_services_too_short_for_a_unit(self) -> None:
        minute_keys = {"TCM", "MEDS", "SUD_COUNSEL", "CARE_COORD"}
        for _cp, sp in self.pick_services(self.n(55), lambda cp, sp: sp.spec.key in minute_keys):
            sp.obj.duration_minutes = self.rng.randint(2, 7)
            sp.planted.add(Code.ZERO_UNITS)

    def plant_uncredentialed_clinicians(self) -> None:
        credentialed = {"PSYTX45", "PSYTX60", "SUD_COUNSEL", "CARE_COORD", "MEDS"}
        for cp, sp in self.pick_services(self.n(55), lambda cp, sp: sp.spec.key in credentialed):
            unqualified = [s for s in self.staff[cp.agency] if s.credential in (Cred.PEER, Cred.OTHER)]
            sp.obj.clinician = self.rng.choice(unqualified)
            sp.planted.add(Code.CLINICIAN_NOT_CREDENTIALED)

    def plant_expired_credentials(self) -> None:
        expired = {index: self.staff[index][slot] for index, slot in EXPIRED_STAFF_SLOT.items()}

        def lapsed(cp: _ClientPlan, sp: _ServicePlan) -> bool:
            staff = expired[cp.agency]
            assert staff.credential_expires is not None
            allowed = not sp.spec.credentials or staff.credential in sp.spec.credentials
            return allowed and sp.dos > staff.credential_expires

        for cp, sp in self.pick_services(self.n(50), lapsed):
            sp.obj.clinician = expired[cp.agency]
            sp.planted.add(Code.CREDENTIAL_EXPIRED)

    # -- new services that fail: engagement (no rate), second monthly ECM visits, crisis over 8 hours...

    def enrolled_mh_sud_clients(self) -> list[_ClientPlan]:
        return [
            cp
            for cp in self.clients
            if not cp.defect
            and cp.primary().program_type in (PT.MH, PT.SUD)
            and cp.primary().obj.status == Enrollment.Status.ENROLLED
        ]

    def plant_engagements_without_a_rate(self, mh_sud: list[_ClientPlan]) -> None:
        rng = self.rng
        for _ in range(self.n(45)):
            cp = rng.choice(mh_sud)
            ep = cp.primary()
            day = self.weekday_on_or_after(
                self.random_day(
                    max(ep.obj.enrolled_date or cp.enrolled, self.window_start), self.today - dt.timedelta(days=4)
                )
            )
            engagement = self.add_service(cp, ep, "ENGAGE", day, minutes=rng.randint(20, 60))
            if engagement:
                engagement.planted.add(Code.NO_MATCHING_RATE)

    def plant_duplicates(self) -> None:
        repeatable = {"PSYTX45", "PSYTX60", "TCM", "SUD_COUNSEL", "CARE_COORD"}
        for cp, sp in self.pick_services(self.n(55), lambda cp, sp: sp.spec.key in repeatable):
            sp.locked = True
            original = sp.obj
            copy = Service(
                client=original.client,
                program=original.program,
                procedure=original.procedure,
                clinician=original.clinician,
                location=original.location,
                start=original.start,
                duration_minutes=original.duration_minutes,
                mode_of_delivery=original.mode_of_delivery,
                note_signed=True,
            )
            cp.services.append(
                _ServicePlan(obj=copy, dos=sp.dos, spec=sp.spec, planted={Code.DUPLICATE_SERVICE}, late=True)
            )

    def plant_frequency(self) -> None:
        rng = self.rng
        options = []
        for cp in self.clients:
            if cp.defect:
                continue
            for sp in cp.services:
                # Not ECM enrollment (TAR quantity 1) nor financial management (12 for twice a month
                # over six months): an extra would use up the TAR too, a second reason.
                if self.past(sp) and not sp.planted and sp.spec.key == "ECM_CM":
                    options.append((cp, sp))
        for cp, sp in rng.sample(options, k=min(self.n(60), len(options))):
            ep = next(e for e in cp.enrollments if e.obj.program is sp.obj.program)
            if sp.spec.key == "FIN_MGMT":
                # A second service on the same date is an extra (distinct dates). Only on the month's
                # last one, so that no later service of the month is pushed over the limit too.
                later = [o for o in cp.services if o.spec.key == "FIN_MGMT" and sp.dos < o.dos <= month_end(sp.dos)]
                if later:
                    continue
                day = sp.dos
            else:
                day = self.weekday_on_or_after(sp.dos + dt.timedelta(days=rng.randint(1, 10)))
                if sp.spec.key == "ECM_CM" and (day > month_end(sp.dos)):
                    continue
            discharged = ep.obj.discharged_date
            if day > self.yesterday or (discharged is not None and day > discharged):
                continue
            sp.locked = True
            extra = self.add_service(cp, ep, sp.spec.key, day, minutes=rng.randint(30, 60), hour=17)
            if extra:
                extra.planted.add(Code.FREQUENCY_LIMIT_EXCEEDED)

    def plant_prerequisite(self) -> None:
        """Housing deposits before two months of housing navigation: for housed clients, who had
        none, and for homeless clients the day after their first navigation visit."""
        rng = self.rng
        candidates = [
            cp
            for cp in self.clients
            if not cp.defect
            and cp.subtype in ("housed", "homeless")
            and cp.primary().obj.status == Enrollment.Status.ENROLLED
            and not any(sp.spec.key == "HOUSING_DEP" for sp in cp.services)
        ]
        for cp in rng.sample(candidates, k=min(self.n(25), len(candidates))):
            ep = cp.primary()
            navigation = sorted(
                (sp for sp in cp.services if sp.spec.key == "HOUSING_NAV" and self.past(sp)), key=lambda sp: sp.dos
            )
            if navigation:
                day = self.weekday_on_or_after(navigation[0].dos + dt.timedelta(days=1))
                if day > month_end(navigation[0].dos) or day > self.yesterday:
                    continue
            else:
                first = max(ep.obj.enrolled_date or cp.enrolled, self.window_start)
                day = self.weekday_on_or_after(self.random_day(first, self.today - dt.timedelta(days=4)))
            sp = self.add_deposit(cp, ep, day)
            if sp:
                sp.planted.add(Code.PREREQUISITE_NOT_MET)

    def plant_billed_amount(self) -> None:
        """Housing deposits after two months of navigation whose billed amount is blank or above the
        5,000.00 maximum (BILLED_AMOUNT_INVALID)."""

        def ready(cp: _ClientPlan) -> bool:
            months = {month_start(sp.dos) for sp in cp.services if sp.spec.key == "HOUSING_NAV" and self.past(sp)}
            return (
                cp.subtype == "homeless"
                and cp.primary().obj.status == Enrollment.Status.ENROLLED
                and len(months) >= 2
                and not any(sp.spec.key == "HOUSING_DEP" for sp in cp.services)
            )

        for number, cp in enumerate(self.pick_clients(self.n(8), Code.BILLED_AMOUNT_INVALID, ready)):
            # The day after the navigation visit of the second month: two months of it came first.
            navigation = sorted(sp.dos for sp in cp.services if sp.spec.key == "HOUSING_NAV" and self.past(sp))
            second_month = sorted({month_start(day) for day in navigation})[1]
            second_visit = min(day for day in navigation if month_start(day) == second_month)
            day = self.weekday_on_or_after(second_visit + dt.timedelta(days=1))
            if day > self.yesterday:
                continue
            sp = self.add_deposit(cp, cp.primary(), day, Decimal("5250.00") if number % 2 else None)
            if sp:
                if number % 2 == 0:
                    sp.obj.billed_amount = None
                sp.planted.add(Code.BILLED_AMOUNT_INVALID)
        # And a few deposits already on file, typed above the maximum.
        for _cp, sp in self.pick_services(self.n(3), lambda cp, sp: sp.spec.key == "HOUSING_DEP"):
            sp.obj.billed_amount = Decimal("5000.01") + Decimal(self.rng.randrange(0, 50000)) / 100
            sp.planted.add(Code.BILLED_AMOUNT_INVALID)

    def plant_daily_maximum(self, mh_sud: list[_ClientPlan]) -> None:
        rng = self.rng
        mh = [cp for cp in mh_sud if cp.primary().program_type == PT.MH]
        for number in range(self.n(30)):
            cp = rng.choice(mh)
            ep = cp.primary()
            crisis_days = {sp.dos for sp in cp.services if sp.spec.key in ("CRISIS", "MEDS")}
            day = self.weekday_on_or_after(
                self.random_day(
                    max(ep.obj.enrolled_date or cp.enrolled, self.window_start), self.today - dt.timedelta(days=3)
                )
            )
            if day in crisis_days or day > self.yesterday:
                continue
            # Crisis intervention: 5 h in the morning and 4 h later on (8 h a day at most);
            # medication support: 2.5 h and 2 h (4 h at most).
            key, first, second = ("CRISIS", 300, 240) if number % 3 else ("MEDS", 150, 120)
            morning = self.add_service(cp, ep, key, day, minutes=first, hour=7)
            later = self.add_service(cp, ep, key, day, minutes=second, hour=15)
            if morning and later:
                morning.locked = True
                later.planted.add(Code.DAILY_MAXIMUM_EXCEEDED)

    def plant_timely_filing(self) -> None:
        """Services from 14-15 months ago entered late: without a delay reason code they fail."""
        rng = self.rng
        first = month_start(self.today, 15)
        last = month_end(month_start(self.today, 14))
        eligible = [
            cp
            for cp in self.clients
            if not cp.defect
            and cp.primary().program_type == PT.MH
            and (cp.primary().obj.enrolled_date or self.today) < first
            and cp.primary().obj.status == Enrollment.Status.ENROLLED
        ]
        chosen = rng.sample(eligible, k=min(self.n(20), len(eligible)))
        for number, cp in enumerate(chosen):
            ep = cp.primary()
            for _ in range(2):
                day = self.weekday_on_or_after(self.random_day(first, last - dt.timedelta(days=3)))
                sp = self.add_service(cp, ep, "PSYTX45", day, minutes=rng.randint(40, 52))
                if sp is None:
                    continue
                if number < len(chosen) // 4:
                    sp.obj.delay_reason_code = "11"  # entered late with a reason: passes
                else:
                    sp.planted.add(Code.TIMELY_FILING_LIMIT)

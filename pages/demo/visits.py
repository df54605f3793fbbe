"""The demo county's services (visits): each client's six months of services by program, the rate
of a procedure on a date, and the clinician who may provide it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clients.models import Staff
from pages.demo.base import (
    PT,
    CountyBase,
    ProcedureSpec,
    _ClientPlan,
    _EnrollmentPlan,
    _ServicePlan,
    add_months,
    month_end,
    month_start,
)
from services.models import Service


class Visits(CountyBase):
    def clinician_for(self, cp: _ClientPlan, spec: ProcedureSpec, dos: dt.date) -> Staff | None:
        pool = [
            s
            for s in self.staff[cp.agency]
            if (not spec.credentials or s.credential in spec.credentials)
            and (s.credential_expires is None or s.credential_expires >= dos)
        ]
        return self.rng.choice(pool) if pool else None

    def add_service(
        self,
        cp: _ClientPlan,
        ep: _EnrollmentPlan,
        key: str,
        day: dt.date,
        *,
        minutes: int,
        hour: int | None = None,
        clinician: Staff | None = None,
        other_status: str | None = None,
    ) -> _ServicePlan | None:
        spec = self.specs[key]
        clinician = clinician or self.clinician_for(cp, spec, day)
        if clinician is None:
            return None
        hour = hour if hour is not None else self.rng.randint(8, 16)
        minute = self.rng.choice((0, 15, 30, 45))
        start = self.at(day, hour, minute)
        while start in cp.used_starts:
            start += dt.timedelta(minutes=15)
        cp.used_starts.add(start)
        location = self.locations[3] if cp.homeless and self.rng.random() < 0.5 else self.rng.choice(self.locations[:3])
        obj = Service(
            client=cp.obj,
            program=ep.obj.program,
            procedure=self.procedures[key],
            clinician=clinician,
            location=location,
            start=start,
            duration_minutes=minutes,
            mode_of_delivery=Service.ModeOfDelivery.TELEHEALTH_VIDEO
            if location.place_of_service == "10"
            else Service.ModeOfDelivery.IN_PERSON,
            note_signed=True,
        )
        plan = _ServicePlan(obj=obj, dos=day, spec=spec, other_status=other_status)
        cp.services.append(plan)
        return plan

    def visit_days(self, first: dt.date, last: dt.date, every: tuple[int, int]) -> list[dt.date]:
        days = []
        day = first + dt.timedelta(days=self.rng.randint(0, every[1] - 1))
        while day <= last:
            weekday = self.weekday_on_or_after(day)
            if weekday <= last:
                days.append(weekday)
            day = weekday + dt.timedelta(days=self.rng.randint(*every))
        return days

    def months(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
        """(first, last) day of each calendar month overlapping [first, last], clipped to it."""
        spans = []
        month = month_start(first)
        while month <= last:
            spans.append((max(month, first), min(month_end(month), last)))
            month = month_start(month, -1)
        return spans

    def services_for(self, cp: _ClientPlan, ep: _EnrollmentPlan, first: dt.date, last: dt.date) -> None:
        rng = self.rng
        is_new = ep.obj.enrolled_date is not None and ep.obj.enrolled_date >= self.window_start
        if first > last:
            return
        if ep.program_type in (PT.MH, PT.SUD):
            mh = ep.program_type == PT.MH
            if is_new:
                self.add_service(
                    cp,
                    ep,
                    "ASSESS_MH" if mh else "ASSESS_SUD",
                    self.weekday_on_or_after(first),
                    minutes=rng.randint(60, 90),
                )
            for day in self.visit_days(first + dt.timedelta(days=3 if is_new else 0), last, (5, 11) if mh else (4, 9)):
                other = rng.choices((None, "no_show", "cancel", "error"), weights=(955, 25, 15, 5))[0]
                roll = rng.random()
                if mh:
                    if roll < 0.38:
                        self.add_service(cp, ep, "PSYTX45", day, minutes=rng.randint(38, 52), other_status=other)
                    elif roll < 0.52:
                        self.add_service(cp, ep, "PSYTX60", day, minutes=rng.randint(53, 68), other_status=other)
                    elif roll < 0.82:
                        self.add_service(
                            cp, ep, "TCM", day, minutes=rng.choice((15, 20, 25, 30, 45, 60)), other_status=other
                        )
                    elif roll < 0.92:
                        self.add_service(cp, ep, "MEDS", day, minutes=rng.choice((15, 20, 30, 45)), other_status=other)
                    elif roll < 0.96:
                        self.add_service(cp, ep, "CRISIS", day, minutes=rng.randint(60, 180))
                    else:
                        self.add_service(cp, ep, "NONBILL", day, minutes=rng.randint(5, 20), other_status=other)
                else:
                    if roll < 0.55:
                        self.add_service(
                            cp, ep, "SUD_COUNSEL", day, minutes=rng.choice((30, 45, 50, 60)), other_status=other
                        )
                    elif roll < 0.9:
                        self.add_service(
                            cp, ep, "CARE_COORD", day, minutes=rng.choice((15, 20, 30, 40)), other_status=other
                        )
                    else:
                        self.add_service(cp, ep, "NONBILL", day, minutes=rng.randint(5, 20), other_status=other)
            if rng.random() < 0.4 and ep.obj.discharged_date is None:
                day = self.weekday_on_or_after(self.today + dt.timedelta(days=rng.randint(1, 14)))
                self.add_service(cp, ep, "PSYTX45" if mh else "SUD_COUNSEL", day, minutes=45, other_status="scheduled")
            return
        months = self.months(first, last)
        if ep.program_type == PT.ECM:
            # The plan's TARs (seeds: enrollment 1, presumptive for a new client; case management 999).
            self.authorize(cp, "ECM_CM", month_start(first), month_end(last), 999)
            if is_new:
                self.authorize(cp, "ECM_ENROLL", first, month_end(last), 1, tar_number="", presumptive=True)
                self.add_service(cp, ep, "ECM_ENROLL", self.weekday_on_or_after(first), minutes=60)
            for month_first, month_last in months:
                day = self.weekday_on_or_after(self.random_day(month_first, month_last))
                if day <= month_last:
                    self.add_service(cp, ep, "ECM_CM", day, minutes=rng.randint(30, 90))
            for day in self.visit_days(first, last, (14, 28)):
                self.add_service(cp, ep, "NONBILL", day, minutes=rng.randint(5, 20))
            return
        # Community Supports: a TAR per six-month span for the procedures that need one.
        auth_first = month_start(first)
        auth_last = month_end(add_months(auth_first, 5))
        if cp.subtype == "homeless":
            self.authorize(cp, "HOUSING_NAV", auth_first, auth_last, 6)
            nav_months = 0
            deposit_done = False
            for month_first, month_last in months:
                day = self.weekday_on_or_after(self.random_day(month_first, month_last))
                if day > month_last:
                    continue
                self.add_service(cp, ep, "HOUSING_NAV", day, minutes=rng.randint(45, 120))
                nav_months += 1
                if nav_months >= 3 and not deposit_done and rng.random() < 0.25:
                    deposit_day = self.weekday_on_or_after(day + dt.timedelta(days=1))
                    if deposit_day <= month_last:
                        self.add_deposit(cp, ep, deposit_day)
                        deposit_done = True
        elif cp.subtype == "housed":
            self.authorize(cp, "TENANCY", auth_first, auth_last, 6)
            self.authorize(cp, "FIN_MGMT", auth_first, auth_last, 12)
            for month_first, month_last in months:
                day = self.weekday_on_or_after(self.random_day(month_first, month_last))
                if day <= month_last:
                    self.add_service(cp, ep, "TENANCY", day, minutes=rng.randint(30, 90))
                fin_days = sorted(
                    {self.weekday_on_or_after(self.random_day(month_first, month_last)) for _ in range(2)}
                )
                for fin_day in [d for d in fin_days if d <= month_last][:2]:
                    self.add_service(cp, ep, "FIN_MGMT", fin_day, minutes=rng.randint(30, 60))
        else:
            # Recuperative care after a hospital stay, billed in weekly spans, then post-hospitalization housing.
            stay = self.random_day(first, max(first, last - dt.timedelta(days=70)))
            self.authorize(cp, "RECUP", stay, stay + dt.timedelta(days=89), 90)
            post_first = stay + dt.timedelta(days=56)
            self.authorize(cp, "POST_HOSP", post_first, add_months(post_first, 6), 180)
            for week in range(8):
                day = stay + dt.timedelta(days=7 * week)
                if day + dt.timedelta(days=6) <= last:
                    self.add_service(cp, ep, "RECUP", day, minutes=6 * 24 * 60 + 60, hour=9)
            day = post_first
            while day + dt.timedelta(days=13) <= last:
                self.add_service(cp, ep, "POST_HOSP", day, minutes=13 * 24 * 60 + 60, hour=9)
                day += dt.timedelta(days=14)
        for day in self.visit_days(first, last, (20, 40)):
            self.add_service(cp, ep, "NONBILL", day, minutes=rng.randint(5, 20))

    def add_deposit(
        self, cp: _ClientPlan, ep: _EnrollmentPlan, day: dt.date, amount: Decimal | None = None
    ) -> _ServicePlan | None:
        """A housing deposit under its own TAR (quantity 1, two months from the day), billed at the
        amount paid (the rate is a maximum)."""
        self.authorize(cp, "HOUSING_DEP", day, add_months(day, 2), 1)
        sp = self.add_service(cp, ep, "HOUSING_DEP", day, minutes=30)
        if sp:
            sp.obj.billed_amount = amount or Decimal(self.rng.randrange(1200, 4800, 25))
        return sp

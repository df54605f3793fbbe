"""The demo county's reference data: agencies and their programs, staff, locations, payers, procedures
with their limits and rates (DOMAIN.md and shared/seeds/)."""

from __future__ import annotations

import datetime as dt

from clients.models import Agency, Location, Program, Staff
from clients.validators import npi_check_digit
from coverage.models import Payer
from pages.demo.base import PT, CountyBase, Cred, ProcedureSpec, U, add_months
from pages.demo.names import FIRST_NAMES, LAST_NAMES
from services.models import Procedure, ProcedureLimit, Rate

SUD_CREDS = (Cred.LPHA, Cred.SUD_CERTIFIED, Cred.SUD_REGISTERED)


def with_check_digit(first_nine: str) -> str:
    """A valid NPI from nine digits (claims need the check digit)."""
    return first_nine + npi_check_digit(first_nine)


PROCEDURES: tuple[ProcedureSpec, ...] = (
    # Common mental-health procedures.
    ProcedureSpec(
        "ASSESS_MH",
        "90791",
        "",
        "Psychiatric diagnostic evaluation (assessment)",
        U.SERVICE,
        "310.00",
        (Cred.LPHA, Cred.PRESCRIBER),
        fiscal_year_change=True,
    ),
    ProcedureSpec(
        "PSYTX45", "90834", "", "Psychotherapy, 45 minutes", U.SERVICE, "178.00", (Cred.LPHA,), fiscal_year_change=True
    ),
    ProcedureSpec(
        "PSYTX60", "90837", "", "Psychotherapy, 60 minutes", U.SERVICE, "236.00", (Cred.LPHA,), fiscal_year_change=True
    ),
    ProcedureSpec("TCM", "T1017", "", "Targeted case management", U.MINUTE, "46.00", fiscal_year_change=True),
    ProcedureSpec(
        "MEDS",
        "H2010",
        "",
        "Medication support services",
        U.MINUTE,
        "82.00",
        (Cred.PRESCRIBER,),
        fiscal_year_change=True,
    ),
    ProcedureSpec("CRISIS", "H2011", "", "Crisis intervention", U.MINUTE, "71.00", fiscal_year_change=True),
    # Substance use disorder (DMC-ODS); care coordination needs an LPHA or an SUD counselor (seed).
    ProcedureSpec(
        "ASSESS_SUD", "H0001", "", "SUD assessment (ASAM)", U.SERVICE, "165.00", SUD_CREDS, fiscal_year_change=True
    ),
    ProcedureSpec(
        "SUD_COUNSEL", "H0004", "", "SUD individual counseling", U.MINUTE, "38.00", SUD_CREDS, fiscal_year_change=True
    ),
    ProcedureSpec(
        "CARE_COORD",
        "H0006",
        "",
        "SUD care coordination",
        U.MINUTE,
        "35.00",
        SUD_CREDS,
        fiscal_year_change=True,
        transition_days=30,
    ),
    ProcedureSpec(
        "NONBILL", "NOBILL", "", "Non-billable: attempted contact or documentation", U.MINUTE, None, billable=False
    ),
    ProcedureSpec("ENGAGE", "H0023", "", "Engagement (outreach)", U.MINUTE, None),
    # CalAIM ECM and Community Supports (seeds/ecm-cs-billing-codes-and-tars.txt).
    ProcedureSpec("ECM_ENROLL", "G9012", "", "ECM enrollment", U.SERVICE, "150.00", requires_authorization=True),
    ProcedureSpec("ECM_CM", "G9012", "U2", "ECM case management", U.MONTH, "350.00", requires_authorization=True),
    ProcedureSpec("HOUSING_NAV", "H0043", "U6", "Housing navigation", U.MONTH, "386.00", requires_authorization=True),
    ProcedureSpec(
        "HOUSING_DEP", "H0044", "U2", "Housing deposit", U.SERVICE, "5000.00", requires_authorization=True, maximum=True
    ),
    ProcedureSpec(
        "POST_HOSP",
        "H0044",
        "U3",
        "Short-term post-hospitalization housing",
        U.DAY,
        "108.00",
        requires_authorization=True,
    ),
    ProcedureSpec(
        "FIN_MGMT",
        "T2040",
        "U6",
        "Financial management / sustaining services",
        U.SERVICE,
        "222.00",
        requires_authorization=True,
    ),
    ProcedureSpec("RECUP", "T2033", "U6", "Recuperative care", U.DAY, "190.00", requires_authorization=True),
    ProcedureSpec(
        "TENANCY",
        "T2041",
        "U6",
        "Housing tenancy and sustaining services",
        U.MONTH,
        "300.00",
        requires_authorization=True,
    ),
)

AGENCIES = (
    # name, program prefix, city, zip, program types
    ("Harbor Behavioral Health", "HBH", "San Diego", "92101", (PT.MH, PT.SUD, PT.ECM, PT.CS)),
    ("Mesa Recovery Services", "MRS", "El Cajon", "92020", (PT.MH, PT.SUD, PT.ECM)),
    ("Northstar Community Partners", "NCP", "Oceanside", "92054", (PT.MH, PT.SUD, PT.CS)),
)
PROGRAM_NAMES: dict[str, tuple[str, str]] = {
    PT.MH: ("OP-MH", "Adult Outpatient Mental Health"),
    PT.SUD: ("OP-SUD", "Outpatient SUD Treatment (DMC-ODS)"),
    PT.ECM: ("ECM", "Enhanced Care Management"),
    PT.CS: ("CS-HOUSING", "Community Supports: Housing"),
}
# Ten staff per agency; the first LPHA of agency 1 and 3 and the registered counselor of agency 2
# let their credential lapse a few weeks ago (CREDENTIAL_EXPIRED).
STAFF_CREDENTIALS = (
    Cred.LPHA,
    Cred.LPHA,
    Cred.LPHA,
    Cred.PRESCRIBER,
    Cred.SUD_CERTIFIED,
    Cred.SUD_CERTIFIED,
    Cred.SUD_REGISTERED,
    Cred.PEER,
    Cred.PEER,
    Cred.OTHER,
)
EXPIRED_STAFF_SLOT = {0: 0, 1: 6, 2: 0}  # agency index -> staff slot whose credential expired

LOCATIONS = (
    ("Clinic office", "11"),
    ("Telehealth (client's home)", "10"),
    ("Client's home", "12"),
    ("Homeless shelter", "04"),
    ("Community", "99"),
    ("School", "03"),
)
PAYERS = (
    # name, type, X12 payer id
    ("Medi-Cal", Payer.PayerType.MEDI_CAL, "610442"),
    ("Medi-Cal DMC", Payer.PayerType.MEDI_CAL_DMC, "610442"),
    ("Medicare", Payer.PayerType.MEDICARE, "01182"),
    ("Partnership HealthPlan of California", Payer.PayerType.MCP, "PHC01"),
    ("Blue Shield of California", Payer.PayerType.OHC, "94036"),
)
DX_CODES: dict[str, tuple[str, ...]] = {
    PT.MH: ("F32.9", "F33.1", "F41.1", "F43.10", "F20.9", "F31.9", "F43.12", "F25.0", "F32.1", "F43.23"),
    PT.SUD: ("F10.20", "F11.20", "F15.20", "F12.20", "F14.20", "F10.21", "F11.21"),
    PT.ECM: ("Z59.01", "Z59.02", "Z59.811", "Z59.41", "F32.9", "F20.9"),
    PT.CS: ("Z59.01", "Z59.02", "Z59.811", "Z59.41", "F33.1", "F10.20"),
}


class ReferenceData(CountyBase):
    def build_reference_data(self) -> None:
        rng = self.rng
        for index, (name, prefix, city, zip_code, types) in enumerate(AGENCIES):
            agency = Agency(
                name=name,
                address_street=f"{100 + 50 * index} Harbor Drive",
                address_city=city,
                address_state="CA",
                address_zip=zip_code,
                npi=with_check_digit(f"1{700000000 + index:08d}"[:9]),
                tax_id=f"33-{1000000 + index:07d}",
            )
            self.agencies.append(agency)
            for program_type in types:
                suffix, title = PROGRAM_NAMES[program_type]
                self.programs[(index, program_type)] = Program(
                    agency=agency,
                    code=f"{prefix}-{suffix}",
                    name=f"{name.split()[0]} {title}",
                    program_type=program_type,
                )
            team = []
            for slot, credential in enumerate(STAFF_CREDENTIALS):
                expires: dt.date | None = None
                if credential in (Cred.LPHA, Cred.PRESCRIBER, Cred.SUD_CERTIFIED, Cred.SUD_REGISTERED):
                    expires = self.today + dt.timedelta(days=rng.randint(60, 720))
                if EXPIRED_STAFF_SLOT.get(index) == slot:
                    expires = self.today - dt.timedelta(days=rng.randint(25, 45))
                team.append(
                    Staff(
                        agency=agency,
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(LAST_NAMES),
                        credential=credential,
                        credential_expires=expires,
                        npi=with_check_digit(f"1{rng.randint(100000000, 999999999)}"[:9])
                        if credential != Cred.OTHER
                        else "",
                    )
                )
            self.staff.append(team)
        self.locations = [Location(name=name, place_of_service=pos) for name, pos in LOCATIONS]
        self.payers = {kind: Payer(name=name, payer_type=kind, payer_id=payer_id) for name, kind, payer_id in PAYERS}
        for spec in PROCEDURES:
            self.procedures[spec.key] = Procedure(
                code=spec.code,
                modifier=spec.modifier,
                name=spec.name,
                billable=spec.billable,
                requires_note=True,
                requires_authorization=spec.requires_authorization,
                allowed_credentials=list(spec.credentials),
                unit=spec.unit,
                transition_days=spec.transition_days,
            )
            if spec.amount is None:
                continue
            long_ago = add_months(self.fy_start, -36)
            if spec.fiscal_year_change:
                self.rates.append(
                    Rate(
                        procedure=self.procedures[spec.key],
                        start_date=long_ago,
                        end_date=self.fy_start - dt.timedelta(days=1),
                        amount=self.rate_amount(spec, self.fy_start - dt.timedelta(days=1)),
                    )
                )
                self.rates.append(
                    Rate(procedure=self.procedures[spec.key], start_date=self.fy_start, amount=spec.amount)
                )
            else:
                self.rates.append(
                    Rate(
                        procedure=self.procedures[spec.key],
                        start_date=long_ago,
                        amount=spec.amount,
                        is_maximum=spec.maximum,
                    )
                )
        p = self.procedures
        L = ProcedureLimit.Period
        self.limits = [
            ProcedureLimit(procedure=p["ECM_ENROLL"], max_count=1, period=L.LIFETIME),
            ProcedureLimit(procedure=p["ECM_CM"], max_count=1, period=L.MONTH),
            ProcedureLimit(procedure=p["HOUSING_NAV"], max_count=1, period=L.MONTH),
            ProcedureLimit(procedure=p["HOUSING_DEP"], max_count=1, period=L.LIFETIME),
            ProcedureLimit(procedure=p["HOUSING_DEP"], prerequisite_procedure=p["HOUSING_NAV"], prerequisite_months=2),
            ProcedureLimit(procedure=p["FIN_MGMT"], max_count=2, period=L.MONTH, distinct_dates=True),
            ProcedureLimit(procedure=p["CRISIS"], max_minutes=8 * 60, period=L.DAY),
            ProcedureLimit(procedure=p["MEDS"], max_minutes=4 * 60, period=L.DAY),
        ]

"""Where staff fix each failure reason: the page (and section) a reason's "Fix it" link opens.

The messages and hints are the rule catalogue's (nightly.Rule); this only maps a code to a place.
Reasons fixed in reference data (rates, staff credentials) point county billing to the admin and
tell provider staff whom to ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from services.models import Service


@dataclass(frozen=True)
class Fix:
    label: str
    url: str


# code -> (where, label); where is a client record section or a service page.
_TARGETS: dict[str, tuple[str, str]] = {
    "FINANCIAL_INFO_INCOMPLETE": ("client#account", "Open the client account"),
    "DX_NONE_IN_PROGRAM": ("client#diagnoses", "Open the client's diagnoses"),
    "DX_EFFECTIVE_AFTER_DOS": ("client#diagnoses", "Open the client's diagnoses"),
    "DX_ENDED_BEFORE_DOS": ("client#diagnoses", "Open the client's diagnoses"),
    "DX_NOT_SIGNED": ("client#diagnoses", "Open the client's diagnoses to sign"),
    "NOTE_NOT_SIGNED": ("service-correct", "Correct the service (note signed)"),
    "NOT_ENROLLED_ON_DOS": ("client#programs", "Open the program assignments"),
    "NO_COVERAGE": ("client#coverage", "Open the client's coverage"),
    "INSURED_ID_MISSING": ("client#coverage", "Open the client's coverage"),
    "SUBSCRIBER_NOT_CLIENT": ("client#coverage", "Open the client's coverage"),
    "MCP_ENROLLMENT_REQUIRED": ("client#coverage", "Open the client's coverage"),
    "ADDRESS_INCOMPLETE": ("client-edit", "Edit the client's address"),
    "CLINICIAN_NOT_CREDENTIALED": ("service-correct", "Correct the procedure"),
    "ZERO_UNITS": ("service-correct", "Correct the duration"),
    "AUTHORIZATION_REQUIRED": ("client#authorizations", "Open the client's authorizations"),
    "AUTHORIZATION_EXHAUSTED": ("client#authorizations", "Open the client's authorizations"),
    "FREQUENCY_LIMIT_EXCEEDED": ("client#services", "Compare with the client's services"),
    "DAILY_MAXIMUM_EXCEEDED": ("client#services", "Compare with the client's services"),
    "PREREQUISITE_NOT_MET": ("client#services", "Compare with the client's services"),
    "DUPLICATE_SERVICE": ("service-mark-error", "Put the duplicate in Error"),
    "TIMELY_FILING_LIMIT": ("service-correct", "Enter the delay reason code"),
    "BILLED_AMOUNT_INVALID": ("service-correct", "Correct the billed amount"),
    # The rate follows the billed plan: the coverage first, then the rates (the note below).
    "NO_MATCHING_RATE": ("client#coverage", "Check the client's coverage first"),
}
# Fixed in reference data kept by county billing (the admin), not on the client or the service.
REFERENCE_DATA_CODES = {
    "CREDENTIAL_EXPIRED": "Ask county billing to update the clinician's credential.",
    "NO_MATCHING_RATE": "If the coverage is right, ask county billing to add a rate for this procedure.",
}


def fix_for(code: str, service: Service) -> Fix | None:
    target = _TARGETS.get(code)
    if target is None:
        return None
    where, label = target
    if where.startswith("client#"):
        url = reverse("client-detail", kwargs={"pk": service.client_id}) + "#" + where.split("#", 1)[1]
    elif where == "client-edit":
        url = reverse("client-edit", kwargs={"pk": service.client_id})
    else:
        url = reverse(where, kwargs={"pk": service.pk})
    return Fix(label=label, url=url)


def reference_data_note(code: str) -> str:
    return REFERENCE_DATA_CODES.get(code, "")

"""Where staff fix each failure reason: the page (and section) a reason's "Fix it" link opens.

The messages, hints and codes are the rule catalogue's (nightly.Rule, nightly.catalogue.Code); this
only maps a code to a place.
Reasons fixed in reference data (rates, staff credentials) point county billing to the admin and
tell provider staff whom to ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from nightly.catalogue import Code
from services.models import Service


@dataclass(frozen=True)
class Fix:
    label: str
    url: str


# code -> (where, label); where is a client record section or a service page.
_TARGETS: dict[str, tuple[str, str]] = {
    Code.FINANCIAL_INFO_INCOMPLETE: ("client#account", "Open the client account"),
    Code.DX_NONE_IN_PROGRAM: ("client#diagnoses", "Open the client's diagnoses"),
    Code.DX_EFFECTIVE_AFTER_DOS: ("client#diagnoses", "Open the client's diagnoses"),
    Code.DX_ENDED_BEFORE_DOS: ("client#diagnoses", "Open the client's diagnoses"),
    Code.DX_NOT_SIGNED: ("client#diagnoses", "Open the client's diagnoses to sign"),
    Code.NOTE_NOT_SIGNED: ("service-correct", "Correct the service (note signed)"),
    Code.NOT_ENROLLED_ON_DOS: ("client#programs", "Open the program assignments"),
    Code.NO_COVERAGE: ("client#coverage", "Open the client's coverage"),
    Code.INSURED_ID_MISSING: ("client#coverage", "Open the client's coverage"),
    Code.SUBSCRIBER_NOT_CLIENT: ("client#coverage", "Open the client's coverage"),
    Code.MCP_ENROLLMENT_REQUIRED: ("client#coverage", "Open the client's coverage"),
    Code.ADDRESS_INCOMPLETE: ("client-edit", "Edit the client's address"),
    Code.CLINICIAN_NOT_CREDENTIALED: ("service-correct", "Correct the procedure"),
    Code.ZERO_UNITS: ("service-correct", "Correct the duration"),
    Code.AUTHORIZATION_REQUIRED: ("client#authorizations", "Open the client's authorizations"),
    Code.AUTHORIZATION_EXHAUSTED: ("client#authorizations", "Open the client's authorizations"),
    Code.FREQUENCY_LIMIT_EXCEEDED: ("client#services", "Compare with the client's services"),
    Code.DAILY_MAXIMUM_EXCEEDED: ("client#services", "Compare with the client's services"),
    Code.PREREQUISITE_NOT_MET: ("client#services", "Compare with the client's services"),
    Code.DUPLICATE_SERVICE: ("service-mark-error", "Put the duplicate in Error"),
    Code.TIMELY_FILING_LIMIT: ("service-correct", "Enter the delay reason code"),
    Code.BILLED_AMOUNT_INVALID: ("service-correct", "Correct the billed amount"),
    # The rate follows the billed plan: the coverage first, then the rates (the note below).
    Code.NO_MATCHING_RATE: ("client#coverage", "Check the client's coverage first"),
}
# Fixed in reference data kept by county billing (the admin), not on the client or the service.
REFERENCE_DATA_CODES: dict[str, str] = {
    Code.CREDENTIAL_EXPIRED: "Ask county billing to update the clinician's credential.",
    Code.NO_MATCHING_RATE: "If the coverage is right, ask county billing to add a rate for this procedure.",
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

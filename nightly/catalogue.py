"""The rule catalogue of DOMAIN.md: code, the message staff see, and the resolution hint.

The data migration seeds the Rule table from this list; the county may then edit messages, hints,
`enabled` and the effective dates in the admin. Codes are stable identifiers.
"""

from __future__ import annotations

from typing import NamedTuple


class RuleEntry(NamedTuple):
    code: str
    message: str
    resolution_hint: str


# The hint of NO_MATCHING_RATE sends staff to the coverage first: the rate depends on the billed plan
# (DOMAIN.md). The older text is kept so the data migration updates only a hint nobody edited.
NO_MATCHING_RATE_HINT_BEFORE = (
    "Check the procedure and program of the service; ask county billing to add a rate effective on the date of service."
)
NO_MATCHING_RATE_HINT = (
    "Check the client's coverage first: the rate follows the billed plan (an ECM or Community Supports service "
    "bills the managed care plan). Then check the procedure and program; ask county billing to add a rate "
    "effective on the date of service."
)

CATALOGUE: tuple[RuleEntry, ...] = (
    RuleEntry(
        "FINANCIAL_INFO_INCOMPLETE",
        "Financial Information has Not Been Completed for this Client",
        "Tick Financial Information is Complete in the Client Account once coverage is entered.",
    ),
    RuleEntry(
        "DX_NONE_IN_PROGRAM",
        "Billing Diagnosis Required: NO DX in Program of Service",
        "Enter the diagnosis in the program of the service, effective on or before the date of service, and sign it.",
    ),
    RuleEntry(
        "DX_EFFECTIVE_AFTER_DOS",
        "Billing Diagnosis Required: First DX Effective Date AFTER Date of Service",
        "Move the diagnosis effective date back to on or before the date of service, or add an earlier diagnosis.",
    ),
    RuleEntry(
        "DX_ENDED_BEFORE_DOS",
        "Billing Diagnosis Required: DX on file ended before Date of Service",
        "Add a diagnosis in the program that covers the date of service (or extend the end date), and sign it.",
    ),
    RuleEntry(
        "DX_NOT_SIGNED",
        "Billing Diagnosis Required: DX on file is not signed",
        "Open the client's diagnosis covering the date of service and sign it.",
    ),
    RuleEntry(
        "NOTE_NOT_SIGNED",
        "Must Have a Signed Note Before Completing Service",
        "The clinician signs the progress note of the service.",
    ),
    RuleEntry(
        "NOT_ENROLLED_ON_DOS",
        "Client is Not Enrolled in the Program on the Date of Service",
        "Check the program assignment: the enrolled date must be on or before the date of service, and any discharge on or after it.",
    ),
    RuleEntry(
        "NO_COVERAGE",
        "No Coverage Plan Time Span Covers the Date of Service",
        "Add the client's coverage plan with a time span that includes the date of service.",
    ),
    RuleEntry(
        "INSURED_ID_MISSING",
        "Coverage Plan has No Insured ID (CIN)",
        "Enter the insured ID (the CIN for Medi-Cal) on the client's coverage plan.",
    ),
    RuleEntry(
        "SUBSCRIBER_NOT_CLIENT",
        "Client Must Be the Subscriber on Medi-Cal Coverage",
        "On the Medi-Cal coverage plan, set the client as the subscriber.",
    ),
    RuleEntry(
        "ADDRESS_INCOMPLETE",
        "Client Address or its Components are Missing. Please Check Client Information",
        "Enter street, city, state and zip on separate lines and tick the billing box; for a homeless client enter HOMELESS and the agency's city, state and zip.",
    ),
    RuleEntry(
        "CLINICIAN_NOT_CREDENTIALED",
        "Clinician's License/Degree Cannot Bill This Procedure",
        "Choose a procedure the clinician's credential may bill, or have a credentialed clinician provide the service.",
    ),
    RuleEntry(
        "CREDENTIAL_EXPIRED",
        "Active Credential is Required for the Staff Associated to this Service",
        "Update the clinician's credential expiry date once the credential is renewed.",
    ),
    RuleEntry(
        "NO_MATCHING_RATE",
        "Unable to Find a Matching Rate for the Selected Procedure",
        NO_MATCHING_RATE_HINT,
    ),
    RuleEntry(
        "ZERO_UNITS",
        "Service Time is Below the Minimum Billable Time for this Procedure",
        "Correct the duration: a time-based service needs at least 8 minutes to bill a unit.",
    ),
    RuleEntry(
        "AUTHORIZATION_REQUIRED",
        "Authorization is Required",
        "Request a TAR for the procedure and enter it as approved with a span covering the date of service.",
    ),
    RuleEntry(
        "AUTHORIZATION_EXHAUSTED",
        "Authorized Quantity Has Been Used",
        "Request a new or extended authorization for the extra units.",
    ),
    RuleEntry(
        "FREQUENCY_LIMIT_EXCEEDED",
        "Procedure Billed More Often Than Allowed",
        "Check for services entered twice; mark the extra service in Error or correct its procedure.",
    ),
    RuleEntry(
        "DAILY_MAXIMUM_EXCEEDED",
        "Daily Maximum Time Exceeded for this Procedure",
        "Check the durations of the client's services of this procedure on that day.",
    ),
    RuleEntry(
        "MCP_ENROLLMENT_REQUIRED",
        "Client Must Be Enrolled in a Medi-Cal Managed Care Plan",
        "Enter the client's Medi-Cal managed care plan coverage in effect on the date of service.",
    ),
    RuleEntry(
        "PREREQUISITE_NOT_MET",
        "Required Prior Services Not Found",
        "Enter the required prior services first (e.g. two months of housing navigation before a housing deposit).",
    ),
    RuleEntry(
        "DUPLICATE_SERVICE",
        "Duplicate Service",
        "Another service has the same client, procedure, clinician and start: mark the duplicate in Error.",
    ),
    RuleEntry(
        "TIMELY_FILING_LIMIT",
        "Timely Filing Limit – Delay Reason Code Required",  # noqa: RUF001 (DOMAIN.md's exact wording)
        "Enter the delay reason code that explains why the service is billed late.",
    ),
    RuleEntry(
        "BILLED_AMOUNT_INVALID",
        "Billed Amount is Missing or Above the Maximum Rate",
        "Enter the billed amount of the service (e.g. the actual deposit): more than zero and at most the "
        "procedure's maximum rate.",
    ),
)

CODES: tuple[str, ...] = tuple(entry.code for entry in CATALOGUE)

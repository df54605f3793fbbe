from django.db import migrations

# A frozen copy of the rule catalogue (code, message, resolution hint) as it was when this migration
# was written: a literal, so later edits to nightly/catalogue.py never change what it seeds. Such
# edits come with their own data migration.
CATALOGUE = (
    (
        "FINANCIAL_INFO_INCOMPLETE",
        "Financial Information has Not Been Completed for this Client",
        "Tick Financial Information is Complete in the Client Account once coverage is entered.",
    ),
    (
        "DX_NONE_IN_PROGRAM",
        "Billing Diagnosis Required: NO DX in Program of Service",
        "Enter the diagnosis in the program of the service, effective on or before the date of service, and sign it.",
    ),
    (
        "DX_EFFECTIVE_AFTER_DOS",
        "Billing Diagnosis Required: First DX Effective Date AFTER Date of Service",
        "Move the diagnosis effective date back to on or before the date of service, or add an earlier diagnosis.",
    ),
    (
        "DX_ENDED_BEFORE_DOS",
        "Billing Diagnosis Required: DX on file ended before Date of Service",
        "Add a diagnosis in the program that covers the date of service (or extend the end date), and sign it.",
    ),
    (
        "DX_NOT_SIGNED",
        "Billing Diagnosis Required: DX on file is not signed",
        "Open the client's diagnosis covering the date of service and sign it.",
    ),
    (
        "NOTE_NOT_SIGNED",
        "Must Have a Signed Note Before Completing Service",
        "The clinician signs the progress note of the service.",
    ),
    (
        "NOT_ENROLLED_ON_DOS",
        "Client is Not Enrolled in the Program on the Date of Service",
        "Check the program assignment: the enrolled date must be on or before the date of service, and any discharge on or after it.",
    ),
    (
        "NO_COVERAGE",
        "No Coverage Plan Time Span Covers the Date of Service",
        "Add the client's coverage plan with a time span that includes the date of service.",
    ),
    (
        "INSURED_ID_MISSING",
        "Coverage Plan has No Insured ID (CIN)",
        "Enter the insured ID (the CIN for Medi-Cal) on the client's coverage plan.",
    ),
    (
        "SUBSCRIBER_NOT_CLIENT",
        "Client Must Be the Subscriber on Medi-Cal Coverage",
        "On the Medi-Cal coverage plan, set the client as the subscriber.",
    ),
    (
        "ADDRESS_INCOMPLETE",
        "Client Address or its Components are Missing. Please Check Client Information",
        "Enter street, city, state and zip on separate lines and tick the billing box; for a homeless client enter HOMELESS and the agency's city, state and zip.",
    ),
    (
        "CLINICIAN_NOT_CREDENTIALED",
        "Clinician's License/Degree Cannot Bill This Procedure",
        "Choose a procedure the clinician's credential may bill, or have a credentialed clinician provide the service.",
    ),
    (
        "CREDENTIAL_EXPIRED",
        "Active Credential is Required for the Staff Associated to this Service",
        "Update the clinician's credential expiry date once the credential is renewed.",
    ),
    (
        "NO_MATCHING_RATE",
        "Unable to Find a Matching Rate for the Selected Procedure",
        "Check the procedure and program of the service; ask county billing to add a rate effective on the date of service.",
    ),
    (
        "ZERO_UNITS",
        "Service Time is Below the Minimum Billable Time for this Procedure",
        "Correct the duration: a time-based service needs at least 8 minutes to bill a unit.",
    ),
    (
        "AUTHORIZATION_REQUIRED",
        "Authorization is Required",
        "Request a TAR for the procedure and enter it as approved with a span covering the date of service.",
    ),
    (
        "AUTHORIZATION_EXHAUSTED",
        "Authorized Quantity Has Been Used",
        "Request a new or extended authorization for the extra units.",
    ),
    (
        "FREQUENCY_LIMIT_EXCEEDED",
        "Procedure Billed More Often Than Allowed",
        "Check for services entered twice; mark the extra service in Error or correct its procedure.",
    ),
    (
        "DAILY_MAXIMUM_EXCEEDED",
        "Daily Maximum Time Exceeded for this Procedure",
        "Check the durations of the client's services of this procedure on that day.",
    ),
    (
        "MCP_ENROLLMENT_REQUIRED",
        "Client Must Be Enrolled in a Medi-Cal Managed Care Plan",
        "Enter the client's Medi-Cal managed care plan coverage in effect on the date of service.",
    ),
    (
        "PREREQUISITE_NOT_MET",
        "Required Prior Services Not Found",
        "Enter the required prior services first (e.g. two months of housing navigation before a housing deposit).",
    ),
    (
        "DUPLICATE_SERVICE",
        "Duplicate Service",
        "Another service has the same client, procedure, clinician and start: mark the duplicate in Error.",
    ),
    (
        "TIMELY_FILING_LIMIT",
        "Timely Filing Limit – Delay Reason Code Required",
        "Enter the delay reason code that explains why the service is billed late.",
    ),
)


def seed(apps, schema_editor):
    Rule = apps.get_model("nightly", "Rule")
    for position, (code, message, resolution_hint) in enumerate(CATALOGUE, start=1):
        Rule.objects.update_or_create(
            code=code,
            defaults={"message": message, "resolution_hint": resolution_hint, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("nightly", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

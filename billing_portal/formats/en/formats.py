"""The county's date format on every page: MM/DD/YYYY, as SmartCare users read it.

Django's own `en` formats write "Dec. 1, 2026"; these win where a template prints a date without a
format (`{{ run.as_of }}`) and in the Django admin. Inputs stay ISO (native date pickers send
YYYY-MM-DD), and so do the API and the exported files.
"""

DATE_FORMAT = "m/d/Y"
SHORT_DATE_FORMAT = "m/d/Y"
DATETIME_FORMAT = "m/d/Y H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
MONTH_DAY_FORMAT = "m/d"

"""One table of billing addresses, checked against both readings of ADDRESS_INCOMPLETE: the client
record's instant feedback (`clients.address.check_address`, tests/pages/test_client_pages.py) and the
nightly rule's SQL (`nightly.rules.address`, tests/nightly/test_address_cases.py).

(street, city, state, zip, billing box ticked, the problem staff see or None)
"""

ADDRESS_CASES = [
    ("123 Main St", "San Diego", "CA", "92101", True, None),
    ("123 Main St", "San Diego", "CA", "921011234", True, None),
    ("123 Main St", "San Diego", "CA", "92101-1234", True, None),
    ("", "San Diego", "CA", "92101", True, "Street is missing."),
    ("123 Main St", "", "CA", "92101", True, "City is missing."),
    ("123 Main St", "San Diego", "Cal", "92101", True, "State must be a 2-letter code (e.g. CA)."),
    ("123 Main St", "San Diego", "C1", "92101", True, "State must be a 2-letter code (e.g. CA)."),
    ("123 Main St", "San Diego", "CA", "9210", True, "Zip must have 5 or 9 digits."),
    ("123 Main St", "San Diego", "CA", "92101", False, "The billing address box is not ticked."),
    (
        "123 Main St, San Diego, CA 92101",
        "San Diego",
        "CA",
        "92101",
        True,
        "The whole address seems typed on the street line; put city, state and zip in their fields.",
    ),
    (
        "123 Main St CA 92101",
        "San Diego",
        "CA",
        "92101",
        True,
        "The whole address seems typed on the street line; put city, state and zip in their fields.",
    ),
    # HOMELESS is a valid street, but the city, state and zip lines must still be filled and valid.
    ("HOMELESS", "San Diego", "CA", "92101", True, None),
    ("HOMELESS", "Chula Vista", "CA", "91910", True, None),  # any valid values pass
]

from django.core.exceptions import ValidationError


class UppercaseAndDigitValidator:
    """SmartCare's password rule: at least one uppercase letter and one number."""

    def validate(self, password: str, user: object = None) -> None:
        if not any(ch.isupper() for ch in password) or not any(ch.isdigit() for ch in password):
            raise ValidationError(
                "The password must contain at least one uppercase letter and one number.",
                code="password_needs_upper_and_digit",
            )

    def get_help_text(self) -> str:
        return "Your password must contain at least one uppercase letter and one number."

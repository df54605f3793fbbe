"""Encryption of the SSN column (Fernet) and the keyed digest used to find duplicate SSNs."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


def _key() -> bytes:
    if settings.FIELD_ENCRYPTION_KEY:
        return settings.FIELD_ENCRYPTION_KEY.encode()
    return base64.urlsafe_b64encode(hashlib.sha256(settings.SECRET_KEY.encode()).digest())


def encrypt(plain: str) -> str:
    return Fernet(_key()).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return Fernet(_key()).decrypt(token.encode()).decode()


def ssn_digest(digits: str) -> str:
    return hmac.new(_key(), digits.encode(), hashlib.sha256).hexdigest()

"""Password hashing with argon2id (argon2-cffi, the `web` extra) and the one password rule we enforce."""

from __future__ import annotations

from functools import cache
from typing import Any

from pxrules.errors import AccountError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 would hash a megabyte happily; a sign-in form should not make it


@cache
def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:  # pragma: no cover - the web extra is installed wherever accounts are used
        raise AccountError("accounts need the web extra: pip install 'pxrules[web]'") from exc
    return PasswordHasher()


def available() -> bool:
    """Whether argon2-cffi is installed (the demo makes its account only then)."""
    try:
        _hasher()
    except AccountError:
        return False
    return True


def check_strength(password: str) -> None:
    """AccountError unless the password is long enough (length beats composition rules; NCSC guidance)."""
    if len(password) < MIN_LENGTH:
        raise AccountError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise AccountError(f"a password may have at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    """The argon2id hash (with its own salt and parameters) of a password that passes check_strength."""
    check_strength(password)
    return str(_hasher().hash(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash (never raises for a wrong or malformed one)."""
    if len(password) > MAX_LENGTH:
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: list[str] = []


def burn_time(password: str) -> None:
    """Hash against a fixed dummy, so an unknown email takes as long as a wrong password (no probing by timing)."""
    if not _DUMMY:
        _DUMMY.append(_hasher().hash("not-a-real-password-for-timing"))
    verify_password(_DUMMY[0], password[:MAX_LENGTH])

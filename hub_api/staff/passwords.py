"""Passwords: hashing, checking in constant time, and refusing weak ones.

Weak means shorter than 12 characters, on zxcvbn's list of 30,000 passwords most common in
breaches (shipped inside the ``zxcvbn`` package: no outside call), or guessable by zxcvbn's
estimator (score below 3). This module is the only one that reads zxcvbn's word list;
``tests/test_passwords.py`` breaks if the package stops shipping it.
"""

from __future__ import annotations

import functools

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 1024  # scrypt of a megabyte is a denial of service, not a password
ESTIMATE_CHARS = 100  # zxcvbn is quadratic; past this a password is long enough anyway


class PasswordError(ValueError):
    """A password that is refused, with the reason in words."""


@functools.cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown accounts against, so they take as long as known ones; made on
    first use, not at import (scrypt is slow on purpose)."""
    return generate_password_hash("candor-dummy-password", method="scrypt")


def weakness(password: str, hints: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is refused, or ``None``. ``hints`` (name, email) count as guessable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters (a few unrelated words work well)."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in _common():
        return "That password is on a list of common passwords from data breaches."
    from zxcvbn import zxcvbn

    words = [h for hint in hints for h in hint.replace("@", " ").replace(".", " ").split()]
    result = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=words)
    if result["score"] < 3:
        warning = result["feedback"]["warning"] or "It would be guessed quickly."
        return f"That password is too easy to guess. {warning}".strip()
    return None


def check_strength(password: str, hints: tuple[str, ...] = ()) -> None:
    """Raise ``PasswordError`` with the reason when ``password`` is weak."""
    reason = weakness(password, hints)
    if reason:
        raise PasswordError(reason)


def hash_password(password: str) -> str:
    """scrypt, Werkzeug's default, with a fresh salt."""
    return generate_password_hash(password, method="scrypt")


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; an account without a password (invited, or single
    sign-on only) or an unknown one is checked against a dummy hash and fails."""
    password = password[:MAX_LENGTH]
    if not stored_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored_hash, password)

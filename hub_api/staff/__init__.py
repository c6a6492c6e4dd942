"""Staff identity: sign-in (password, single sign-on, passkeys, second factor), sessions,
accounts and invitations, people and topics, API tokens, the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Attach every staff capability (imported here: ``people`` is read by the site build)."""
    from . import (
        audit,
        auth,
        directory,
        invites,
        oidc,
        passkeys,
        people,
        second_factor,
        sessions,
        tokens,
        totp,
    )

    for module in (auth, sessions, second_factor, totp, invites, directory, audit, people,
                   oidc, passkeys, tokens):
        module.init_app(app)

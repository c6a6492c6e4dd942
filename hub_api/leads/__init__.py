"""Leads: what the hub tells the people who sell: contact requests, outreach, responsiveness
figures and the owners' digest."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the responsiveness, digest, outreach and contact-request parts."""
    from . import contact, digest, outreach, responsiveness

    responsiveness.init_app(app)
    digest.init_app(app)
    outreach.init_app(app)
    contact.init_app(app)

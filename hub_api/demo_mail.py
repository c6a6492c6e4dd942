"""Demo mode's mail catcher: every mail the hub sends is kept on this machine and readable
by an admin at ``/staff/demo-mail/``, so ``make demo`` shows routing mails, reminders,
confirmations, contact requests and the digest without any outside service.

Only with ``CANDOR_DEMO=1`` (``make demo`` sets it): ``candor serve`` then starts an aiosmtpd
server on a free loopback port and points ``SMTP_URL`` at it, unless a real one is set.
Mail is caught at the SMTP level, so it is exactly what a real server would receive. The
messages are files in ``<instance>/demo-mail/``; the page is 404 unless demo mode is on.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
import secrets
import socket
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, render_template

from .staff.auth import require_role

bp = Blueprint("demo_mail", __name__, url_prefix="/staff/demo-mail")
NAME = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}\.eml")
PAGE_LIMIT = 200
HTML_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def folder(app: Flask) -> Path:
    return Path(app.config["INSTANCE"]) / "demo-mail"


class Catcher:
    """The aiosmtpd handler: each message becomes one ``.eml`` file, named by arrival."""

    def __init__(self, target: Path) -> None:
        self.target = target

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook
        self.target.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        name = f"{stamp}-{secrets.token_hex(4)}.eml"
        tmp = self.target / f".{name}.tmp"
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.replace(self.target / name)
        return "250 Message accepted for delivery"


def start_catcher(app: Flask):
    """Start the catcher on a free loopback port and send the app's mail to it; returns the
    aiosmtpd controller (``stop()`` it when done)."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Catcher(folder(app)), hostname="127.0.0.1", port=port)
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    return controller


def _demo_only() -> None:
    if not current_app.config.get("DEMO"):
        abort(404)


def _read(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def _message(name: str) -> EmailMessage:
    if not NAME.fullmatch(name):
        abort(404)
    path = folder(current_app) / name
    if not path.is_file():
        abort(404)
    return _read(path)


@bp.get("/")
@require_role("admin")
def index():
    """Caught mail, newest first."""
    _demo_only()
    paths = sorted(folder(current_app).glob("*.eml"), reverse=True)
    rows = []
    for path in paths[:PAGE_LIMIT]:
        message = _read(path)
        rows.append({"name": path.name, "to": message.get("To", ""),
                     "subject": message.get("Subject", ""), "date": path.name[:16]})
    return render_template("staff/demo_mail.html", rows=rows, total=len(paths))


@bp.get("/<name>")
@require_role("admin")
def show(name: str):
    """One caught mail: its headers and plain text, with a link to its HTML part."""
    _demo_only()
    message = _message(name)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return render_template("staff/demo_mail_message.html", name=name, message=message,
                           text=text.get_content() if text else "", has_html=html is not None)


@bp.get("/<name>/html")
@require_role("admin")
def show_html(name: str):
    """The HTML part as the recipient's client would get it, sandboxed (no script, nothing
    remote, no cookies reachable)."""
    _demo_only()
    html = _message(name).get_body(("html",))
    if html is None:
        abort(404)
    response = current_app.make_response(html.get_content())
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = HTML_CSP
    return response

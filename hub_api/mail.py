"""Sending mail through ``CANDOR_SMTP_URL`` (``smtp://[user:password@]host:port``).

Mail only ever goes to an asker who opted in. Logs name the purpose of a message, never
its recipient, so no address reaches a log file.
"""

from __future__ import annotations

import logging
import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from flask import current_app

from .operations.metrics import mail_result

logger = logging.getLogger(__name__)


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server."""


def send_mail(to: str, subject: str, body: str, *, purpose: str,
              headers: dict[str, str] | None = None, html: str | None = None,
              from_name: str | None = None, reply_to: str | None = None) -> bool:
    """Send one message (plain text, plus ``html`` as an alternative when given);
    ``False`` when no SMTP server is configured.

    ``from_name`` names a person while the address stays the hub's own (so the receiving
    side's SPF/DMARC checks pass); ``reply_to`` sends answers to that person.
    """
    url = current_app.config.get("SMTP_URL")
    if not url:
        logger.info("mail off (no CANDOR_SMTP_URL): %s not sent", purpose)
        return False
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtp+starttls"} or not parts.hostname:
        raise MailError(f"CANDOR_SMTP_URL must look like smtp://host:port, not {parts.scheme}://")
    message = EmailMessage()
    sender = current_app.config.get("MAIL_FROM", "candor@localhost")
    if from_name:
        name = " ".join(from_name.split())  # one line: no header can be added through a name
        message["From"] = Address(display_name=name, addr_spec=parseaddr(sender)[1] or sender)
    else:
        message["From"] = sender
    if reply_to:
        message["Reply-To"] = reply_to
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="candor.invalid")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    try:
        with smtplib.SMTP(parts.hostname, parts.port or 25, timeout=10) as smtp:
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        mail_result(purpose, ok=False)
        raise MailError(f"{purpose}: {type(exc).__name__}") from exc
    mail_result(purpose, ok=True)
    logger.info("mail sent: %s", purpose)
    return True

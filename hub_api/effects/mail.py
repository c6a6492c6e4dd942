"""Sending mail through ``CANDOR_SMTP_URL`` (``smtp://[user:password@]host:port``).

Nothing here runs in a request: a ``Mail`` is queued in the outbox with the change that
causes it (``outbox.queue_mail``) and the leader hands it to the SMTP server, outside any
transaction and within a hard deadline, with a Message-ID made from the outbox entry's key
(the same on every retry). Mail only ever goes to an asker who opted in. Logs name the
purpose of a message, never its recipient, so no address reaches a log file.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import asdict, dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

from flask import current_app

from ..operations.metrics import mail_result
from .deadline import Deadline

logger = logging.getLogger(__name__)
TIMEOUT = 10.0  # seconds for one SMTP exchange
DEADLINE = 20.0  # seconds for the whole conversation


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server."""


@dataclass
class Mail:
    """One message: plain text, plus ``html`` as an alternative when given.

    ``from_name`` names a person while the address stays the hub's own (so the receiving
    side's SPF/DMARC checks pass); ``reply_to`` sends answers to that person.
    """

    to: str
    subject: str
    body: str
    purpose: str
    headers: dict[str, str] = field(default_factory=dict)
    html: str | None = None
    from_name: str | None = None
    reply_to: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Mail:
        return cls(**data)


class _SMTP(smtplib.SMTP):
    """``smtplib.SMTP`` whose socket is cut at a wall-clock deadline (a stalled server)."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self._watch = None
        super().__init__(timeout=TIMEOUT)

    def _get_socket(self, host, port, timeout):  # smtplib's hook for opening the socket
        sock = super()._get_socket(host, port, min(timeout, self.deadline.remaining()))
        self._watch = self.deadline.watch(sock)
        self._watch.__enter__()
        return sock

    def close(self) -> None:
        super().close()
        if self._watch is not None:
            self._watch, watch = None, self._watch
            watch.__exit__(None, None, None)


def message_id(key: str) -> str:
    """The Message-ID of the outbox entry ``key``: identical on every retry."""
    return f"<{key}@candor.invalid>"


def send(mail: Mail, key: str) -> None:
    """Hand ``mail`` to the SMTP server; raises ``MailError`` in words."""
    url = current_app.config.get("SMTP_URL")
    parts = urlsplit(url or "")
    if parts.scheme not in {"smtp", "smtp+starttls"} or not parts.hostname:
        raise MailError(f"CANDOR_SMTP_URL must look like smtp://host:port, not {url!r}")
    message = EmailMessage()
    sender = current_app.config.get("MAIL_FROM", "candor@localhost")
    if mail.from_name:
        name = " ".join(mail.from_name.split())  # one line: no header can be added through it
        message["From"] = Address(display_name=name, addr_spec=parseaddr(sender)[1] or sender)
    else:
        message["From"] = sender
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = message_id(key)
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.body)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    deadline = Deadline(current_app.config.get("SMTP_DEADLINE", DEADLINE))
    try:
        with _SMTP(deadline) as smtp:
            smtp.connect(parts.hostname, parts.port or 25)
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        mail_result(mail.purpose, ok=False)
        if deadline.hit:
            raise MailError(f"{mail.purpose}: no answer within {deadline.seconds:g} s") from exc
        raise MailError(f"{mail.purpose}: {type(exc).__name__}") from exc
    mail_result(mail.purpose, ok=True)
    logger.info("mail sent: %s", mail.purpose)

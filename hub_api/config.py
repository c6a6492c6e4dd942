"""Configuration from ``CANDOR_*`` environment variables, with safe defaults.

Everything lives under the instance folder unless told otherwise, and the server
listens on loopback only, so a fresh checkout is private by default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_FILE = "secret_key"  # noqa: S105 — a file name, not a secret


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(env: Mapping[str, str] | None = None) -> dict:
    """Read the ``CANDOR_*`` variables into a plain settings dict."""
    env = os.environ if env is None else env
    instance = Path(env.get("CANDOR_INSTANCE") or ROOT / "instance").resolve()
    return {
        "INSTANCE": instance,
        "DATABASE_URL": env.get("CANDOR_DATABASE_URL") or f"sqlite:///{instance / 'candor.db'}",
        "SECRET_KEY": env.get("CANDOR_SECRET_KEY") or read_secret(instance),
        "PUBLIC_URL": (env.get("CANDOR_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
        # Unset: `candor serve --host/--port` supplies it (see hub_api.public_url).
        "PUBLIC_URL_SET": bool(env.get("CANDOR_PUBLIC_URL")),
        "CONTENT": Path(env.get("CANDOR_CONTENT") or ROOT / "content").resolve(),
        "SITE": Path(env.get("CANDOR_SITE") or ROOT / "site").absolute(),
        "THEME": Path(env.get("CANDOR_THEME") or ROOT / "themes" / "candor").resolve(),
        "PELICANCONF": Path(env.get("CANDOR_PELICANCONF") or ROOT / "pelicanconf.py").resolve(),
        "SITENAME": env.get("CANDOR_SITENAME") or "Candor",
        "AUTO_BUILD": _flag(env.get("CANDOR_AUTO_BUILD"), True),
        "BUILD_DEBOUNCE": float(env.get("CANDOR_BUILD_DEBOUNCE") or 0.5),
        "BUILD_MAX_WAIT": float(env.get("CANDOR_BUILD_MAX_WAIT") or 3.0),
        "SEARCH_BACKEND": env.get("CANDOR_SEARCH_BACKEND") or "whoosh",
        "TIMEZONE": env.get("CANDOR_TIMEZONE") or "UTC",
        # The promise for questions no topic covers, in working hours (topics set their own).
        "RESPONSE_TARGET_HOURS": _hours(env.get("CANDOR_RESPONSE_TARGET_HOURS")),
        # Feeds and webhooks may reach loopback and private networks only when this is on.
        "ALLOW_PRIVATE_URLS": _flag(env.get("CANDOR_ALLOW_PRIVATE_URLS"), False),
        # A question form is a few KB; anything near this is abuse, answered with 413.
        "MAX_CONTENT_LENGTH": int(env.get("CANDOR_MAX_REQUEST_BYTES") or 64 * 1024),
        "SMTP_URL": env.get("CANDOR_SMTP_URL") or "",
        "MAIL_FROM": env.get("CANDOR_MAIL_FROM") or "candor@localhost",
        "RATELIMIT_STORAGE_URL": env.get("CANDOR_RATELIMIT_STORAGE_URL") or "memory://",
        "TRUSTED_PROXIES": env.get("CANDOR_TRUSTED_PROXIES") or "",
        "HOLD_WORDS": _words(env.get("CANDOR_HOLD_WORDS")),
        # e.g. "7d": the job scheduler mails owners and admins a digest this often.
        "DIGEST_EVERY": env.get("CANDOR_DIGEST_EVERY") or "",
        # Staff sign-in (hub_api/staff/): session lifetimes, second factor, single sign-on.
        "SESSION_IDLE_MINUTES": _int(env, "CANDOR_SESSION_IDLE_MINUTES", 120, 1, 7 * 24 * 60),
        "SESSION_MAX_HOURS": _int(env, "CANDOR_SESSION_MAX_HOURS", 12, 1, 24 * 90),
        "REQUIRE_2FA": _flag(env.get("CANDOR_REQUIRE_2FA"), False),
        "AUDIT_RETENTION_DAYS": _int(env, "CANDOR_AUDIT_RETENTION_DAYS", 365, 1, 36500),
        "OIDC_ISSUER": (env.get("CANDOR_OIDC_ISSUER") or "").rstrip("/"),
        "OIDC_CLIENT_ID": env.get("CANDOR_OIDC_CLIENT_ID") or "",
        "OIDC_CLIENT_SECRET": env.get("CANDOR_OIDC_CLIENT_SECRET") or "",
        "OIDC_NAME": env.get("CANDOR_OIDC_NAME") or "single sign-on",
        "OIDC_ALLOWED_DOMAINS": _words(env.get("CANDOR_OIDC_ALLOWED_DOMAINS")) or (),
        "OIDC_GROUPS_CLAIM": env.get("CANDOR_OIDC_GROUPS_CLAIM") or "",
        # "group=role,group=role": members of a group get the role (others keep "staff").
        "OIDC_GROUP_ROLES": env.get("CANDOR_OIDC_GROUP_ROLES") or "",
        "OIDC_AUTO_CREATE": _flag(env.get("CANDOR_OIDC_AUTO_CREATE"), False),
        # Stored public thread pages (hub_api.site.thread_pages): share it between nodes.
        # Unset, it and BACKUP_DIR live under INSTANCE, wherever that is set.
        "THREAD_PAGES": env.get("CANDOR_THREAD_PAGES") or "",
        # Scheduled backups (e.g. "1d") into BACKUP_DIR, keeping the newest BACKUP_KEEP.
        "BACKUP_DIR": env.get("CANDOR_BACKUP_DIR") or "",
        "BACKUP_EVERY": env.get("CANDOR_BACKUP_EVERY") or "",
        "BACKUP_KEEP": _count("CANDOR_BACKUP_KEEP", env.get("CANDOR_BACKUP_KEEP"), 10),
        # `make demo`: mail is caught locally and readable at /staff/demo-mail/ (demo_mail.py).
        "DEMO": _flag(env.get("CANDOR_DEMO"), False),
        # Tests only: a file holding seconds to add to the clock of every process reading it.
        "TEST_CLOCK_FILE": env.get("CANDOR_TEST_CLOCK_FILE") or "",
    }


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole number within bounds; unset means ``default``. A bad value stops start-up."""
    value = (env.get(name) or "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{name}={value!r}: give a whole number, {low} to {high}")
    return int(value)


def _hours(value: str | None) -> int:
    """A whole number of hours, 1 to 1000; unset means 4. A bad value stops start-up, named."""
    if not value:
        return 4
    if not value.strip().isascii() or not value.strip().isdigit() or \
            not 1 <= int(value) <= 1000:
        raise ValueError(f"CANDOR_RESPONSE_TARGET_HOURS={value!r}: give whole hours, 1 to 1000")
    return int(value)


def _count(name: str, value: str | None, default: int) -> int:
    """A whole number of at least 1; unset means ``default``. A bad value stops start-up."""
    if not value:
        return default
    if not value.strip().isascii() or not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"{name}={value!r}: give a whole number, 1 or more")
    return int(value)


def _words(value: str | None) -> tuple[str, ...] | None:
    """A comma-separated list; ``None`` when unset, so the module default applies."""
    if not value:
        return None
    return tuple(w.strip() for w in value.split(",") if w.strip())


def read_secret(instance: Path) -> str | None:
    """The secret generated by ``candor init``; never committed, never logged."""
    path = instance / SECRET_FILE
    return path.read_text().strip() if path.is_file() else None


def write_secret(instance: Path) -> str:
    """Create the instance secret once; an existing one is kept so sessions survive."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / SECRET_FILE
    if not path.is_file():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()

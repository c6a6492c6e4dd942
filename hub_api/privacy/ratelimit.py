"""Rate limits keyed on a daily-rotating HMAC of the client address, never the address.

The key lives only in memory (one process) or in Redis with an expiry (several processes,
``CANDOR_RATELIMIT_STORAGE_URL=redis://…``, so all workers agree), and is never written to
disk: once a day has passed, yesterday's counters cannot be tied to an address by anyone.
``X-Forwarded-For`` is believed only from ``CANDOR_TRUSTED_PROXIES`` (comma-separated CIDRs).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

# Flask and Flask-Limiter are imported where used: the site build reads ``LIMITS`` (for the
# privacy page) in a child process that should not pay for the web stack.

# (endpoint, limit, methods): the writes a bot would hammer. GETs stay unlimited.
LIMITS = (
    ("auth.login", "6 per minute", ["POST"]),
    ("auth.second_factor", "6 per minute", ["POST"]),
    ("auth.confirm", "6 per minute", ["POST"]),
    ("invites.forgot", "3 per minute;10 per hour", ["POST"]),
    ("invites.reset", "6 per minute", ["POST"]),
    ("invites.accept_invite", "6 per minute", ["POST"]),
    ("ask.ask_submit", "5 per minute;30 per hour", ["POST"]),
    ("api.ask_question", "5 per minute;30 per hour", ["POST"]),
    ("ask.reply", "10 per minute", ["POST"]),
    ("manage.edit", "10 per minute", ["POST"]),
    ("manage.notifications", "5 per minute", ["POST"]),
    ("follow.confirm", "10 per minute", ["POST"]),
    ("follow.unsubscribe", "10 per minute", ["POST"]),
    ("contact.request_contact", "5 per minute;20 per hour", ["POST"]),
)
# Staff tokens are throttled per token, wherever the requests come from.
TOKEN_ENDPOINTS = ("api.answer_question", "api.accept", "api.assign", "api.queue")
STAFF_API_RATE = "120 per minute"
TOO_MANY = "Too many requests from your connection. Wait a minute, then try again."
KEY_TTL = 2 * 24 * 3600  # a day's key outlives the day by one, for requests around midnight


def init_app(app: Flask) -> None:
    """Attach a limiter of this app's own (call after the blueprints are registered)."""
    from flask_limiter import Limiter

    storage = app.config.get("RATELIMIT_STORAGE_URL") or "memory://"
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.extensions["candor_daily_key"] = DailyKey(storage)
    app.extensions["candor_proxies"] = parse_networks(app.config.get("TRUSTED_PROXIES", ""))
    limiter = Limiter(client_key, app=app, storage_uri=storage, key_prefix="candor",
                      headers_enabled=True, strategy="fixed-window")
    app.extensions["candor_limiter"] = limiter
    for endpoint, limit, methods in LIMITS:
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(
                limit, methods=methods, error_message=TOO_MANY)(view)
    for endpoint in TOKEN_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(
                STAFF_API_RATE, key_func=token_key, error_message=TOO_MANY)(view)


def token_key() -> str:
    """A hash of the bearer token: one budget per token, not per address."""
    from flask import request

    raw = request.headers.get("Authorization", "").encode("utf-8", "replace")
    return "token:" + hashlib.sha256(raw).hexdigest()


def parse_networks(value: str | list[str]) -> tuple[ipaddress._BaseNetwork, ...]:
    """``"10.0.0.0/8, 127.0.0.1"`` → networks; a bad entry is a configuration error."""
    items = value.split(",") if isinstance(value, str) else value
    try:
        return tuple(ipaddress.ip_network(i.strip(), strict=False) for i in items if i.strip())
    except ValueError as exc:
        raise ValueError(f"CANDOR_TRUSTED_PROXIES: {exc}") from None


def _address(value: str) -> ipaddress._BaseAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(remote: str, forwarded: str | None,
                   proxies: tuple[ipaddress._BaseNetwork, ...]) -> str:
    """The client's address: ``remote``, or the nearest untrusted hop of ``X-Forwarded-For``
    when ``remote`` is a trusted proxy."""

    def trusted(addr: ipaddress._BaseAddress | None) -> bool:
        return addr is not None and any(addr in net for net in proxies)

    if not forwarded or not trusted(_address(remote)):
        return remote
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:
            return remote  # a forged or garbled header: count it against the proxy
        if not trusted(addr):
            return str(addr)
    return hops[0] if hops else remote


def client_key() -> str:
    """HMAC(today's key, client address): the only trace of a client anywhere."""
    from flask import current_app, request

    app = current_app
    address = client_address(request.remote_addr or "", request.headers.get("X-Forwarded-For"),
                             app.extensions["candor_proxies"])
    key = app.extensions["candor_daily_key"].today()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


class DailyKey:
    """A random key per UTC day, in memory or shared through Redis with an expiry."""

    def __init__(self, storage_url: str) -> None:
        self._redis = None
        if storage_url.startswith(("redis://", "rediss://")):
            import redis

            self._redis = redis.Redis.from_url(storage_url)
        self._lock = threading.Lock()
        self._day = ""
        self._key = b""

    def today(self) -> bytes:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        with self._lock:
            if day != self._day:
                self._key, self._day = self._fetch(day), day
            return self._key

    def _fetch(self, day: str) -> bytes:
        fresh = secrets.token_bytes(32)
        if self._redis is None:
            return fresh
        name = f"candor:ratelimit-key:{day}"
        self._redis.set(name, fresh, nx=True, ex=KEY_TTL)  # the first worker of the day wins
        return self._redis.get(name) or fresh

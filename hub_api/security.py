"""HTTP hardening for every response, and cross-site request checks without cookies.

Reader routes must not touch the session, so a cookie-based CSRF token is out. Instead,
every unsafe request must come from this origin (``Sec-Fetch-Site`` or ``Origin``), and
staff forms additionally carry a token kept in the staff member's own session.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, request, session
from werkzeug.wrappers import Response

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
# On every response, Flask's and the static files' (hub_api.site.files).
HARDENING = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "interest-cohort=()",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
TEXT_TYPES = {"application/json", "application/javascript", "application/xml"}
# Private or endless pages that search engines must not index, whatever renders them.
NOINDEX_PREFIXES = ("/manage/", "/notify/", "/search", "/staff/", "/api/")


def init_app(app: Flask) -> None:
    app.before_request(_check_same_origin)
    app.after_request(_set_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def _set_headers(response: Response) -> Response:
    """Hardening headers on every response, static files included, and a charset on text."""
    headers = response.headers
    mimetype = response.mimetype or ""
    if "charset=" not in headers.get("Content-Type", "") and (
            mimetype.startswith("text/") or mimetype in TEXT_TYPES or mimetype.endswith("+xml")):
        headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    for name, value in HARDENING.items():
        headers.setdefault(name, value)
    if request.path.startswith(NOINDEX_PREFIXES):
        headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    return response


def _check_same_origin() -> None:
    """Refuse unsafe requests that a browser marks as coming from another site."""
    if request.method not in UNSAFE_METHODS:
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site and fetch_site not in {"same-origin", "none"}:
        abort(403, "This form can only be sent from this site.")
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        abort(403, "This form can only be sent from this site.")


def json_only(view: Callable) -> Callable:
    """For JSON endpoints: a write must say ``Content-Type: application/json`` (else 415).

    A cross-site HTML form cannot send that type without a CORS preflight, which this
    origin never grants, so the check also closes the form-based CSRF route.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method in UNSAFE_METHODS and request.mimetype != "application/json":
            abort(415, "Send the request body as application/json.")
        return view(*args, **kwargs)

    return wrapped


def csrf_token() -> str:
    """The staff session's form token (staff pages only: readers have no session)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Abort with 400 unless the form carries this session's token."""
    expected = session.get("csrf")
    given = request.form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(expected, given):
        abort(400, "Your form expired. Reload the page and try again.")

"""Error pages: every failure answers with the right status and a sentence a person can act on."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

HINTS = {
    400: "Something in the request was not right.",
    403: "You are not allowed to do that.",
    404: "There is nothing here. The link may be old, or the thread was removed by its asker.",
    405: "That action is not available here.",
    413: "That was too large to accept. Shorten it and try again.",
    429: "Too many requests. Wait a moment and try again.",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _render(code: int, title: str, detail: str):
    if request.path.startswith("/api/") or request.path in ("/healthz", "/readyz", "/metrics"):
        return {"error": title, "detail": detail}, code
    return render_template("error.html", code=code, title=title, detail=detail), code


def _http_error(exc: HTTPException):
    code = exc.code or 500
    default = HINTS.get(code, "")
    detail = exc.description if exc.description and exc.description != type(exc).description \
        else default
    body, status = _render(code, exc.name, detail)
    # Keep what the status needs (405: Allow, 401: WWW-Authenticate, 429: Retry-After).
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return body, status, headers


def _unexpected(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _render(500, "Internal Server Error",
                   "Something broke on our side. Nothing you sent was half-saved; try again.")

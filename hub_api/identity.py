"""The company's identity: the name, line, logo, colour and links every page carries.

Stored in the database (``settings`` rows ``company.*``), set with ``candor site set`` or on
the admins' staff page, and read by everything that names the hub: static and dynamic
pages, mails, consent texts, feed titles, the OpenAPI title. Until it is set the hub is
called by ``CANDOR_SITENAME`` (default "Candor").

The logo is served by the hub at ``/brand/logo`` and only ever used as an image. An SVG is
checked element by element (no script, no event handler, no link or style that reaches
outside the file) and is served with a CSP that forbids everything anyway; a PNG must be a
PNG. The accent colour is ``/brand/accent.css`` (the CSP allows no inline style).
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import click
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from flask import Blueprint, Flask, abort, current_app, render_template, request
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import signals
from .db import get_session, read_only, session_scope
from .effects.outbox import emit
from .models import Setting
from .security import check_csrf
from .staff.auth import require_role

PREFIX = "company."
FIELDS = ("name", "description", "accent", "home_url", "legal_url")
LOGO_LIMIT = 256 * 1024
NAME_LIMIT, DESCRIPTION_LIMIT = 80, 200
ACCENT = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_ACCENT = "#0b2540"
CACHE_SECONDS = 5.0  # another process (the CLI) may change it: pages catch up this fast
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

bp = Blueprint("identity", __name__)


class IdentityError(ValueError):
    """A value that cannot be the company's, in words."""


@dataclass(frozen=True)
class CompanyIdentity:
    """What other modules (and lanes) read: ``company_identity()``."""

    name: str
    description: str = ""
    logo_url: str = ""  # "/brand/logo?v=…", empty without a logo
    accent: str = DEFAULT_ACCENT
    home_url: str = ""
    legal_url: str = ""
    logo_type: str = ""  # "image/svg+xml" | "image/png"


# --- reading -------------------------------------------------------------------------------


def read_identity(session: Session, default_name: str = "Candor") -> CompanyIdentity:
    """The stored identity (``default_name`` until a name is set)."""
    rows = dict(session.execute(select(Setting.key, Setting.value)
                                .where(Setting.key.startswith(PREFIX))).all())
    values = {f: rows.get(PREFIX + f, "") for f in FIELDS}
    logo = rows.get(PREFIX + "logo", "")
    logo_type, logo_url = "", ""
    if logo:
        logo_type = logo.split(";", 1)[0]
        logo_url = f"/brand/logo?v={hashlib.sha256(logo.encode()).hexdigest()[:12]}"
    return CompanyIdentity(name=values["name"] or default_name,
                           description=values["description"],
                           accent=values["accent"] or DEFAULT_ACCENT,
                           home_url=values["home_url"], legal_url=values["legal_url"],
                           logo_url=logo_url, logo_type=logo_type)


def company_identity() -> CompanyIdentity:
    """The company's identity for the current app (cached for a few seconds)."""
    app = current_app._get_current_object()
    cached = app.extensions.get("candor_identity")
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    # Read-only (DEFERRED on SQLite): a POST's own session may hold the write lock already.
    with session_scope(read_only(app.extensions["candor_engine"])) as session:
        identity = read_identity(session, app.config["SITENAME"])
    app.extensions["candor_identity"] = (time.monotonic(), identity)
    return identity


def _forget(app: Flask) -> None:
    app.extensions.pop("candor_identity", None)


def logo(session: Session) -> tuple[str, bytes] | None:
    value = session.get(Setting, PREFIX + "logo")
    if value is None or not value.value:
        return None
    kind, _, data = value.value.partition(";base64,")
    return kind, base64.b64decode(data)


# --- checking ------------------------------------------------------------------------------


def contrast(one: str, two: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                   for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def check_url(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(value) > 500 \
            or any(c.isspace() for c in value):
        raise IdentityError(f"the {what} must be an http(s) address like https://example.com/")
    return value


def check_text(value: str, what: str, limit: int, required: bool = False) -> str:
    value = " ".join(value.split())
    if required and not value:
        raise IdentityError(f"the {what} cannot be empty")
    if len(value) > limit:
        raise IdentityError(f"the {what} must be at most {limit} characters")
    return value


def check_accent(value: str) -> str:
    value = value.strip()
    if not ACCENT.fullmatch(value):
        raise IdentityError("the accent colour must look like #1f6f8b")
    if contrast(value, "#ffffff") < 4.5:  # the header's white text sits on it
        raise IdentityError(f"the accent colour {value} is too light for white text on it "
                            "(contrast below 4.5:1); choose a darker one")
    return value.lower()


SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
# Drawing elements only: no script, foreignObject, image, use of outside files, animation.
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "title", "desc", "defs", "lineargradient", "radialgradient", "stop", "clippath",
    "mask", "symbol", "use", "style", "metadata",
}
OUTSIDE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|javascript:|expression\(", re.I)


def check_logo(data: bytes) -> str:
    """The logo's media type; ``IdentityError`` unless it is a clean SVG or a PNG."""
    if not data:
        raise IdentityError("the logo file is empty")
    if len(data) > LOGO_LIMIT:
        raise IdentityError(f"the logo must be at most {LOGO_LIMIT // 1024} KB")
    if data.startswith(PNG_MAGIC):
        if data[12:16] != b"IHDR":
            raise IdentityError("the logo is not a valid PNG")
        return "image/png"
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise IdentityError("the logo must be an SVG or a PNG file") from None
    if root.tag != SVG_NS + "svg":
        raise IdentityError("the logo must be an SVG (with the SVG namespace) or a PNG file")
    for element in root.iter():
        tag = element.tag.rpartition("}")[2].lower() if isinstance(element.tag, str) else ""
        if tag not in SVG_ELEMENTS:
            raise IdentityError(f"the SVG logo may not contain <{tag or '?'}>")
        for name, value in element.attrib.items():
            local = name.rpartition("}")[2].lower()
            if local.startswith("on"):
                raise IdentityError("the SVG logo may not contain event handlers")
            if (local == "href" or name == XLINK) and not value.startswith("#"):
                raise IdentityError("the SVG logo may not link to anything outside itself")
            if OUTSIDE.search(value):
                raise IdentityError("the SVG logo may not load anything from outside")
        if tag == "style" and OUTSIDE.search(element.text or ""):
            raise IdentityError("the SVG logo may not load anything from outside")
    return "image/svg+xml"


# --- writing -------------------------------------------------------------------------------


def set_identity(session: Session, *, name: str | None = None, description: str | None = None,
                 accent: str | None = None, home_url: str | None = None,
                 legal_url: str | None = None, logo_data: bytes | None = None) -> None:
    """Check every given value, then store them all (the caller commits); ``None`` keeps.

    The change's effects (the site rebuilt by the leader, this process forgetting its cached
    identity) go through the outbox with it, like every other write's."""
    values = {}
    if name is not None:
        values["name"] = check_text(name, "name", NAME_LIMIT, required=True)
    if description is not None:
        values["description"] = check_text(description, "description", DESCRIPTION_LIMIT)
    if accent is not None:
        values["accent"] = check_accent(accent)
    if home_url is not None:
        values["home_url"] = check_url(home_url, "home page address")
    if legal_url is not None:
        values["legal_url"] = check_url(legal_url, "legal page address")
    if logo_data is not None:
        kind = check_logo(logo_data)
        values["logo"] = f"{kind};base64,{base64.b64encode(logo_data).decode()}"
    for key, value in values.items():
        session.merge(Setting(key=PREFIX + key, value=value))
    if values:
        emit(session, signals.site_changed)


# --- the web ----------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(site_cli)
    app.context_processor(lambda: {"company": company_identity(),
                                   "SITENAME": company_identity().name})
    signals.site_changed.connect(_changed, sender=app, weak=False)


def _changed(app: Flask, **_extra) -> None:
    """After the commit, in the process that wrote: its pages show the change at once (other
    processes' caches expire within ``CACHE_SECONDS``; the leader rebuilds the site)."""
    _forget(app)


@bp.get("/brand/logo")
def logo_file():
    """The logo, as an image only: nothing in it can run or load anything."""
    found = logo(get_session())
    if found is None:
        abort(404)
    kind, data = found
    response = current_app.response_class(data, mimetype=kind)
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline; filename=logo" + \
        (".svg" if kind == "image/svg+xml" else ".png")
    response.cache_control.public = True
    response.cache_control.max_age = 31536000 if request.args.get("v") else 300
    return response


@bp.get("/brand/accent.css")
def accent_css():
    """The accent colour as CSS custom properties (loaded after the theme's stylesheet)."""
    identity = company_identity()
    css = f":root {{ --brand: {identity.accent}; }}\n"
    response = current_app.response_class(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


# --- the CLI ---------------------------------------------------------------------------------


@click.group("site")
def site_cli() -> None:
    """The company's name, description, logo, accent colour, home and legal links."""


@site_cli.command("set")
@click.option("--name", help="The company's name, shown on every page.")
@click.option("--description", help="One line about the company.")
@click.option("--logo", "logo_path", type=click.Path(dir_okay=False),
              help="An SVG or PNG file (at most 256 KB).")
@click.option("--accent", help="The accent colour, like #1f6f8b.")
@click.option("--home", "home_url", help="The company's main site (https://…).")
@click.option("--legal", "legal_url", help="The company's legal notice or imprint (https://…).")
@with_appcontext
def site_set(name, description, logo_path, accent, home_url, legal_url) -> None:
    """Set any of the company's details; the others stay as they are."""
    logo_data = None
    if logo_path is not None:
        try:
            with open(logo_path, "rb") as handle:
                logo_data = handle.read(LOGO_LIMIT + 1)
        except OSError as exc:
            raise click.ClickException(f"cannot read the logo: {exc.strerror}") from None
    app = current_app._get_current_object()
    try:
        with session_scope(app.extensions["candor_engine"]) as session:
            set_identity(session, name=name, description=description, accent=accent,
                         home_url=home_url, legal_url=legal_url, logo_data=logo_data)
    except IdentityError as exc:
        raise click.ClickException(str(exc)) from None
    _show(company_identity())
    click.echo("Run `candor build` (or let `candor serve` rebuild) to publish it.")


@site_cli.command("show")
@with_appcontext
def site_show() -> None:
    """Show the company's details as pages use them."""
    _show(company_identity())


def _show(identity: CompanyIdentity) -> None:
    for label, value in (("name", identity.name), ("description", identity.description),
                         ("logo", identity.logo_type or "none"), ("accent", identity.accent),
                         ("home", identity.home_url), ("legal", identity.legal_url)):
        click.echo(f"{label:<12} {value or '-'}")


# --- the admins' staff page -------------------------------------------------------------------


@bp.route("/staff/site", methods=["GET", "POST"])
@require_role("admin")
def staff_page():
    """Admins edit the identity; errors show next to the form, nothing half-saved."""
    error, saved = "", False
    identity = company_identity()
    if request.method == "POST":
        check_csrf()
        upload = request.files.get("logo")
        data = upload.read(LOGO_LIMIT + 1) if upload and upload.filename else None
        session = get_session()
        try:
            set_identity(session, name=request.form.get("name", ""),
                         description=request.form.get("description", ""),
                         accent=request.form.get("accent", ""),
                         home_url=request.form.get("home_url", ""),
                         legal_url=request.form.get("legal_url", ""), logo_data=data)
            session.commit()
        except IdentityError as exc:
            session.rollback()
            error = str(exc)[0].upper() + str(exc)[1:] + "."
            identity = replace(identity, **{f: request.form.get(f, "")[:500]
                                            for f in FIELDS})
        else:
            identity, saved = company_identity(), True
    return render_template("staff/site.html", identity=identity, error=error,
                           saved=saved), 400 if error else 200


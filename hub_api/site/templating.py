"""Template globals the one theme needs under both Flask and Pelican.

``asset()`` (fingerprinted theme files), ``PUBLIC_URL`` (canonical links, Open Graph), and the
JSON-LD builders with the site's name and address already filled in. Flask pages also get
``page_path`` (the request's path); Pelican pages derive it from ``output_file``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Flask, has_request_context, request

from . import structured_data
from .assets import asset_url


def theme_globals(public_url: str, theme: Path) -> dict:
    """``qa_jsonld(question, SITENAME)`` and ``person_jsonld(person, SITENAME)``: the
    company's name comes from the page (it may change without a restart)."""
    public_url = public_url.rstrip("/")
    return {
        "asset": functools.partial(asset_url, Path(theme)),
        "PUBLIC_URL": public_url,
        "qa_jsonld": functools.partial(_with_url, structured_data.qa_jsonld, public_url),
        "person_jsonld": functools.partial(_with_url, structured_data.person_jsonld,
                                           public_url),
        "visible_answers": structured_data.visible_answers,
    }


def _with_url(build, public_url: str, item, site_name: str) -> dict:
    return build(item, site_name, public_url)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(theme_globals(app.config["PUBLIC_URL"], app.config["THEME"]))

    @app.context_processor
    def page_path() -> dict:
        return {"page_path": request.path} if has_request_context() else {}

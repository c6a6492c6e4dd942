"""Serve the built static site from the same origin as the backend.

Flask's own routes win; anything else is looked up in ``site/``. The ``site`` symlink
is resolved per request, so an atomic rebuild is visible at once and never half-way.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Flask, abort, current_app, redirect, render_template, request, send_file
from werkzeug.security import safe_join

mimetypes.add_type("application/atom+xml", ".atom")


def init_app(app: Flask) -> None:
    app.add_url_rule("/", "site_index", serve, defaults={"path": ""})
    app.add_url_rule("/<path:path>", "site_file", serve)


def serve(path: str):
    """A file of the built site; a folder serves its index.html."""
    site = Path(current_app.config["SITE"])
    if not site.exists():
        if path == "":
            return render_template("error.html", code=503, title="Site not built yet",
                                   detail="Run `candor build` to publish the front page."), 503
        abort(404)
    if any(part.startswith(".") and part != ".well-known" for part in path.split("/")):
        abort(404)  # the build's own records (``.candor-build.json``) are not for readers
    root = site.resolve()
    target = safe_join(str(root), path)
    if target is None:
        abort(404)
    file = Path(target)
    try:
        if file.is_dir():
            if path and not path.endswith("/"):
                query = request.query_string.decode("latin-1")
                return redirect(f"/{path}/" + (f"?{query}" if query else ""), 301)
            file = file / "index.html"
        found = file.is_file()
    except OSError:  # e.g. a name too long for the file system: not a page we have
        found = False
    if not found:
        abort(404)
    response = send_file(file, max_age=3600, conditional=True)
    if file.suffix in {".html", ".atom", ".xml"}:
        # Pages change on every rebuild: browsers revalidate (a cheap 304) instead of guessing.
        response.cache_control.max_age = None
        response.cache_control.no_cache = True
    return response

"""Serve the built site and stored thread pages before Flask, with WhiteNoise.

:class:`SiteFiles` wraps the Flask app (WSGI middleware). A request for a file of the live
build (``site/``, a symlink flipped atomically by every build) or for a stored thread page
(:mod:`hub_api.site.thread_pages`) is answered by WhiteNoise: ETag and ``Last-Modified`` with
304s, the ``.br``/``.gz`` file written beside it chosen by ``Accept-Encoding`` with
``Vary: Accept-Encoding``, ranges, and the same hardening headers as Flask's responses.
Pages revalidate on every visit (``no-cache``: a cheap 304); fingerprinted assets
(``theme/candor.<hash>.css``, see :mod:`hub_api.site.assets`) are cached for a year, immutable.
Anything else — and every path that starts like one of Flask's own routes, which always
win — goes to Flask. The lookups of one build are kept until the link points elsewhere.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from flask import Flask, abort, current_app, redirect, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.security import safe_join
from whitenoise import WhiteNoise
from whitenoise.string_utils import decode_path_info

from ..security import HARDENING
from .thread_pages import ThreadPages, get_thread_pages

FINGERPRINTED = re.compile(r"^/theme/[^/]+\.[0-9a-f]{12}\.(?:css|js)$")
PAGE_TYPES = (".html", ".atom", ".xml", ".txt")
MAX_REMEMBERED = 50_000  # lookups (hits and misses) kept per build
# Flask's own catch-all and static routes: not routes a site file may shadow.
CATCH_ALL = {"site_index", "site_file", "static"}


class SiteFiles(WhiteNoise):
    """The live build's files and the stored thread pages, in front of ``application``."""

    def __init__(self, application, site: Path, thread_pages: ThreadPages | None,
                 url_map: Map) -> None:
        super().__init__(application, max_age=None, allow_all_origins=False, index_file=True,
                         immutable_file_test=lambda _path, url: bool(FINGERPRINTED.search(url)))
        self.site = Path(site)
        self.thread_pages = thread_pages
        self.url_map = url_map
        self.flask_prefixes = frozenset(
            rule.rule.split("/")[1] for rule in url_map.iter_rules()
            if rule.endpoint not in CATCH_ALL and rule.rule.split("/")[1] not in {"", "<"}
            and not rule.rule.startswith("/<"))
        self._build: str | None = None
        self._lock = threading.Lock()
        self._pages: dict[str, tuple[tuple[int, ...], object]] = {}

    def __call__(self, environ, start_response):
        url = decode_path_info(environ.get("PATH_INFO", ""))
        first = url.split("/", 2)[1] if url.count("/") else ""
        if first == "q" and self.thread_pages is not None:
            static_file = self._thread_page(url)
        elif first in self.flask_prefixes and self._flask_route(url, environ):
            static_file = None
        else:
            static_file = self._site_file(url)
        if static_file is None:
            return self.application(environ, start_response)
        return self.serve(static_file, environ, start_response)

    def _thread_page(self, url: str):
        """A stored thread page; its headers (ETag, length, variants) worked out once per
        version of the file (a rewrite is a new file: inode, times and size tell it), so a
        view costs one ``stat``."""
        found = self.thread_pages.find(url)
        if found is None:
            return None
        path, stat = found
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        cached = self._pages.get(url)
        if cached is not None and cached[0] == version:
            return cached[1]
        static_file = self.get_static_file(str(path), url)
        if len(self._pages) >= MAX_REMEMBERED:
            self._pages.clear()
        self._pages[url] = (version, static_file)
        return static_file

    def _flask_route(self, url: str, environ) -> bool:
        """Whether one of Flask's own routes (not the site's catch-all) answers ``url``."""
        try:
            endpoint, _args = self.url_map.bind("").match(url, environ["REQUEST_METHOD"])
        except HTTPException:  # 404, 405, or a redirect Flask would make: Flask answers
            return True
        return endpoint not in CATCH_ALL

    def _site_file(self, url: str):
        if "/." in url and not url.startswith("/.well-known/"):
            return None  # the build's own records (``.candor-build.json``): Flask says 404
        try:
            build = os.readlink(self.site)
        except OSError:  # no site built yet, or the old layout (a real folder)
            if not self.site.is_dir():
                return None
            build = str(self.site.absolute())
        if build != self._build:
            with self._lock:
                if build != self._build:
                    root = (self.site.parent / build).resolve()
                    self.files = {}
                    self.directories = [(str(root).rstrip(os.sep) + os.sep, "/")]
                    self._build = build
        files = self.files
        try:
            return files[url]
        except KeyError:
            pass
        found = self.find_file(url)
        if len(files) < MAX_REMEMBERED:
            files[url] = found
        return found

    def redirect(self, from_url, to_url):
        """No redirect here: Flask's :func:`serve` redirects a folder to its slash (301,
        keeping the query)."""
        return None

    def add_mime_headers(self, headers, path, url):
        media_type = "text/html" if url.startswith("/q/") else self.media_types.get_type(path)
        if media_type.startswith("text/") or media_type.endswith(("+xml", "/xml", "/json",
                                                                  "/javascript")):
            media_type += "; charset=utf-8"
        headers["Content-Type"] = media_type

    def add_cache_headers(self, headers, path, url):
        super().add_cache_headers(headers, path, url)
        if "Cache-Control" not in headers:
            # Pages change on every rebuild: browsers revalidate (a cheap 304).
            headers["Cache-Control"] = ("no-cache" if url.startswith("/q/") or url.endswith("/")
                                        or path.endswith(PAGE_TYPES) else "max-age=3600, public")
        for name, value in HARDENING.items():
            headers[name] = value


def init_app(app: Flask) -> None:
    app.add_url_rule("/", "site_index", serve, defaults={"path": ""})
    app.add_url_rule("/<path:path>", "site_file", serve)
    wsgi_app = app.wsgi_app

    class Lazy:
        """Builds the middleware on the first request, once every route is registered."""

        files: SiteFiles | None = None

        def __call__(self, environ, start_response):
            if self.files is None:
                self.files = SiteFiles(wsgi_app, app.config["SITE"], get_thread_pages(app),
                                       app.url_map)
            return self.files(environ, start_response)

    app.wsgi_app = Lazy()


def serve(path: str):
    """What the middleware left: no site yet (503 for the front page), a folder without its
    slash (redirect), or a page that does not exist (404)."""
    site = Path(current_app.config["SITE"])
    if not site.exists():
        if path == "":
            return render_template("error.html", code=503, title="Site not built yet",
                                   detail="Run `candor build` to publish the front page."), 503
        abort(404)
    if any(part.startswith(".") and part != ".well-known" for part in path.split("/")):
        abort(404)  # the build's own records (``.candor-build.json``) are not for readers
    folder = safe_join(str(site), path)
    try:
        is_folder = bool(path and not path.endswith("/") and folder and Path(folder).is_dir())
    except OSError:  # e.g. a name too long for the file system: not a page we have
        is_folder = False
    if is_folder:
        query = request.query_string.decode("latin-1")
        return redirect(f"/{path}/" + (f"?{query}" if query else ""), 301)
    abort(404)

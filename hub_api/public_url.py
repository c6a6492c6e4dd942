"""One public URL for every absolute link: mails, feeds, the API, the asker's private link.

``CANDOR_PUBLIC_URL`` names it; unset, ``candor serve --host/--port`` supplies it (so
``make demo PORT=8001`` links to port 8001). A request that arrives for another host means
the setting is wrong (or a proxy rewrites the host): it is logged once per host, and staff
pages show a banner until the setting is fixed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, request

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.extensions["candor_wrong_hosts"] = set()
    app.before_request(_check_host)
    app.context_processor(lambda: {"public_url_warning": public_url_warning()})


def serve_address(app: Flask, host: str, port: int) -> None:
    """Without ``CANDOR_PUBLIC_URL``, the address ``candor serve`` listens on is the public one
    (also for the build processes it starts, which read the environment)."""
    if app.config.get("PUBLIC_URL_SET"):
        return
    name = f"[{host}]" if ":" in host else host
    url = f"http://{name}" + ("" if port == 80 else f":{port}")
    app.config["PUBLIC_URL"] = url
    os.environ["CANDOR_PUBLIC_URL"] = url
    if host in ("0.0.0.0", "::"):  # noqa: S104 — words for the operator, not a bind
        logger.warning("serving on all interfaces without CANDOR_PUBLIC_URL: links say %s; "
                       "set CANDOR_PUBLIC_URL to the address people use", url)


def built_for(config: Mapping) -> bool:
    """Whether the live site's feeds link to the configured public URL."""
    feed = Path(config["SITE"]) / "feeds" / "all.atom"
    try:
        return f'href="{config["PUBLIC_URL"]}/' in feed.read_text(encoding="utf-8")
    except OSError:
        return False


def _check_host() -> None:
    expected = urlsplit(current_app.config["PUBLIC_URL"]).netloc.lower()
    host = request.host.lower()
    wrong = current_app.extensions["candor_wrong_hosts"]
    if host != expected and host not in wrong and len(wrong) < 100:
        wrong.add(host)
        logger.warning("a request arrived for %s, but CANDOR_PUBLIC_URL is %s: links in mails, "
                       "feeds and the API point there", host[:100],
                       current_app.config["PUBLIC_URL"])


def public_url_warning() -> str:
    """For staff pages: the hosts requests arrived for that the public URL does not name."""
    wrong = current_app.extensions.get("candor_wrong_hosts") or ()
    return ", ".join(sorted(wrong)[:3])

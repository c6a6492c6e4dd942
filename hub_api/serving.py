"""How ``candor serve`` runs waitress: settings chosen for idle keep-alive clients and proxies.

waitress handles connections in one asynchronous I/O loop and hands only complete requests
to its worker threads, so an idle keep-alive connection costs a socket, not a thread. What
locks people out is its ``connection_limit`` (100 by default: past it, waitress stops
accepting), so the limit is raised well above what a reader crowd holds open, ``poll`` replaces
``select`` (which cannot watch file descriptors past 1024), and ``channel_timeout`` closes
connections idle for longer than a browser keeps them.

``X-Forwarded-For``: waitress removes it unless told otherwise; Candor decides itself whom to
believe (``CANDOR_TRUSTED_PROXIES``, see ``ratelimit.client_address``), so when proxies are
configured waitress is told to pass the header through untouched, and when none are, it
keeps stripping it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONNECTION_LIMIT = 2000
CHANNEL_TIMEOUT = 60  # seconds an idle connection is kept
BACKLOG = 2048


def waitress_settings(config: Mapping[str, Any], host: str, port: int,
                      threads: int) -> dict[str, Any]:
    """Keyword arguments for ``waitress.serve`` / ``waitress.create_server``."""
    settings: dict[str, Any] = {
        "host": host, "port": port, "threads": threads, "ident": "candor",
        "connection_limit": CONNECTION_LIMIT, "channel_timeout": CHANNEL_TIMEOUT,
        "backlog": BACKLOG, "asyncore_use_poll": True,
    }
    if config.get("TRUSTED_PROXIES"):
        settings["clear_untrusted_proxy_headers"] = False
    return settings

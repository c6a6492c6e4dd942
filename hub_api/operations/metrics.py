"""``/metrics``: Prometheus text for the admin's monitoring, from ``prometheus_client``.

Counters live in this process (requests by route group, builds, jobs, mails, webhook
deliveries); the state every process shares (outbox lag, ages of the last build and backup) is
read from the database at each scrape. Labels are route groups, job names, mail purposes and
results, never a path, address or id, so no personal data reaches the monitoring.

Only a loopback client that came through no proxy, or the bearer of an admin's API token,
may read it.
"""

from __future__ import annotations

import ipaddress
import re
import time

from flask import Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("candor_http_requests", "HTTP requests by route group and status class.",
                   ["group", "method", "status"], registry=REGISTRY)
LATENCY = Histogram("candor_http_request_duration_seconds", "Time to answer, by route group.",
                    ["group"], registry=REGISTRY,
                    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
BUILDS = Histogram("candor_site_build_duration_seconds", "Site builds by result.", ["result"],
                   registry=REGISTRY, buckets=(.5, 1, 2, 5, 10, 30, 60, 120, 300, 900))
JOBS = Counter("candor_job_runs", "Scheduled job runs by result.", ["job", "result"],
               registry=REGISTRY)
MAILS = Counter("candor_mails", "Mails by purpose: sent or failed.", ["purpose", "result"],
                registry=REGISTRY)
WEBHOOKS = Counter("candor_webhook_deliveries", "Webhook delivery attempts by result.",
                   ["result"], registry=REGISTRY)

_WORD = re.compile(r"[^a-z0-9]+")


def mail_result(purpose: str, ok: bool) -> None:
    """Count one mail; the purpose is a code constant such as "digest", made label-safe."""
    MAILS.labels(purpose=_WORD.sub("_", purpose.lower()).strip("_")[:32] or "other",
                 result="sent" if ok else "failed").inc()


def route_group(rule: str | None) -> str:
    """``/staff/q/<int:id>`` → ``staff``; a static file → ``site``; no route → ``unmatched``."""
    if rule is None:
        return "unmatched"
    first = rule.strip("/").split("/", 1)[0]
    if first == "":
        return "site"
    if first.startswith("<"):
        return "site"
    return _WORD.sub("_", first.lower())[:24]


def _start() -> None:
    g.candor_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.pop("candor_started", None)
    if started is not None:
        group = route_group(request.url_rule.rule if request.url_rule else None)
        LATENCY.labels(group=group).observe(time.perf_counter() - started)
        REQUESTS.labels(group=group, method=request.method if request.method in _METHODS
                        else "other", status=f"{response.status_code // 100}xx").inc()
    return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _allowed() -> bool:
    remote = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded")
    try:
        loopback = ipaddress.ip_address(remote).is_loopback
    except ValueError:
        loopback = False
    if loopback and not forwarded:
        return True
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return False
    from ..db import get_session
    from ..staff.tokens import person_for_token

    person = person_for_token(get_session(), header[7:].strip())
    return person is not None and "admin" in person.role_set


def metrics_view() -> Response:
    if not _allowed():
        abort(403, "Metrics are for loopback clients or an admin's API token.")
    from .health import shared_state

    shared = CollectorRegistry()
    shared.register(_Shared(shared_state()))
    body = generate_latest(REGISTRY) + generate_latest(shared)
    return Response(body, mimetype=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


class _Shared:
    """Gauges read from the database at this scrape."""

    def __init__(self, state: dict[str, float | None]) -> None:
        self.state = state

    def collect(self):
        for name, help_text in [
            ("candor_search_outbox_waiting", "Search outbox entries not yet indexed."),
            ("candor_search_outbox_oldest_seconds", "Age of the oldest waiting entry."),
            ("candor_effects_waiting", "Outbox effects (events, mails) not yet carried out."),
            ("candor_effects_oldest_seconds", "Age of the oldest waiting effect."),
            ("candor_effects_given_up_week", "Effects given up in the last 7 days."),
            ("candor_last_build_age_seconds", "Seconds since the last successful build."),
            ("candor_last_build_failed", "1 when the last build failed."),
            ("candor_last_backup_age_seconds", "Seconds since the last backup."),
        ]:
            value = self.state.get(name)
            if value is not None:
                yield GaugeMetricFamily(name, help_text, value=value)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", metrics_view)

"""``/metrics``: Prometheus text for loopback or an admin token, with no personal data."""

from __future__ import annotations

import http.server
import threading
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, select

from hub_api.db import session_scope, utcnow
from hub_api.effects.jobs import scheduler
from hub_api.effects.mail import Mail, MailError, send
from hub_api.effects.webhooks import add_endpoint, deliver_due
from hub_api.models import Person, SearchOutbox
from hub_api.site.builder import build_site
from hub_api.staff.tokens import issue_token

from .conftest import ask, free_port, make_test_app, seed_people


@pytest.fixture
def hub(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url, ALLOW_PRIVATE_URLS=True):
        seed_people(app)
        yield app


def samples(app, **request) -> dict[tuple, float]:
    response = app.test_client().get("/metrics", **request)
    assert response.status_code == 200, response.text
    assert response.mimetype == "text/plain"
    found = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def token_for(app, email: str) -> str:
    with session_scope(app.extensions["candor_engine"]) as session:
        person = session.scalar(select(Person).where(Person.email == email))
        return issue_token(session, person, "monitoring")[1]


def test_only_loopback_or_an_admin_token(hub):
    client = hub.test_client()
    assert client.get("/metrics").status_code == 200
    away = {"REMOTE_ADDR": "192.0.2.5"}
    assert client.get("/metrics", environ_base=away).status_code == 403
    # Through a proxy on the same machine the client is not loopback.
    assert client.get("/metrics", headers={"X-Forwarded-For": "192.0.2.5"}).status_code == 403
    admin, staff = token_for(hub, "dana@example.com"), token_for(hub, "sam@example.com")
    assert client.get("/metrics", environ_base=away,
                      headers={"Authorization": f"Bearer {admin}"}).status_code == 200
    refused = client.get("/metrics", environ_base=away,
                         headers={"Authorization": f"Bearer {staff}"})
    assert refused.status_code == 403 and refused.json["error"]
    assert client.get("/metrics", environ_base=away,
                      headers={"Authorization": "Bearer cnd_forged"}).status_code == 403


def test_requests_by_route_group_and_no_personal_data(hub):
    before = samples(hub)
    client = hub.test_client()
    token = ask(client, display_name="Zelda Quartz", title="Secret merger with Initech?")
    client.get(f"/manage/{token}")
    client.get("/ask")
    client.get("/no/such/page")
    response = hub.test_client().get("/metrics")
    after = samples(hub)
    assert value(after, "candor_http_requests_total", group="ask", method="POST",
                 status="3xx") == value(before, "candor_http_requests_total", group="ask",
                                        method="POST", status="3xx") + 1
    assert value(after, "candor_http_requests_total", group="manage", method="GET",
                 status="2xx") >= 1
    assert value(after, "candor_http_request_duration_seconds_count", group="ask") >= 2
    assert value(after, "candor_http_requests_total", group="site", method="GET",
                 status="4xx") >= 1
    for secret in ("Zelda", "Quartz", "Initech", token, "127.0.0.1"):
        assert secret not in response.text
    groups = {dict(k[1]).get("group") for k in after if k[0] == "candor_http_requests_total"}
    # Labels come from the app's own routes (bounded, never from a request's path); the
    # counters are per process, so earlier tests' routes may be there too.
    from hub_api.operations.metrics import route_group

    routes = {route_group(rule.rule) for rule in hub.url_map.iter_rules()}
    assert groups <= routes | {"site", "unmatched"}
    assert {"ask", "manage", "site"} <= groups


def test_outbox_builds_jobs_mails_and_webhooks(hub, smtp):
    engine = hub.extensions["candor_engine"]
    before = samples(hub)
    with session_scope(engine) as session:
        session.execute(insert(SearchOutbox), [
            {"kind": "thread", "ref": "1", "created_at": utcnow() - timedelta(minutes=7)}])
    lagging = samples(hub)  # before anything nudges the indexer
    assert value(lagging, "candor_search_outbox_waiting") == 1
    assert value(lagging, "candor_search_outbox_oldest_seconds") >= 7 * 60
    build_site(hub.config)
    scheduler(hub).add("tick", 60, lambda _app: None)
    scheduler(hub).run_due()
    hub.config["SMTP_URL"] = smtp.url
    with hub.app_context():
        send(Mail("someone@example.com", "Hi", "Body", "digest"), "k1")
        hub.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
        with pytest.raises(MailError):
            send(Mail("someone@example.com", "Hi", "Body", "digest"), "k2")

    class Ok(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with session_scope(engine) as session:
        add_endpoint(session, f"http://127.0.0.1:{server.server_port}/hook", "question.asked")
        add_endpoint(session, f"http://127.0.0.1:{free_port()}/hook", "question.asked")
    ask(hub.test_client(), title="Webhook question?")  # one delivery per endpoint
    deliver_due(hub, utcnow() + timedelta(seconds=5))
    server.shutdown()
    after = samples(hub)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("candor_site_build_duration_seconds_count", result="ok") == 1
    assert value(after, "candor_last_build_age_seconds") < 60
    assert value(after, "candor_last_build_failed") == 0
    assert delta("candor_job_runs_total", job="tick", result="ok") >= 1
    assert delta("candor_mails_total", purpose="digest", result="sent") == 1
    assert delta("candor_mails_total", purpose="digest", result="failed") == 1
    assert delta("candor_webhook_deliveries_total", result="delivered") >= 1
    assert delta("candor_webhook_deliveries_total", result="failed") >= 1

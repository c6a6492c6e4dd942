"""Shared fixtures: an app per test on a temporary instance, on SQLite and on PostgreSQL.

A test skips only when a service it needs (PostgreSQL, Chromium) is absent, and says so;
with ``CANDOR_REQUIRE_SERVICES=1`` (set by ``.ci/run``) a missing service fails instead.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from hub_api import create_app
from hub_api.db import Base, make_engine, session_scope
from hub_api.migrate import upgrade
from hub_api.staff.people import add_person, add_topic

from .nodes import free_port  # noqa: F401 — tests import it from here

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("CANDOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHROMIUM = os.environ.get("CANDOR_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery"


def need_service(name: str, reason: str) -> None:
    """Skip (or, under CANDOR_REQUIRE_SERVICES=1, fail) a test whose service is missing."""
    message = f"{name} unavailable: {reason}"
    if os.environ.get("CANDOR_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " (CANDOR_REQUIRE_SERVICES=1)")
    pytest.skip(message)


TEST_CACHE = Path(os.environ.get("CANDOR_TEST_CACHE") or Path.home() / ".cache" / "candor-tests")


def npm_package(folder: str, spec: str) -> Path:
    """``npm install SPEC`` into ``TEST_CACHE/folder`` once (a test tool from the npm
    registry: the OpenID Provider, the Nu HTML checker); skip if it cannot be had. Test
    processes running at once (pytest-xdist) take turns: one installs, the others find it."""
    where = TEST_CACHE / folder
    name = spec.rsplit("@", 1)[0] if spec.rfind("@") > 0 else spec
    npm = shutil.which("npm")
    if not npm:
        need_service("npm", f"npm is needed to install {spec}")
    where.mkdir(parents=True, exist_ok=True)
    with open(where / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (where / "node_modules" / name).is_dir():
            (where / "package.json").write_text(
                f'{{"name": "candor-test-{folder}", "private": true}}')
            done = subprocess.run([npm, "install", "--no-audit", "--no-fund", spec], cwd=where,
                                  capture_output=True, text=True, timeout=600)
            if done.returncode:
                need_service(spec, done.stderr.strip().splitlines()[-1:])
    return where


@pytest.fixture(scope="session")
def pg_database():
    """A uniquely named PostgreSQL database for this run, migrated once, dropped at the end."""
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"candor_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 — any connection failure means "no server"
        admin.dispose()
        yield exc
        return
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
        ), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Every data-layer and HTTP test runs on both databases."""
    yield from _database(request, tmp_path, request.param)


def _database(request, tmp_path, kind: str):
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'instance' / 'candor.db'}"
        upgrade(url)
        yield url
        return
    pg = request.getfixturevalue("pg_database")
    if isinstance(pg, Exception):
        need_service("PostgreSQL", str(pg).splitlines()[0])
    yield pg
    engine = make_engine(pg)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def make_test_app(tmp_path: Path, database_url: str, **overrides):
    content = tmp_path / "content"
    if not content.exists():
        shutil.copytree(ROOT / "content", content)
    config = {
        "TESTING": True,
        "INSTANCE": tmp_path / "instance",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "CONTENT": content,
        "SITE": tmp_path / "site",
        "AUTO_BUILD": False,
        "PUBLIC_URL": "http://hub.test",
        # Helpers post forms directly; tests of the form token switch it back on.
        "FORM_TOKEN_REQUIRED": False,
    }
    config.update(overrides)
    app = create_app(config)
    yield app
    app.extensions["candor_engine"].dispose()


@pytest.fixture
def app(tmp_path, database_url):
    yield from make_test_app(tmp_path, database_url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def people(app):
    return seed_people(app)


def seed_people(app) -> dict[str, str]:
    """Two topics and three staff: Dana (networking), Sam (security), Mia (marketer only)."""
    with session_scope(app.extensions["candor_engine"]) as session:
        add_topic(session, "Networking", "networking")
        add_topic(session, "Security", "security")
        session.flush()
        for name, email, roles, topics in [
            ("Dana Ortiz", "dana@example.com", "staff,admin", ["networking"]),
            ("Sam Lee", "sam@example.com", "staff", ["security"]),
            ("Mia Chen", "mia@example.com", "marketer", []),
        ]:
            add_person(session, name=name, email=email, password=PASSWORD, job_title="Engineer",
                       roles=roles, topics=topics)
    return {"dana": "dana@example.com", "sam": "sam@example.com", "mia": "mia@example.com"}


def login(client, email: str, password: str = PASSWORD):
    return client.post("/staff/login", data={"email": email, "password": password})


def csrf(client, path: str = "/staff/queue") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def ask(client, **fields) -> str:
    """Ask a question through the form; return the manage token."""
    data = {"display_name": "Pat", "title": "Do you ship to Norway?"}
    data.update(fields)
    # Identical bodies within five minutes are refused as duplicates: vary the default.
    data.setdefault("body", f"We need 10 units. ({data['title']})")
    response = client.post("/ask", data=data)
    assert response.status_code == 303, response.text[:500]
    return response.headers["Location"].rsplit("/", 1)[1]


@pytest.fixture
def staff(app, people):
    """A test client logged in as Dana."""
    c = app.test_client()
    assert login(c, people["dana"]).status_code == 303
    return c


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never Playwright's own browser download)."""
    if not Path(CHROMIUM).exists():
        need_service("Chromium", f"{CHROMIUM} not found; apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


class LiveServer:
    def __init__(self, app):
        from waitress.server import create_server

        self.app = app
        self.port = free_port()
        self.server = create_server(app, host="127.0.0.1", port=self.port, threads=4)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.close()
        self.thread.join(5)


class Mailbox:
    """Messages received by a real SMTP server (aiosmtpd) on loopback."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    def texts(self) -> list[str]:
        return [m.get_body(("plain",)).get_content() for m in self.messages]


@pytest.fixture
def smtp():
    """A real SMTP server on loopback; ``smtp.url`` for CANDOR_SMTP_URL, ``smtp.box`` for mail."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.url = f"smtp://127.0.0.1:{controller.port}"
    controller.box = box
    yield controller
    controller.stop()


@pytest.fixture
def mail_app(tmp_path, database_url, smtp):
    """An app with staff, sending its mail to the ``smtp`` fixture's real server."""
    for app in make_test_app(tmp_path, database_url, SMTP_URL=smtp.url):
        seed_people(app)
        yield app


def site_files(root: Path, suffix: str = "") -> list[Path]:
    """Every file of a built site ending in ``suffix``, through the linked curated tree
    (``Path.rglob`` does not follow folder links before Python 3.13); not the precompressed
    ``.br``/``.gz`` variants."""
    return sorted(Path(folder, name) for folder, _dirs, names in os.walk(root, followlinks=True)
                  for name in names if name.endswith(suffix)
                  and not name.endswith((".br", ".gz")))


# What a build says about the minute it ran, not about the data: its stamp, and how long
# open questions have waited so far (working time, so it grows between two builds).
BUILD_TIME = re.compile(rb"Figures as of [^;<]+;|\([^()<]* so far\)")


def built_pages(root: Path) -> dict[str, bytes]:
    """Every page of a built site (path → bytes) with what depends on the build's minute
    masked, for comparing two builds; the build's own records (``.candor-*``) left out."""
    return {p.relative_to(root).as_posix(): BUILD_TIME.sub(b"(build time)", p.read_bytes())
            for p in site_files(root) if not p.name.startswith(".candor-")}


def browser_login(page, base_url: str, email: str, next_path: str,
                  fill_seconds: float = 0) -> None:
    """Log in through the real form in a Playwright page and wait for ``next_path``.

    ``fill_seconds``: how long a person takes, for apps with a minimum fill time.
    """
    page.goto(f"{base_url}/staff/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.wait_for_timeout(fill_seconds * 1000)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")

# --- search ---
SEARCH_COMBOS = [("sqlite", "whoosh"), ("postgresql", "whoosh"), ("postgresql", "postgres")]


@pytest.fixture(params=SEARCH_COMBOS, ids=[f"{d}-{b}" for d, b in SEARCH_COMBOS])
def search_app(request, tmp_path):
    """An app per search backend and database pairing, with an empty index."""
    kind, backend = request.param
    for url in _database(request, tmp_path, kind):
        if backend == "postgres":
            engine = make_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM search_documents"))
            engine.dispose()
        yield from make_test_app(tmp_path, url, SEARCH_BACKEND=backend)

"""The static site build: database data on the site, sanitising, atomic swap, debouncing."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from hub_api import childproc
from hub_api.config import ROOT, load_config
from hub_api.db import Base, make_engine, session_scope
from hub_api.models import Answer, Person, Question, Topic
from hub_api.signals import email_opt_in, question_asked
from hub_api.site import builder as publish
from hub_api.site.builder import Builder, BuildError, build_site

from .conftest import site_files

PUBLIC_URL = "https://hub.example.com"

EVIL_ARTICLE = """\
Title: <script>alert(1)</script> Evil title
Date: 2025-05-01 10:00
Slug: evil
Source_url: javascript:alert(1)
Source_name: Evil Weekly
Topics: networking
Curator: Mallory
Note: <script>alert(2)</script> note
Summary: <script>alert(3)</script> summary <img src=x onerror=alert(1)>

<script>alert(1)</script>

<img src=x onerror=alert(1)>

[x](javascript:alert(1))

<svg onload=alert(1)><circle r="1"/></svg>

<img src="https://tracker.example/pixel.gif" alt="pixel">

<iframe src="https://evil.example/"></iframe>

Plain words survive.
"""


def make_instance(tmp: Path, mp: pytest.MonkeyPatch, *, data: bool = True,
                  tables: bool = True) -> dict:
    """A private instance: SQLite database, content copy with an XSS article, site link."""
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "curated" / "evil.md").write_text(EVIL_ARTICLE)
    url = f"sqlite:///{tmp / 'candor.db'}"
    for key, value in {
        "INSTANCE": tmp / "instance", "DATABASE_URL": url, "CONTENT": content,
        "SITE": tmp / "site", "PUBLIC_URL": PUBLIC_URL, "SITENAME": "Northwind Hub",
        "TIMEZONE": "Europe/Berlin",
    }.items():
        mp.setenv(f"CANDOR_{key}", str(value))
    mp.delenv("CANDOR_PELICANCONF", raising=False)
    engine = make_engine(url)
    if tables:
        Base.metadata.create_all(engine)
    if data:
        with session_scope(engine) as s:
            networking = Topic(slug="networking", name="Networking", description="Wi-Fi, switching")
            dana = Person(
                slug="dana-ortiz", name="Dana Ortiz", job_title="Network Engineer",
                email="dana@example.com", password_hash="x", roles="staff,admin",
                bio="Builds **warehouse Wi-Fi**. <script>alert(1)</script>", topics=[networking],
            )
            question = Question(
                title="Does the NW-24 switch support PoE++?", body="b", body_html="<p>b</p>",
                display_name="Alex", topic=networking, manage_token_hash="t1",
                status="answered", created_at=datetime(2025, 1, 6, 9, 0),
            )
            question.answers.append(Answer(
                person=dana, body="Yes.", body_html="<p>Yes.</p>",
                created_at=datetime(2025, 1, 6, 12, 0),
            ))
            still_open = Question(
                title="An open question stays off the site", body="b", body_html="<p>b</p>",
                display_name="Bo", topic=networking, manage_token_hash="t2",
            )
            s.add_all([networking, dana, question, still_open])
    engine.dispose()
    return load_config()


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_instance(tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build shared by the read-only assertions below (a build takes about a second)."""
    with pytest.MonkeyPatch.context() as mp:
        config = make_instance(tmp_path_factory.mktemp("built"), mp)
        build = build_site(config)
        yield config, build


def builds(config) -> list[Path]:
    """The build folders (the curated trees they share live in ``curated/``)."""
    return sorted(p for p in publish.builds_dir(config["SITE"]).iterdir()
                  if p.name != publish.TREES)


def test_build_swaps_in_a_symlink(built):
    config, build = built
    site = config["SITE"]
    assert site.is_symlink()
    assert site.resolve() == build.resolve()
    assert (site / "index.html").is_file()
    assert (site / "theme").is_dir()


def test_front_page_shows_people_and_answers(built):
    config, _ = built
    index = (config["SITE"] / "index.html").read_text()
    assert 'id="people"' in index and 'id="topics"' in index
    assert "Dana Ortiz" in index
    assert "Does the NW-24 switch support PoE++?" in index
    assert "Answered by" in index and "(Network Engineer)" in index
    assert "in 3 h" in index
    assert '<time datetime="2025-01-06T12:00:00Z">' in index
    assert "An open question stays off the site" not in index
    assert "/curated/wifi-7-in-the-warehouse/" in index


def test_people_and_topic_pages(built):
    config, _ = built
    site = config["SITE"]
    person = (site / "people" / "dana-ortiz" / "index.html").read_text()
    assert "<strong>warehouse Wi-Fi</strong>" in person
    assert "Does the NW-24 switch support PoE++?" in person
    assert 'href="/ask?person=dana-ortiz"' in person
    topic = (site / "topics" / "networking" / "index.html").read_text()
    assert 'href="/ask?topic=networking"' in topic
    assert "Dana Ortiz" in topic and "Does the NW-24 switch support PoE++?" in topic
    assert "/curated/zero-trust-for-mid-sized-networks/" in topic  # Topics: security, networking
    assert "/curated/pcb-lead-times-2025/" not in topic  # Topics: hardware, support
    assert (site / "about" / "index.html").is_file()
    assert (site / "curated" / "pcb-lead-times-2025" / "index.html").is_file()


def test_no_unwanted_pages(built):
    config, _ = built
    site = config["SITE"]
    for name in ("author", "authors.html", "tag", "tags.html", "category", "categories.html",
                 "archives.html", "drafts"):
        assert not (site / name).exists(), name


def test_feeds_link_to_the_public_url(built):
    config, _ = built
    site = config["SITE"]
    feed = (site / "feeds" / "all.atom").read_text()
    assert f"{PUBLIC_URL}/curated/wifi-7-in-the-warehouse/" in feed
    topic_feed = (site / "feeds" / "networking.atom").read_text()
    assert f'href="{PUBLIC_URL}/feeds/networking.atom"' in topic_feed
    assert "zero-trust-for-mid-sized-networks" in topic_feed
    # Pages link root-relative; only the canonical address and link previews are absolute.
    front = (site / "index.html").read_text()
    assert f'<link rel="canonical" href="{PUBLIC_URL}/">' in front
    assert f'<meta property="og:url" content="{PUBLIC_URL}/">' in front
    assert f'href="{PUBLIC_URL}' not in front.replace('<link rel="canonical" href="', "")


def test_no_script_reaches_the_site(built):
    config, _ = built
    site = config["SITE"]
    files = site_files(site, ".html")
    assert len(files) >= 7
    for path in files:
        text = path.read_text().lower().replace('<script type="application/ld+json">', "")
        for needle in ("<script", "onerror", "onload", "javascript:", "<iframe", "<svg",
                       "tracker.example"):
            assert needle not in text, f"{needle} in {path.relative_to(site)}"
    evil = (site / "curated" / "evil" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Evil title" in evil
    assert "Plain words survive." in evil
    for path in site_files(site / "feeds"):
        assert "<script" not in path.read_text()


def test_each_build_switches_the_link_and_prunes_older_ones(config):
    # A real folder from the old layout is replaced once, then pruned like any build.
    config["SITE"].mkdir()
    (config["SITE"] / "stale.html").write_text("old")
    first = build_site(config)
    assert config["SITE"].is_symlink() and config["SITE"].resolve() == first.resolve()
    assert len(builds(config)) == 2  # the old folder stays for readers mid-request
    second = build_site(config)
    assert config["SITE"].resolve() == second.resolve()
    assert builds(config) == sorted([first, second])
    assert not any(p.name == "stale.html" for p in config["SITE"].parent.rglob("*"))
    third = build_site(config)
    assert config["SITE"].resolve() == third.resolve()
    assert not first.exists()
    assert builds(config) == sorted([second, third])


def test_background_builds_prune_older_ones_after_publishing(config):
    from hub_api.site import builder

    first = build_site(config, prewarm=True)
    second = build_site(config, prewarm=True)
    third = build_site(config, prewarm=True)
    try:
        assert config["SITE"].resolve() == third.resolve()
        for thread in [t for t in threading.enumerate() if t.name == "candor-prune"]:
            thread.join()
        assert not first.exists()
        assert builds(config) == sorted([second, third])
    finally:
        for child in builder._spares.values():
            child.kill()
        builder._spares.clear()


def test_failed_build_leaves_the_site_alone(config, tmp_path, monkeypatch):
    good = build_site(config)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pelicanconf.py").write_text("SITENAME = 'x'\n")
    (broken / "publishconf.py").write_text("from pelicanconf import *\nTHEME = (\n")
    monkeypatch.setenv("CANDOR_PELICANCONF", str(broken / "pelicanconf.py"))
    with pytest.raises(BuildError, match="SyntaxError") as info:
        build_site(load_config())
    assert "\n" not in str(info.value)
    assert config["SITE"].resolve() == good.resolve()
    assert builds(config) == [good]


def test_database_without_tables_fails_clearly(tmp_path, monkeypatch):
    config = make_instance(tmp_path, monkeypatch, data=False, tables=False)
    with pytest.raises(BuildError, match="candor init"):
        build_site(config)
    assert not config["SITE"].exists()


def test_empty_database_builds(tmp_path, monkeypatch):
    config = make_instance(tmp_path, monkeypatch, data=False)
    build_site(config)
    index = (config["SITE"] / "index.html").read_text()
    assert "No one is answering questions here yet." in index
    assert "No answered questions yet." in index


def test_builder_debounces_rapid_requests_into_one_build(config):
    builder = Builder(config, debounce=0.3)
    for _ in range(5):
        builder.request()
    assert builder.wait_idle(60)
    assert builder.builds == 1
    assert builder.last_error is None
    assert len(builds(config)) == 1
    assert (config["SITE"] / "index.html").is_file()


def test_requests_during_a_build_cause_exactly_one_more():
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_build(_config, **_):
        calls.append(1)
        started.set()
        release.wait(10)
        return Path("/nowhere")

    builder = Builder({}, debounce=0.01, build=slow_build)
    builder.request()
    assert started.wait(10)
    for _ in range(5):
        builder.request()
    release.set()
    assert builder.wait_idle(10)
    assert len(calls) == 2


def test_builder_logs_failures_instead_of_raising(caplog):
    def failing(_config, **_):
        raise BuildError("template index.html is broken")

    builder = Builder({}, debounce=0, build=failing)
    with caplog.at_level(logging.ERROR, logger="hub_api.site.builder"):
        builder.request()
        assert builder.wait_idle(10)
    assert builder.last_error == "template index.html is broken"
    assert "template index.html is broken" in caplog.text


def _app(config: dict, **extra) -> Flask:
    app = Flask("candor_test")
    app.config.update(config, AUTO_BUILD=True, BUILD_DEBOUNCE=0.01, **extra)
    publish.init_app(app)
    return app


def test_site_events_request_a_build_for_their_own_app_only(config):
    app, other = _app(config), _app(config)
    calls = []
    app.extensions["candor_builder"]._build = lambda cfg, **_: calls.append(cfg) or Path("/x")
    other.extensions["candor_builder"]._build = lambda cfg, **_: pytest.fail("wrong app built")
    handlers = app.extensions["candor_effects"]  # what the leader runs for each event
    assert email_opt_in.name not in handlers  # no static page shows an email opt-in
    for handler in handlers[question_asked.name]:  # a new question: /questions/, sitemap
        handler(app, None, id=1)
    assert app.extensions["candor_builder"].wait_idle(5)
    assert len(calls) == 1
    assert other.extensions["candor_builder"].wait_idle(5)


def test_no_builder_without_auto_build(config):
    app = Flask("candor_test")
    app.config.update(config, AUTO_BUILD=False)
    publish.init_app(app)
    assert "candor_builder" not in app.extensions


def test_build_command(config, tmp_path, monkeypatch):
    """``flask --app hub_api build``: the app's own settings (here a test config)."""
    from hub_api.cli import app_build_command

    app = _app(config)
    app.cli.add_command(app_build_command)
    result = app.test_cli_runner().invoke(args=["build"])
    assert result.exit_code == 0, result.output
    assert "Built site in" in result.output and str(config["SITE"]) in result.output

    monkeypatch.setattr(publish, "run_pelican", _raise_build_error)
    result = app.test_cli_runner().invoke(args=["build"])
    assert result.exit_code == 1
    assert "Build failed: no theme" in result.output


def _raise_build_error(_config, _outdir, **_options):
    raise BuildError("no theme")


def _run_python(code: str) -> subprocess.CompletedProcess:
    """``code`` in a new interpreter (this one has other tests' threads), with this test's
    ``CANDOR_*`` environment."""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_build_command_forks_its_child(config):
    """``candor build`` has imported Pelican and the database layer: its child is a fork, not
    a new interpreter that imports them again (half a second per build); it needs no web app
    (another half second)."""
    result = _run_python(
        "import sys\n"
        "from hub_api import childproc\n"
        "childproc.Child.start = lambda *a, **k: sys.exit('started a new interpreter')\n"
        "from hub_api.cli import main\n"
        "main(['build'], standalone_mode=False)\n"
        "assert 'hub_api.views' not in sys.modules, 'the web app was created'\n"
        "print('no app')\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Built site in" in result.stdout and "no app" in result.stdout
    assert (config["SITE"] / "index.html").is_file()


def test_a_malformed_setting_is_one_line_for_build_and_app_commands(config):
    for args in (["build"], ["staff", "list"]):
        result = subprocess.run(
            [sys.executable, "-c", "from hub_api.cli import main; main()", *args], cwd=ROOT,
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "CANDOR_BUILD_DEBOUNCE": "soon"})
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("Error: could not convert")


def test_builds_fork_only_a_single_threaded_process():
    """A fork copies one thread: a lock another thread held would stay held in the child.
    A timer thread (the rate limiter's memory storage starts one) is waited for."""
    result = _run_python(
        "import threading\n"
        "from hub_api.childproc import can_fork\n"
        "threading.Timer(0.01, lambda: None).start()\n"
        "assert can_fork()\n"
        "done = threading.Event()\n"
        "threading.Thread(target=done.wait).start()\n"
        "assert not can_fork()\n"
        "done.set()\n"
    )
    assert result.returncode == 0, result.stderr


def test_a_forked_build_past_its_timeout_is_killed(monkeypatch):
    child = childproc.Child.fork(lambda _out: time.sleep(60) or 0)
    started = time.monotonic()
    with pytest.raises(childproc.ChildError, match="took longer than 0.3 s") as failed:
        child.result(0.3, "a build")
    assert failed.value.status is None
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("status", [0, 3])
def test_a_child_that_said_its_status_is_not_waited_for(status):
    """A build child says its status and closes its output before it exits (the exit frees
    what it read): its parent has the result then, not when the process is gone."""
    started = time.monotonic()
    child = childproc.Child.start("tests.late_exit", str(status))
    try:
        if status:
            with pytest.raises(childproc.ChildError, match="it failed, in one line") as failed:
                child.result(20, "a build")
            assert failed.value.status == status
        else:
            assert child.result(20, "a build") == b"built\n"
        assert time.monotonic() - started < 15 and child.alive()
    finally:
        os.kill(child.pid, signal.SIGKILL)

"""Incremental publishing: a pick or an answer re-renders only what it touches, and the
result is what a full build gives; readers never see a half-published site."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import brotli
import pytest

from hub_api.config import load_config
from hub_api.db import make_engine, session_scope
from hub_api.models import Answer, Person, Question, Topic
from hub_api.site import builder as publish
from hub_api.site.builder import BuildError, build_site, builds_dir
from hub_api.site.pelican_internals import ReadCache
from hub_api.site.settings import cache_path

from .conftest import built_pages
from .test_publish import make_instance

PICK = """Title: {title}
Date: 2026-11-22 10:00
Slug: {slug}
Curator: Dana Ortiz
Topics: networking
Note: Why it matters.

<script>alert("pick")</script><img src="https://tracker.example/p.gif" alt="t">

Body of {slug}.
"""
def pick(config: dict, slug: str) -> None:
    path = Path(config["CONTENT"]) / "curated" / f"{slug}.md"
    path.write_text(PICK.format(title=f"Pick {slug}", slug=slug))


def answer(config: dict, title: str) -> None:
    engine = make_engine(config["DATABASE_URL"])
    with session_scope(engine) as s:
        topic = s.query(Topic).filter_by(slug="networking").one()
        dana = s.query(Person).filter_by(slug="dana-ortiz").one()
        question = Question(title=title, body="b", body_html="<p>b</p>", display_name="Kim",
                            topic=topic, manage_token_hash=title, status="answered",
                            created_at=datetime(2026, 11, 20, 9, 0))
        question.answers.append(Answer(person=dana, body="Yes.", body_html="<p>Yes.</p>",
                                       created_at=datetime(2026, 11, 20, 10, 0)))
        s.add(question)
    engine.dispose()


def tree(build: Path) -> Path:
    return (build / "curated").resolve()


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_instance(tmp_path, monkeypatch)


def test_picks_and_answers_published_incrementally_equal_a_full_build(config):
    shared = tree(build_site(config))
    pick(config, "first-pick")
    second = build_site(config)
    assert tree(second) == shared  # no article page re-rendered, the tree is shared
    assert "/curated/first-pick/" in (second / "index.html").read_text()
    added = second / "curated" / "first-pick" / "index.html"
    for suffix in (".br", ".gz"):  # the page added to the shared tree is compressed too
        assert added.with_name("index.html" + suffix).stat().st_mtime >= added.stat().st_mtime
    answer(config, "Can the NW-24 stack four high?")
    third = build_site(config)
    assert tree(third) == shared
    assert "Can the NW-24 stack four high?" in (third / "index.html").read_text()
    pick(config, "second-pick")
    fourth = build_site(config)
    assert "Pick second-pick" in (fourth / "topics" / "networking" / "index.html").read_text()

    # Pages linked unchanged from the live build bring their variants; changed pages get new
    # ones: every variant is its page's bytes.
    for variant in fourth.rglob("*.gz"):
        page = variant.with_suffix("")
        assert gzip.decompress(variant.read_bytes()) == page.read_bytes(), variant
        if (br := page.with_name(page.name + ".br")).exists():
            assert brotli.decompress(br.read_bytes()) == page.read_bytes(), br

    full = build_site(config, full=True)
    assert tree(full) != tree(fourth)
    incremental, rebuilt = built_pages(fourth), built_pages(full)
    assert sorted(incremental) == sorted(rebuilt)
    assert [name for name in rebuilt if incremental[name] != rebuilt[name]] == []
    assert "curated/second-pick/index.html" in rebuilt
    # Builds pruned with their trees; the live and the previous build keep theirs.
    assert sorted(p.name for p in (builds_dir(config["SITE"]) / "curated").iterdir()
                  if p.is_dir()) == sorted({tree(fourth).name, tree(full).name})


def test_a_picked_article_page_is_sanitised(config):
    build_site(config)
    pick(config, "hostile-pick")
    page = (build_site(config) / "curated" / "hostile-pick" / "index.html").read_text()
    assert "Body of hostile-pick." in page
    assert "<script>alert" not in page
    assert "tracker.example" not in page


def test_an_edited_article_or_a_renamed_curator_gets_a_full_build(config):
    pick(config, "dana-pick")
    first = build_site(config)
    first_tree = tree(first)
    source = Path(config["CONTENT"]) / "curated" / "pcb-lead-times-2025.md"
    source.write_text(source.read_text().replace("Title: Why PCB", "Title: Edited: why PCB"))
    second = build_site(config)
    assert tree(second) != first_tree  # the live tree is never rewritten in place
    assert "Edited: why PCB" in (second / "curated" / "pcb-lead-times-2025" / "index.html"
                                 ).read_text()
    assert "Edited: why PCB" not in (first / "curated" / "pcb-lead-times-2025" / "index.html"
                                     ).read_text()
    engine = make_engine(config["DATABASE_URL"])
    with session_scope(engine) as s:
        s.query(Person).filter_by(slug="dana-ortiz").update({"job_title": "Head of Wi-Fi"})
    engine.dispose()
    second_tree = tree(second)
    third = build_site(config)
    assert tree(third) != second_tree
    assert "Head of Wi-Fi" in (third / "curated" / "dana-pick" / "index.html").read_text()


def test_readers_during_incremental_publishing_see_the_old_or_the_new_site(config):
    build_site(config)
    site = config["SITE"]
    problems: list[str] = []
    reads = 0
    done = threading.Event()

    def reader() -> None:
        nonlocal reads
        while not done.is_set():
            try:
                index = (site / "index.html").read_text()
            except OSError as exc:
                problems.append(f"front page: {exc}")
                continue
            for slug in re.findall(r'href="/curated/([^/"]+)/"', index):
                if not (site / "curated" / slug / "index.html").is_file():
                    problems.append(f"front page links the missing page {slug}")
            reads += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for k in range(3):
            pick(config, f"reader-pick-{k}")
            build_site(config)
    finally:
        done.set()
        thread.join()
    assert problems == []
    assert reads > 10
    assert "/curated/reader-pick-2/" in (site / "index.html").read_text()


def test_a_failed_incremental_build_keeps_the_live_site(config, tmp_path, monkeypatch):
    live = build_site(config)
    record = Path(str(tree(live)) + ".json").read_text()
    pick(config, "doomed-pick")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pelicanconf.py").write_text("SITENAME = 'x'\n")
    (broken / "publishconf.py").write_text("from pelicanconf import *\nTHEME = (\n")
    monkeypatch.setenv("CANDOR_PELICANCONF", str(broken / "pelicanconf.py"))
    with pytest.raises(BuildError, match="SyntaxError"):
        build_site(load_config())
    assert config["SITE"].resolve() == live.resolve()
    assert "doomed-pick" not in (config["SITE"] / "index.html").read_text()
    assert Path(str(tree(live)) + ".json").read_text() == record
    assert [p for p in builds_dir(config["SITE"]).iterdir() if p.name != "curated"] == [live]
    monkeypatch.delenv("CANDOR_PELICANCONF")
    assert "/curated/doomed-pick/" in (build_site(load_config()) / "index.html").read_text()


def test_background_builds_hand_over_to_a_prewarmed_child(config):
    build_site(config, prewarm=True)
    (spare,) = publish._spares.values()
    try:
        pick(config, "warm-pick")
        build = build_site(config, prewarm=True)
        assert spare.status == 0  # it ran this build, then ended
        (successor,) = publish._spares.values()
        assert successor is not spare and successor.alive()
        assert "/curated/warm-pick/" in (build / "index.html").read_text()
    finally:
        for child in publish._spares.values():
            child.kill()
        publish._spares.clear()


READ_AHEAD_BUILD = """
import sys
from pathlib import Path
from hub_api.config import load_config
from hub_api.site import child, read_ahead, settings
read_ahead.READ_AHEAD_FROM = int(sys.argv[2])
counted = read_ahead.read_ahead
read_ahead.read_ahead = lambda generator: print("read ahead", n := counted(generator)) or n
sys.exit(child.run(child.Job(Path(sys.argv[1]), False, settings.build_config(load_config()))))
"""


def test_a_cold_build_read_on_two_cores_equals_one_read_in_order(config, tmp_path):
    """A fork reads half of a cold build's articles: the site is the same, and a broken or
    invalid file is still reported, once."""
    for n in range(40):
        pick(config, f"pick-{n:02d}")
    curated = Path(config["CONTENT"]) / "curated"
    (curated / "broken-date.md").write_text("Title: Broken\nDate: not a date\n\nText.\n")
    (curated / "no-title.md").write_text("Date: 2026-11-22 10:00\n\nNo title here.\n")
    outputs = {}
    for label, threshold in (("two cores", 10), ("in order", 10**9)):
        out = tmp_path / label
        out.mkdir()
        (out / "curated").mkdir()
        result = subprocess.run([sys.executable, "-c", READ_AHEAD_BUILD, str(out),
                                 str(threshold)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        outputs[label] = (built_pages(out), result)
    (parallel, two), (serial, one) = outputs["two cores"], outputs["in order"]
    total = len(list(curated.glob("*.md")))
    assert f"read ahead {total - 2}" in two.stdout and "read ahead 0" in one.stdout
    assert sorted(parallel) == sorted(serial) and "curated/pick-39/index.html" in parallel
    assert [name for name in serial if parallel[name] != serial[name]] == []
    for log in (two.stderr, one.stderr):
        assert log.count("broken-date.md") == 1 and log.count("no-title.md") == 1, log


CACHED_BUILD = """
import os, sys
from pathlib import Path
from hub_api.config import load_config
from hub_api.site import child, settings
from hub_api.site.pelican_internals import ReadCache
cache = settings.cache_path(Path(load_config()["INSTANCE"])) / "Articles"
read = ReadCache.load(cache)
assert read.current(cache) is read.data
for _stamp, article in read.data.values():
    article.title = "Read ahead: " + article.title  # shows what the build used
if sys.argv[2] == "changed":
    os.utime(cache, ns=(0, 1))  # as if a build had rewritten it since
sys.exit(child.run(child.Job(Path(sys.argv[1]), False, settings.build_config(load_config())),
                   read))
"""


def test_a_waiting_child_builds_from_the_cache_it_read_unless_it_changed(config, tmp_path):
    build_site(config)  # writes Pelican's content cache
    for case in ("same", "changed"):
        out = tmp_path / case
        (out / "curated").mkdir(parents=True)
        result = subprocess.run([sys.executable, "-c", CACHED_BUILD, str(out), case],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        page = (out / "index.html").read_text()  # article pages: linked from the live build
        assert ("Read ahead: " in page) == (case == "same"), case


def test_a_damaged_content_cache_is_left_to_pelican(config):
    build_site(config)
    cache = cache_path(Path(config["INSTANCE"])) / "Articles"
    cache.write_bytes(b"\x1f\x8b damaged")
    assert ReadCache.load(cache) is None
    try:
        build_site(config, prewarm=True)  # leaves a child waiting, which reads the damaged file
        pick(config, "after-damage")
        build = build_site(config, prewarm=True)
        assert "/curated/after-damage/" in (build / "index.html").read_text()
    finally:
        for child in publish._spares.values():
            child.kill()
        publish._spares.clear()


def test_content_caches_of_other_code_versions_are_deleted(config):
    build_site(config)
    caches = Path(config["INSTANCE"]) / "pelican-cache"
    (current,) = caches.iterdir()
    old = caches / "0123456789abcdef"  # left by an earlier version of the code
    old.mkdir()
    (old / "Articles").write_bytes(b"x" * 1000)
    build_site(config)
    assert list(caches.iterdir()) == [current] and (current / "Articles").is_file()

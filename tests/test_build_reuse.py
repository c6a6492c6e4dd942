"""Incremental builds: unchanged article pages are linked from the live build, never stale."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hub_api.db import make_engine, session_scope
from hub_api.models import Person
from hub_api.site.builder import build_site

from .test_publish import make_instance


def inode(path: Path) -> int:
    return os.stat(path).st_ino


def test_a_pick_reuses_unchanged_pages_and_renders_changed_ones(tmp_path, monkeypatch):
    config = make_instance(tmp_path, monkeypatch)
    curated = Path(config["CONTENT"]) / "curated"
    first = build_site(config)
    page = Path("curated/wifi-7-in-the-warehouse/index.html")
    edited = Path("curated/pcb-lead-times-2025/index.html")

    time.sleep(0.05)  # mtimes after the first build's start
    (curated / "fresh.md").write_text("Title: Fresh pick\nDate: 2026-11-22 10:00\nSlug: fresh\n"
                                      "Curator: Dana Ortiz\nNote: New.\n\nBody.\n")
    source = curated / "pcb-lead-times-2025.md"
    source.write_text(source.read_text().replace("Title: Why PCB", "Title: Edited: why PCB"))
    second = build_site(config)
    assert inode(second / page) == inode(first / page)  # linked, not rendered
    assert inode(second / edited) != inode(first / edited)
    assert "Edited: why PCB" in (second / edited).read_text()
    assert "Fresh pick" in (second / "curated" / "fresh" / "index.html").read_text()
    assert "/curated/fresh/" in (second / "index.html").read_text()

    # A curator's new job title shows on every article they picked: nothing is reused.
    engine = make_engine(config["DATABASE_URL"])
    with session_scope(engine) as s:
        s.query(Person).filter_by(slug="dana-ortiz").update({"job_title": "Head of Wi-Fi"})
    engine.dispose()
    third = build_site(config)
    assert inode(third / page) != inode(second / page)
    assert "Head of Wi-Fi" in (third / "curated" / "fresh" / "index.html").read_text()
    # The build before stays intact for readers still on it.
    assert "Head of Wi-Fi" not in (second / "curated" / "fresh" / "index.html").read_text()

"""Numbered list pages, kept once and shared by every build that shows them.

At 100,000 questions the lists (``/questions/``, each topic's and state's, each person's
``answered/``) run to thousands of numbered pages, and a publish changes a handful. Linking
every unchanged page and its ``.br``/``.gz`` into each new build folder cost four
file-system calls a page on every publish. Instead a rendered page lives once, in
``<site>.builds/pages/<digest>/`` (the digest of all it shows: :meth:`ListReuse.digest`), a
list's numbered pages are a folder of links, ``lists/<digest>/<number> -> ../../pages/…``,
and a build links each list's ``page`` folder to that: an unchanged list costs the build one
link, a changed one a link per page. Nothing is ever written into a folder a reader may be
reading, so the swap of the whole site stays atomic. :func:`garbage` finds what no build
folder uses any more (run under the build lock, so no build is adding to the store).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from .encodings import write_variants
from .reuse import TREES

PAGES, LISTS = "pages", "lists"
RECORD = ".candor-store.json"  # in each build: the pages and lists it links
STAGING = ".staging"  # in a build folder: pages being rendered for the store


def builds_dir(site: Path) -> Path:
    """Where the builds live: ``site`` → ``site.builds``, next to the link."""
    site = Path(site)
    return site.with_name(site.name + ".builds")


class PageStore:
    """The store as one build uses it: adds the pages it lacks, links the build's lists."""

    def __init__(self, site: Path, output: str) -> None:
        builds = builds_dir(site)
        self.pages, self.lists, self.output = builds / PAGES, builds / LISTS, Path(output)
        self.used: dict[str, set[str]] = {PAGES: set(), LISTS: set()}
        # What the store holds, listed once (no build adds to it meanwhile: the build lock).
        self.present = {kind: set(os.listdir(folder)) if folder.is_dir() else set()
                        for kind, folder in ((PAGES, self.pages), (LISTS, self.lists))}

    def page(self, digest: str, render: Callable[[str], object]) -> None:
        """Make sure ``pages/<digest>/index.html`` exists; ``render(name)`` writes the page
        as ``name`` under the build folder (Pelican's writer writes nowhere else)."""
        self.used[PAGES].add(digest)
        if digest in self.present[PAGES]:
            return
        name = f"{STAGING}/{digest}/index.html"
        render(name)
        path = self.output / name
        write_variants(path, path.read_bytes())
        self.pages.mkdir(parents=True, exist_ok=True)
        os.rename(path.parent, self.pages / digest)
        self.present[PAGES].add(digest)

    def link_list(self, folder: str, pages: list[tuple[int, str]]) -> None:
        """Link the build's ``folder`` (``questions/page``) to a folder holding ``pages``
        (each a number and the digest of a page :meth:`page` stored)."""
        digest = hashlib.sha256(repr(pages).encode()).hexdigest()[:32]
        self.used[LISTS].add(digest)
        target = self.lists / digest
        if digest not in self.present[LISTS]:
            self.lists.mkdir(parents=True, exist_ok=True)
            tmp = self.lists / f"{STAGING}-{secrets.token_hex(4)}"
            tmp.mkdir()
            for number, page in pages:
                os.symlink(f"../../{PAGES}/{page}", tmp / str(number))
            os.rename(tmp, target)
            self.present[LISTS].add(digest)
        link = self.output / folder
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(target, link.parent), link)

    def save(self) -> None:
        """Record what this build links (what :func:`garbage` keeps)."""
        shutil.rmtree(self.output / STAGING, ignore_errors=True)
        (self.output / RECORD).write_text(json.dumps({k: sorted(v) for k, v in self.used.items()}))


def garbage(site: Path) -> list[Path]:
    """The store's entries that no build folder links (with what a build that died left
    half made); only safe while no build runs (under the build lock)."""
    builds = builds_dir(site)
    used: dict[str, set[str]] = {PAGES: set(), LISTS: set()}
    for build in builds.iterdir() if builds.is_dir() else []:
        if build.name in (PAGES, LISTS, TREES):
            continue
        try:
            record = json.loads((build / RECORD).read_text())
        except (OSError, ValueError):  # a build from before the store, or being pruned
            continue
        for kind, names in used.items():
            names.update(record.get(kind, []))
    return [entry for kind, names in used.items() if (builds / kind).is_dir()
            for entry in (builds / kind).iterdir() if entry.name not in names]

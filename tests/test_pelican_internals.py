"""Pelican internals Candor relies on are pinned: an upgrade that changes one fails here.

``hub_api/site/pelican_internals.py`` is the only module that touches Pelican beyond its plugin
API. When this test fails after a Pelican upgrade, read the changed function, adapt that
module (and only it), check the build tests, then update the pin below.
"""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path

from pelican.contents import Content
from pelican.generators import Generator

from hub_api.site.pelican_internals import INTERNALS, CandorArticlesGenerator

# Read from Pelican 4.12.0.
PINNED = {
    "Pelican._get_generator_classes": "18d46c73fad28de9",
    "MarkdownReader.read": "1c8cfd04d8822d57",
    "MarkdownReader._parse_metadata": "3f01f071bbc3672d",
    "Readers.__init__": "3026099450bc1e15",
    "Readers.read_file": "356c609e59c1b30a",
    "FileDataCacher.__init__": "0e94df62b258a9c2",
    "FileStampDataCacher.get_cached_data": "9e22f9c49dede667",
    "FileStampDataCacher.cache_data": "1278c0b3c9b2ca32",
    "CachingGenerator._get_file_stamp": "dde9e3575b898352",
    "CachingGenerator.__init__": "e7f8f4e24c65f7e5",
    "Generator._include_path": "36aa1046f557f1fa",
    "Generator.add_source_path": "b97d98266495284c",
    "Content.get_relative_source_path": "6c1f5107e08bf7ea",
    "ArticlesGenerator.generate_context": "16f8066e3e5b8a42",
    "ArticlesGenerator.generate_articles": "5494d418a930a36f",
    "PagesGenerator.__init__": "e5e9c5af32598ed6",
    "Content.__init__": "38b67e4211facf9d",
    "Content.get_content": "5b963ce7e6237a1b",
    "Content.get_summary": "4a3c3104bdebd41d",
}


def test_every_pelican_internal_used_is_unchanged():
    found = {f.__qualname__: hashlib.sha256(inspect.getsource(f).encode()).hexdigest()[:16]
             for f in INTERNALS}
    changed = {name for name, digest in found.items() if PINNED.get(name) != digest}
    assert not changed, f"Pelican changed {sorted(changed)}: adapt site/pelican_internals.py"
    assert set(found) == set(PINNED)


def test_no_other_module_reaches_into_pelican():
    """Only documented plugin API elsewhere: signals, Generator, Writer, contents classes,
    settings and the Pelican class itself."""
    site = Path(__file__).resolve().parent.parent / "hub_api"
    allowed = {"from pelican import signals", "from pelican.generators import Generator",
               "from pelican.writers import Writer",
               "from pelican.contents import Article, Page",
               "from pelican.settings import read_settings", "import pelican",
               "from pelican.settings import read_settings  # noqa: F401  (the imports are "
               "the point)"}
    for path in site.rglob("*.py"):
        if path.name == "pelican_internals.py":
            continue
        for line in path.read_text().splitlines():
            line = line.strip()
            if line.startswith(("from pelican", "import pelican")):
                assert line in allowed, f"{path.name}: {line}"
        assert "._content" not in path.read_text() or path.name == "pelican_internals.py"


def test_the_faster_file_tests_agree_with_pelicans(tmp_path):
    """``CandorArticlesGenerator`` answers Pelican's per-file questions its own faster way;
    the answers must be Pelican's."""
    settings = {"PATH": str(tmp_path / "content"), "IGNORE_FILES": ["**/.*", "*.bak", "#*"]}

    def generator(cls):
        made = object.__new__(cls)
        made.settings, made.context = settings, {"generated_content": {}}
        made.readers = type("Readers", (), {"extensions": ["md", "markdown", "html"]})()
        if cls is CandorArticlesGenerator:
            made.compile_paths(settings)
        return made

    ours, pelicans = generator(CandorArticlesGenerator), generator(Generator)
    names = ["a.md", ".hidden.md", "sub/.x.md", "b.bak", "c.rst", "d.markdown", "e.MD", "f",
             "#draft.md", "g.md.bak", "sub/dir/h.html", "i.tar.md"]
    for extensions in (None, False, ["rst"], ()):
        assert [ours._include_path(n, extensions) for n in names] == \
            [pelicans._include_path(n, extensions) for n in names]

    class Source:
        get_relative_source_path = Content.get_relative_source_path

        def __init__(self, path: str) -> None:
            self.source_path, self.settings = path, settings

    root = settings["PATH"]
    for path in (f"{root}/a.md", f"{root}/sub/b.md", f"{root}/sub/../c.md", f"{root}2/d.md",
                 f"{root}//e.md", str(tmp_path / "elsewhere.md"), f"{root}/./f.md"):
        for made in (ours, pelicans):
            made.add_source_path(Source(path))
    found = [{key: c.source_path for key, c in made.context["generated_content"].items()}
             for made in (ours, pelicans)]
    assert found[0] == found[1] and len(found[0]) == 7

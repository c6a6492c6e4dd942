"""Pelican internals Candor relies on are pinned: an upgrade that changes one fails here.

``hub_api/site/pelican_internals.py`` is the only module that touches Pelican beyond its plugin
API. When this test fails after a Pelican upgrade, read the changed function, adapt that
module (and only it), check the build tests, then update the pin below.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from pathlib import Path

from pelican.contents import Content
from pelican.generators import Generator

from hub_api.site import reuse
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
    "FileStampDataCacher._get_file_stamp": "771a0b92fd2c314a",
    "CachingGenerator.__init__": "e7f8f4e24c65f7e5",
    "Generator._include_path": "36aa1046f557f1fa",
    "Generator._check_disabled_readers": "a13599cd609ed1d3",
    "Generator.add_static_links": "6a34351937a06fef",
    "Content.get_static_links": "5236441e4de8c044",
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


def test_files_no_reader_can_read_are_still_reported(tmp_path):
    """The articles generator skips Pelican's second listing of the content folder only when
    no reader is disabled (it would find nothing); otherwise such files are reported."""
    content = tmp_path / "content"
    (content / "sub").mkdir(parents=True)
    for name in ("a.md", "sub/b.rst", "c.txt"):
        (content / name).write_text("x")
    checked: list[str] = []

    class Readers:
        extensions = ["md"]

        def __init__(self, disabled: list[str]) -> None:
            self.disabled_extensions = disabled

        def check_file(self, path: str) -> None:
            checked.append(Path(path).name)

    for disabled, reported in ((["rst"], ["b.rst"]), (["rst", "txt"], ["b.rst", "c.txt"]),
                               ([], [])):
        made = object.__new__(CandorArticlesGenerator)
        made.settings = {"PATH": str(content), "IGNORE_FILES": ["**/.*"]}
        made.path, made.readers = str(content), Readers(disabled)
        made.compile_paths(made.settings)
        checked.clear()
        made._check_disabled_readers([""], exclude=[])
        assert sorted(checked) == reported


def test_static_links_are_found_as_pelican_finds_them(tmp_path):
    """Only an article whose text holds ``static`` or ``attach`` is searched for links to
    static files; what is found is what Pelican finds."""
    settings = {"PATH": str(tmp_path), "IGNORE_FILES": [],
                "INTRASITE_LINK_REGEX": "[{|](?P<what>.*?)[|}]"}

    class Text:
        get_static_links = Content.get_static_links
        _get_intrasite_link_regex = Content._get_intrasite_link_regex
        get_relative_source_path = Content.get_relative_source_path
        relative_dir = "curated"

        def __init__(self, text: str) -> None:
            self._content, self.settings = text, settings
            self.source_path = str(tmp_path / "curated" / "a.md")

    texts = ['<img src="{static}/images/a.png">', '<a href="{attach}b.pdf">b</a>',
             '<a href="{filename}/c.md">c</a>', "<p>static noise, no link</p>", "",
             '<a href="|static|/d.png">d</a>', "<p>plain</p>"]
    found = []
    for cls in (CandorArticlesGenerator, Generator):
        made = object.__new__(cls)
        made.context = {"static_links": set()}
        for text in texts:
            made.add_static_links(Text(text))
        found.append(made.context["static_links"])
    assert found[0] == found[1] == {"images/a.png", "curated/b.pdf", "d.png"}


def test_a_build_sees_each_sources_time_once(tmp_path):
    """Pelican's stamp of a source and Candor's own checks share one look per build: the
    time first seen holds until the next build begins (what was read matches it)."""
    source = tmp_path / "curated" / "a.md"
    source.parent.mkdir()
    source.write_text("x")
    os.utime(source, (1_000_000, 1_000_000))
    made = object.__new__(CandorArticlesGenerator)
    made.settings, made.path = {"CHECK_MODIFIED_METHOD": "mtime"}, str(tmp_path)
    reuse.begin()
    assert made._get_file_stamp("curated/a.md") == 1_000_000 == reuse.source_mtime(str(source))
    os.utime(source, (2_000_000, 2_000_000))
    assert made._get_file_stamp("curated/a.md") == 1_000_000
    assert reuse.source_mtime(str(tmp_path / "gone.md")) < 0
    reuse.begin()
    assert reuse.source_mtime(str(source)) == 2_000_000 == made._get_file_stamp("curated/a.md")

"""Every reader page is valid HTML by the Nu HTML checker (the W3C's validator, run locally from
the npm package ``vnu-jar`` with Java), even when its content is made of hostile input."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from hub_api.site.builder import build_site

from .conftest import need_service, npm_package, site_files
from .test_xss import PAYLOAD, hostile_hub

PICK = f"""Title: A pick with <b>markup</b> in its title
Date: 2026-11-22 10:00
Slug: hostile-pick
Curator: Dana Ortiz
Topics: networking
Note: Why it matters: [no target](javascript:alert(1)) and <a rel="nofollow">bare</a>.

{PAYLOAD}

<a rel="nofollow">A link that lost its target</a> and <a href="https://example.com/ok">one</a>.
"""


def nu_errors(files: list[Path]) -> list[str]:
    """What the Nu HTML checker calls an error in ``files``, one line each."""
    java = shutil.which("java")
    if java is None:
        need_service("Java", "the Nu HTML checker runs on Java 11 or newer")
    vnu = npm_package("vnu", "vnu-jar@26") / "node_modules" / "vnu-jar" / "build" / "dist"
    result = subprocess.run([java, "-jar", str(vnu / "vnu.jar"), "--errors-only",
                             "--format", "json", *map(str, files)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return ["/".join(m.get("url", "?").rsplit("/", 2)[-2:]) + f":{m.get('lastLine', '?')}: "
            + m["message"] for m in messages]


def test_the_checker_finds_an_error():
    """A link without a target and a stray end tag are errors, or the test below proves
    nothing."""
    assert nu_errors([Path(__file__).parent / "data" / "invalid.html"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_reader_page_is_valid_even_with_hostile_content(app, client, staff, people,
                                                              runner, tmp_path):
    question, token, _answer = hostile_hub(app, client, staff, runner)
    (Path(app.config["CONTENT"]) / "curated" / "hostile-pick.md").write_text(PICK)
    pages = site_files(build_site(app.config), ".html")
    assert any("hostile-pick" in p.parts for p in pages)
    served = tmp_path / "served"
    served.mkdir()
    for n, path in enumerate([question.url, f"/manage/{token}", "/ask",
                              "/ask?title=%3Cscript%3E", "/search?q=%3Cb%3Enorway",
                              "/search?q=nothing+matches+this", "/no/such/page"]):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        (served / f"{n}.html").write_text(response.text)
        pages.append(served / f"{n}.html")
    errors = nu_errors(pages)
    assert errors == [], "\n".join(errors)

"""Importing a real Stack Exchange dump: credited, sanitised, idempotent, searchable."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from hub_api.db import session_scope
from hub_api.models import Answer, ImportedAnswer, Question

COFFEE = Path("/work/shared/data/stackexchange/coffee-Posts.xml")


def counts(app) -> tuple[int, int, int]:
    with session_scope(app.extensions["candor_engine"]) as session:
        return (session.scalar(select(func.count(Question.id))),
                session.scalar(select(func.count(ImportedAnswer.id))),
                session.scalar(select(func.count(Answer.id))))


def test_import_coffee_twice_adds_nothing(app, runner, client):
    result = runner.invoke(args=["import", "stackexchange", str(COFFEE), "--limit", "25"])
    assert result.exit_code == 0, result.output
    assert "Imported 25 questions" in result.output and "coffee.stackexchange.com" in result.output
    questions, imported, staff_answers = counts(app)
    assert questions == 25 and imported > 20 and staff_answers == 0  # never credited to staff
    again = runner.invoke(args=["import", "stackexchange", str(COFFEE), "--limit", "25"])
    assert "Imported 0 questions and 0 answers" in again.output
    assert counts(app) == (questions, imported, 0)

    with session_scope(app.extensions["candor_engine"]) as session:
        accepted = session.scalar(select(ImportedAnswer).where(ImportedAnswer.accepted))
        qid, source, author = accepted.question_id, accepted.source_url, accepted.author
    page = client.get(f"/q/{qid}", follow_redirects=True).text
    assert source in page and author in page and "CC BY-SA" in page and "Accepted answer" in page
    assert "<img" not in page  # remote images never load: the sanitiser drops them
    hits = client.get("/api/v1/search?q=whole+bean+coffee+storage").json["results"]
    assert hits and hits[0]["answered"]
    similar = client.get("/api/v1/similar?q=how to store coffee beans").json["results"]
    assert similar


def test_import_refuses_bad_input(app, runner, tmp_path):
    bad = tmp_path / "beer-Posts.xml"
    bad.write_text("<posts><row Id='1'")
    for args in ([str(bad)], [str(tmp_path / "missing.xml")], [str(COFFEE), "--limit", "0"],
                 [str(COFFEE), "--site", "not a site"]):
        result = runner.invoke(args=["import", "stackexchange", *args])
        assert result.exit_code != 0 and "Error" in result.output, args
        assert result.exception is None or isinstance(result.exception, SystemExit)
    odd = tmp_path / "export.xml"
    odd.write_text("<posts></posts>")
    result = runner.invoke(args=["import", "stackexchange", str(odd)])
    assert "pass --site" in result.output
    assert counts(app) == (0, 0, 0)

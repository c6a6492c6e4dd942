"""The `candor` command through click's test runner."""

import shutil

from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import Person, Question

from .conftest import ask, make_test_app, seed_people

STRONG_INPUT = "violet kettle marching north\n" * 2  # the password, twice


def test_init_creates_secret_and_is_rerunnable(app, runner):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    secret = app.config["INSTANCE"] / "secret_key"
    assert secret.is_file() and len(secret.read_text()) >= 48
    assert oct(secret.stat().st_mode)[-3:] == "600"
    first = secret.read_text()
    assert runner.invoke(args=["init"]).exit_code == 0
    assert secret.read_text() == first


def test_init_creates_the_search_index(app, runner):
    from whoosh import index

    link = app.config["INSTANCE"] / "index"
    assert not link.exists()  # nothing was written yet
    curated = len(list((app.config["CONTENT"] / "curated").glob("*.md")))
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert f"Indexed {curated} documents." in result.output  # the curated folder's items
    assert index.open_dir(str(link)).doc_count() == curated
    search = app.extensions["candor_search"]
    assert search.search(search.parse("anything"), ["thread"]).total == 0


def test_init_builds_a_missing_index_from_the_database(app, runner):
    from whoosh import index

    seed_people(app)  # two staff, indexed as they are written
    link = app.config["INSTANCE"] / "index"
    folder = link.resolve()
    link.unlink()
    shutil.rmtree(folder)
    curated = len(list((app.config["CONTENT"] / "curated").glob("*.md")))
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert f"Indexed {2 + curated} documents." in result.output
    search = app.extensions["candor_search"]
    assert {h.title.striptags() for h in search.search(search.parse("engineer")).hits} == \
        {"Dana Ortiz", "Sam Lee"}
    again = runner.invoke(args=["init"])  # an existing index is left as it is
    assert again.exit_code == 0 and "Indexed" not in again.output
    assert index.open_dir(str(link)).doc_count() == 2 + curated

    # A segment in Whoosh's own block layout (an index from before Candor's): init rebuilds.
    writer = index.open_dir(str(link)).writer()
    writer.add_document(doc_id="person:99", kind="person", title="Old Layout", body="b",
                        url="/people/old/")
    writer.commit(merge=False)
    upgraded = runner.invoke(args=["init"])
    assert upgraded.exit_code == 0 and f"Indexed {2 + curated} documents." in upgraded.output
    segments = index.open_dir(str(link))._segments()
    assert segments and all(type(s.codec()).__name__ == "CandorCodec" for s in segments)

    # An index whose words were read the old way ("P.C.B." was not the word pcb): rebuilt.
    from copy import deepcopy

    from whoosh.analysis import StemmingAnalyzer

    from hub_api.search.whoosh_backend import SCHEMA
    old = deepcopy(SCHEMA)
    old["body"].analyzer = StemmingAnalyzer()
    index.create_in(str(link), old)
    reread = runner.invoke(args=["init"])
    assert reread.exit_code == 0 and f"Indexed {2 + curated} documents." in reread.output
    assert app.extensions["candor_search"].backend.has_index()


def test_topic_and_staff_add_list_disable(app, runner):
    assert runner.invoke(args=["topic", "add", "Networking"]).exit_code == 0
    dup = runner.invoke(args=["topic", "add", "Networking"])
    assert dup.exit_code != 0 and "exists already" in dup.output
    result = runner.invoke(args=[
        "staff", "add", "--name", "Dana Ortiz", "--email", "Dana@Example.com",
        "--title", "Network Engineer", "--roles", "staff,owner", "--topics", "networking",
        "--bio", "Hi"], input=STRONG_INPUT)
    assert result.exit_code == 0, result.output
    assert "Added Dana Ortiz <dana@example.com> as staff,owner" in result.output
    listing = runner.invoke(args=["staff", "list"])
    assert "dana@example.com" in listing.output and "networking" in listing.output
    assert "active" in listing.output
    with session_scope(app.extensions["candor_engine"]) as s:
        person = s.scalars(select(Person)).one()
        assert person.password_hash.startswith("scrypt:") and "pw1234" not in person.password_hash
    disabled = runner.invoke(args=["staff", "disable", "dana@example.com"])
    assert disabled.exit_code == 0 and "Disabled Dana Ortiz" in disabled.output
    assert "disabled" in runner.invoke(args=["staff", "list"]).output


def test_staff_add_rejects_bad_input(app, runner, tmp_path):
    base = ["staff", "add", "--name", "X Y", "--email", "x@example.com", "--title", "Eng"]
    cases = [
        (["--roles", "brand"], "unknown role brand"),
        (["--topics", "nope"], "no topic 'nope'"),
        (["--email", "not-an-email"], "is not an email address"),
        (["--title", "   "], "needs a name and a job title"),
    ]
    for extra, message in cases:
        result = runner.invoke(args=base + extra, input=STRONG_INPUT)
        assert result.exit_code != 0 and message in result.output, result.output
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"<svg onload=alert(1)>")
    result = runner.invoke(args=base + ["--photo", str(fake)], input=STRONG_INPUT)
    assert result.exit_code != 0 and "must be a PNG or JPEG" in result.output
    with session_scope(app.extensions["candor_engine"]) as s:
        assert s.scalars(select(Person)).all() == []


def test_staff_photo_is_copied_into_content(app, runner, tmp_path):
    photo = tmp_path / "face.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    result = runner.invoke(args=["staff", "add", "--name", "Dana Ortiz", "--email", "d@e.com",
                                 "--title", "Eng", "--photo", str(photo)],
                           input=STRONG_INPUT)
    assert result.exit_code == 0, result.output
    assert (app.config["CONTENT"] / "people" / "dana-ortiz.png").read_bytes() == photo.read_bytes()


def test_demo_loads_and_refuses_real_data(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "password: demo" in result.output and "dana@northwind.example" in result.output
    with session_scope(app.extensions["candor_engine"]) as s:
        assert len(s.scalars(select(Person)).all()) == 5
        statuses = [q.status for q in s.scalars(select(Question))]
    assert len(statuses) >= 18 and "open" in statuses and "answered" in statuses
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already loaded" in again.output


def test_demo_data_is_searchable_when_the_command_ends(tmp_path, database_url):
    """Not at a server's next sweep of the outbox (a web process indexes in the background)."""
    for app in make_test_app(tmp_path, database_url, SEARCH_SYNC=False):
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        service = app.extensions["candor_search"]
        assert not service.pending()
        hits = service.search(service.parse("Dana"), ["person"]).hits
        assert [h.title.striptags() for h in hits] == ["Dana Ortiz"]


def test_demo_refuses_an_instance_with_real_data(app, runner, people):
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0 and "not demo data" in result.output


def test_demo_staff_can_log_in(app, runner):
    runner.invoke(args=["demo"])
    client = app.test_client()
    response = client.post("/staff/login", data={"email": "dana@northwind.example",
                                                 "password": "demo"})
    assert response.status_code == 303
    assert "queue-item" in client.get("/staff/queue").text
    ask(client)

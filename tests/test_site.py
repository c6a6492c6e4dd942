"""One origin: the built static site, the backend, headers, and `candor serve` itself."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from hub_api.site.builder import build_site

from .conftest import ROOT, free_port

READER_PATHS = ["/", "/ask", "/people/dana-ortiz/", "/topics/networking/", "/about/",
                "/feeds/all.atom", "/theme/candor.css", "/healthz"]


@pytest.fixture
def built(app, people):
    build_site(app.config)
    return app


def test_before_first_build_front_page_says_what_to_do(client):
    response = client.get("/")
    assert response.status_code == 503 and "candor build" in response.text
    assert client.get("/people/x/").status_code == 404


def test_static_pages_served_with_headers_and_no_cookie(built):
    client = built.test_client()
    for path in READER_PATHS:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/feeds/all.atom").mimetype == "application/atom+xml"
    assert "no-cache" in client.get("/").headers["Cache-Control"]
    assert "Dana Ortiz" in client.get("/").text


def test_folder_without_slash_redirects(built):
    response = built.test_client().get("/people/dana-ortiz?x=1")
    assert response.status_code == 301 and response.headers["Location"] == "/people/dana-ortiz/?x=1"


@pytest.mark.parametrize("path", [
    "/../instance/secret_key", "/%2e%2e/instance/secret_key", "/..%2fsecret_key",
    "/theme/../../../etc/passwd", "/site.builds", "/%00", "/" + "a" * 5000,
])
def test_no_path_escapes_the_site(built, path):
    response = built.test_client().get(path)
    assert response.status_code in (404, 400, 308), path
    assert b"test-secret" not in response.data


def test_errors_are_pages_not_500(client, people):
    assert client.get("/nowhere").status_code == 404
    assert "There is nothing here" in client.get("/nowhere").text
    assert client.delete("/ask").status_code == 405
    assert client.get("/healthz").json == {"status": "ok"}


def test_candor_serve_serves_site_and_backend(tmp_path):
    env = dict(os.environ, CANDOR_INSTANCE=str(tmp_path / "inst"),
               CANDOR_SITE=str(tmp_path / "site"), CANDOR_CONTENT=str(ROOT / "content"),
               CANDOR_AUTO_BUILD="0")
    candor = [sys.executable, "-c", "from hub_api.cli import main; main()"]
    unready = subprocess.run(candor + ["serve", "--port", "1"], env=env, capture_output=True,
                             text=True, timeout=60)
    assert unready.returncode != 0 and "run `candor init`" in unready.stderr
    for command in (["init"], ["demo"]):
        done = subprocess.run(candor + command, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    port = free_port()
    server = subprocess.Popen(candor + ["serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "candor serve did not come up"
                time.sleep(0.3)
        with urllib.request.urlopen(base + "/", timeout=5) as r:
            front = r.read().decode()
        assert "Dana Ortiz" in front and r.headers.get("Set-Cookie") is None
        with urllib.request.urlopen(base + "/ask", timeout=5) as r:
            assert "Ask the people who work here" in r.read().decode()
        assert Path(tmp_path / "site").is_symlink()
    finally:
        server.terminate()
        out, err = server.communicate(timeout=10)
    # Access logs carry no client address.
    assert "127.0.0.1 -" not in out + err

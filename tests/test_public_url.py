"""One public URL: ``candor serve --port`` supplies it when ``CANDOR_PUBLIC_URL`` is unset, and
every absolute link — feeds, the API, OpenAPI servers, the asker's private link — uses it."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from .conftest import PASSWORD, ROOT, free_port, login, make_test_app, seed_people


def _wait(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except OSError:
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "candor serve did not come up"
            time.sleep(0.3)


def test_serve_port_gives_working_links_everywhere(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CANDOR_PUBLIC_URL"}
    env.update(CANDOR_INSTANCE=str(tmp_path / "inst"), CANDOR_SITE=str(tmp_path / "site"),
               CANDOR_CONTENT=str(ROOT / "content"), CANDOR_AUTO_BUILD="0")
    candor = [sys.executable, "-c", "from hub_api.cli import main; main()"]
    for command in (["init"], ["demo"], ["build"]):  # built for the default port 8000
        done = subprocess.run(candor + command, env=env, capture_output=True, text=True,
                              timeout=180)
        assert done.returncode == 0, done.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(candor + ["serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait(base, server)
        feed = urllib.request.urlopen(base + "/feeds/all.atom", timeout=5).read().decode()
        links = set(re.findall(r'href="(https?://[^/"]+)', feed))
        assert links == {base}, links  # the site was rebuilt for the port it is served on
        spec = json.load(urllib.request.urlopen(base + "/api/openapi.json", timeout=5))
        assert spec["servers"] == [{"url": base}]
        request = urllib.request.Request(
            base + "/api/v1/questions", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"title": "Do you ship to Oslo?", "body": "Ten units, please.",
                             "display_name": "Pat"}).encode())
        asked = json.load(urllib.request.urlopen(request, timeout=10))
        assert asked["url"].startswith(base + "/q/") and asked["manage_url"].startswith(base)
        manage = urllib.request.urlopen(asked["manage_url"], timeout=5).read().decode()
        assert asked["manage_url"] in manage  # the link the asker is told to keep works
        thread = json.load(urllib.request.urlopen(f"{base}/api/v1/questions/{asked['id']}"))
        assert thread["url"] == asked["url"]

        # Asked for by another name: logged once, and staff see a banner.
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        other = f"http://localhost:{port}"
        login_page = opener.open(other + "/staff/login", timeout=5).read().decode()
        token = re.search(r'name="form_token" value="([^"]+)"', login_page).group(1)
        time.sleep(3.1)  # the login form refuses what comes faster than a person types
        fields = "email=dana%40northwind.example&password=demo&form_token=" + \
            urllib.parse.quote(token)
        opener.open(urllib.request.Request(other + "/staff/login", data=fields.encode()),
                    timeout=10)
        opener.open(other + "/ask", timeout=5)
        queue = opener.open(other + "/staff/queue", timeout=5).read().decode()
        assert "The public address looks wrong" in queue and f"localhost:{port}" in queue
        right = opener.open(base + "/ask", timeout=5).read().decode()
        assert "looks wrong" not in right  # readers never see it
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=10)
    assert err.count(f"a request arrived for localhost:{port}") == 1


def test_staff_pages_warn_only_when_the_host_is_not_the_public_one(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url, PUBLIC_URL="http://localhost"):
        seed_people(app)
        client = app.test_client()  # asks for http://localhost/
        assert login(client, "dana@example.com").status_code == 303
        assert "looks wrong" not in client.get("/staff/queue").text
        wrong = app.test_client()
        wrong.post("/staff/login", base_url="http://hub.wrong",
                   data={"email": "dana@example.com", "password": PASSWORD})
        other = wrong.get("/staff/queue", base_url="http://hub.wrong")
        assert "The public address looks wrong" in other.text and "hub.wrong" in other.text

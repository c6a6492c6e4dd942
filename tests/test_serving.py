"""``candor serve``'s waitress settings, with Debian's nginx in front: idle keep-alive crowds
do not lock anyone out, and readers behind the proxy keep their own rate limits."""

import http.client
import json
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from waitress import create_server

from hub_api.migrate import upgrade
from hub_api.serving import waitress_settings

from .conftest import free_port, make_test_app, need_service

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = """
pid {dir}/nginx.pid;
error_log {dir}/error.log;
worker_processes 1;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app under waitress with ``candor serve``'s settings; 127.0.0.1 is the proxy."""
    tmp = tmp_path_factory.mktemp("serve")
    url = f"sqlite:///{tmp / 'candor.db'}"
    upgrade(url)
    apps = make_test_app(tmp, url, TRUSTED_PROXIES="127.0.0.1/32")
    app = next(apps)
    port = free_port()
    server = create_server(app, **waitress_settings(app.config, "127.0.0.1", port, 4))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield port
    server.close()
    next(apps, None)


@pytest.fixture(scope="module")
def nginx(served, tmp_path_factory):
    if not Path(NGINX).exists():
        need_service("nginx", "not installed (apt-get install nginx)")
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    (folder / "nginx.conf").write_text(NGINX_CONF.format(dir=folder, port=port,
                                                         upstream=served))
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                             "-g", "daemon off;"], stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(5)


def _ask(port: int, source: str, n: int, forwarded: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                      source_address=(source, 0))
    headers = {"Content-Type": "application/json"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    body = json.dumps({"title": f"Question {n} from {source}?", "display_name": "Pat",
                       "body": f"Body {n} from {source} ({forwarded})."})
    conn.request("POST", "/api/v1/questions", body, headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_readers_behind_nginx_keep_their_own_limits(nginx, served):
    # Five asks a minute per reader: the sixth from the same reader is refused …
    assert [_ask(nginx, "127.0.0.2", n) for n in range(6)] == [201] * 5 + [429]
    # … while another reader behind the same proxy is not affected.
    assert _ask(nginx, "127.0.0.3", 0) == 201
    # A reader who forges X-Forwarded-For (naming someone else) is still counted as
    # itself: nginx appends the real peer, and Candor takes the nearest untrusted hop.
    assert [_ask(nginx, "127.0.0.4", n, forwarded="127.0.0.9") for n in range(6)] == \
        [201] * 5 + [429]
    # Straight to the server from an untrusted peer, a forged header is ignored: the peer
    # whose address it forges (127.0.0.2, limited above) is not the one counted.
    assert _ask(served, "127.0.0.5", 0, forwarded="127.0.0.2") == 201
    assert _ask(served, "127.0.0.5", 1, forwarded="127.0.0.77") == 201


def test_idle_keep_alive_connections_do_not_block_a_fresh_request(served):
    idle = []
    try:
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", served), 5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub.test\r\n\r\n")
            idle.append(sock)
        for sock in idle:  # every one answered, and kept open (keep-alive)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        assert time.monotonic() - started < 1.0
        conn.close()
    finally:
        for sock in idle:
            sock.close()

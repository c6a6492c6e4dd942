"""A loopback HTTP server for feed tests and bench/ingest.py: real files, awkward endpoints.

``/feeds/<name>``     a file from tests/data/feeds/
``/etag/<name>``      the same, with an ETag and Last-Modified; honours If-None-Match (304)
``/huge.xml``         a valid RSS feed larger than the fetcher's size cap
``/gzip-bomb.xml``    a small gzip body that inflates past the size cap
``/slow.xml``         answers after ``slow_seconds``
``/trickle.xml``      a 200 whose body drips one byte every ``slow_seconds``, for ever
``/redirect?to=URL``  302 to URL; ``/loop`` redirects to itself forever
``/generated/<n>.xml`` an RSS feed of n entries (for the ingest benchmark)
"""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
ETAG = '"v1-candor-test"'
LAST_MODIFIED = "Sat, 21 Nov 2026 09:30:00 GMT"


def generated_feed(count: int, prefix: str = "gen") -> bytes:
    items = "".join(
        f"<item><title>Entry {i} of {prefix}</title><link>https://{prefix}.example/{i}</link>"
        f"<guid>{prefix}-{i}</guid><pubDate>Sat, 21 Nov 2026 09:30:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Paragraph {i} with &lt;b&gt;bold&lt;/b&gt; and "
        f"&lt;a href=\"https://{prefix}.example/{i}\"&gt;a link&lt;/a&gt;."
        f"&lt;script&gt;alert({i})&lt;/script&gt;&lt;/p&gt;</description></item>"
        for i in range(count)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Generated {prefix}</title><link>https://{prefix}.example/</link>"
            f"{items}</channel></rss>").encode()


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer._Server

    def log_message(self, *_args) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 — the http.server API
        parts = urlsplit(self.path)
        path = parts.path
        self.server.owner.requests.append((path, dict(self.headers)))
        xml = {"Content-Type": "application/xml; charset=utf-8"}
        if path.startswith("/feeds/") or path.startswith("/etag/"):
            file = FEEDS / path.rsplit("/", 1)[1]
            if not file.is_file():
                return self._send(404, b"not found")
            if path.startswith("/etag/"):
                headers = {**xml, "ETag": ETAG, "Last-Modified": LAST_MODIFIED}
                if self.headers.get("If-None-Match") == ETAG:
                    return self._send(304, headers={"ETag": ETAG})
                return self._send(200, file.read_bytes(), headers)
            return self._send(200, file.read_bytes(), xml)
        if path == "/huge.xml":
            return self._send(200, generated_feed(30_000, "huge"), xml)
        if path == "/gzip-bomb.xml":
            body = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
            return self._send(200, body, {**xml, "Content-Encoding": "gzip"})
        if path == "/slow.xml":
            time.sleep(self.server.owner.slow_seconds)
            return self._send(200, (FEEDS / "rss20.xml").read_bytes(), xml)
        if path == "/trickle.xml":
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            while True:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(self.server.owner.slow_seconds)
        if path == "/redirect":
            return self._send(302, headers={"Location": parse_qs(parts.query)["to"][0]})
        if path == "/page.html":  # a web page, not a feed
            return self._send(200, b"<!doctype html><title>Hello</title><p>Not a feed.</p>",
                              {"Content-Type": "text/html; charset=utf-8"})
        if path == "/loop":
            return self._send(302, headers={"Location": "/loop"})
        if path.startswith("/generated/"):
            count = int(path.rsplit("/", 1)[1].split(".")[0])
            return self._send(200, generated_feed(count, f"gen{count}"), xml)
        return self._send(404, b"not found")


class FeedServer:
    """``with FeedServer() as s: s.url("/feeds/rss20.xml")`` on 127.0.0.1, a free port."""

    class _Server(ThreadingHTTPServer):
        daemon_threads = True
        owner: FeedServer

        def handle_error(self, request, client_address) -> None:
            pass  # the fetcher hangs up on purpose (timeouts, size caps)

    def __init__(self, slow_seconds: float = 2.0) -> None:
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, dict]] = []
        self.httpd = self._Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

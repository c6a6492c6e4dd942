"""Guarded HTTP for URLs that other people chose: GET for feeds, POST for webhooks.

A feed URL is typed by a marketer and its redirects are chosen by a stranger, so the
request must never reach this machine or the company network behind it (SSRF). Every
hop is checked the same way: http(s) only, every address the host name resolves to must
be globally routable (``ipaddress``'s ``is_global``, after unwrapping IPv4-mapped IPv6),
and the connection goes to the address that was checked, so a DNS answer that changes
between check and connect (DNS rebinding) cannot slip through. A timeout, a size cap
and a redirect limit bound what one request can cost. ``allow_private`` (the instance
setting ``CANDOR_ALLOW_PRIVATE_URLS=1``) lifts only the address rule.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

USER_AGENT = "Candor feed reader (+https://candor.invalid/about-the-fetcher)"
TIMEOUT = 10.0
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
SCHEMES = {"http": 80, "https": 443}


class FetchError(RuntimeError):
    """A fetch that was refused or failed; the message says why in words."""


@dataclass
class Response:
    """What came back: ``not_modified`` for a 304, else ``body`` holds at most the cap."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def check_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address if it is globally routable; raise ``FetchError`` otherwise."""
    address = ipaddress.ip_address(value.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if not address.is_global or address.is_multicast:
        raise FetchError(f"refused: {address} is not a public internet address")
    return address


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address ``host`` resolves to, all checked; the caller connects to these only."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(f"cannot resolve {host}: no address")
    if not allow_private:
        for address in addresses:
            check_address(address)
    return addresses


def _split(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target of an acceptable URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise FetchError(f"refused: only http and https URLs can be fetched, not {scheme or '?'}")
    if not parts.hostname:
        raise FetchError("not a valid URL: it names no host")
    if parts.username is not None or parts.password is not None:
        raise FetchError("refused: URLs with a user name or password are not supported")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return scheme, parts.hostname, port or SCHEMES[scheme], target


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Talks to ``host`` (Host header) over a socket to the address that was checked."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS verified against the host name (SNI), not the address."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _read_capped(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    """The body, refusing more than ``max_bytes`` (also after gzip) or a slow drip."""
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"refused: the response is larger than {max_bytes // 1024:,} KB")
    gzipped = response.getheader("Content-Encoding", "").lower() in {"gzip", "x-gzip"}
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    chunks, size = [], 0
    while chunk := response.read(64 * 1024):
        if time.monotonic() > deadline:
            raise FetchError("timed out while reading the response")
        if inflate is not None:
            chunk = inflate.decompress(chunk, max_bytes + 1 - size)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"refused: the response is larger than {max_bytes // 1024:,} KB")
        chunks.append(chunk)
    return b"".join(chunks)


def _request_once(url: str, headers: dict[str, str], allow_private: bool, timeout: float,
                  max_bytes: int, deadline: float, method: str = "GET",
                  body: bytes | None = None) -> Response:
    scheme, host, port, target = _split(url)
    addresses = resolve(host, port, allow_private)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    last_error: Exception | None = None
    for address in addresses:
        conn = connection_class(host, port, address, timeout)
        try:
            conn.request(method, target, body=body, headers={
                "User-Agent": USER_AGENT, "Accept-Encoding": "gzip", **headers})
            raw = conn.getresponse()
            status = raw.status
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            body = b""
            if status not in REDIRECTS and status != 304:
                body = _read_capped(raw, max_bytes, deadline)
            return Response(url, status, response_headers, body)
        except TimeoutError as exc:
            last_error = FetchError(f"timed out after {timeout:g} s")
            last_error.__cause__ = exc
        except ssl.SSLError as exc:
            raise FetchError(f"TLS failed: {exc.reason or exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            last_error = FetchError(f"cannot connect to {host}: {exc or type(exc).__name__}")
        finally:
            conn.close()
    raise last_error or FetchError(f"cannot connect to {host}")


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          allow_private: bool = False, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
          max_redirects: int = MAX_REDIRECTS) -> Response:
    """GET ``url`` under the guard; conditional when ``etag``/``last_modified`` are given.

    Returns a 2xx or 304 ``Response``; raises ``FetchError`` for everything else.
    """
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout * 3
    for _hop in range(max_redirects + 1):
        response = _request_once(url, headers, allow_private, timeout, max_bytes, deadline)
        if response.status in REDIRECTS:
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {response.status} redirect without a Location")
            url = urljoin(url, location)
            continue
        if response.status == 304 or 200 <= response.status < 300:
            return response
        reason = http.client.responses.get(response.status, "")
        raise FetchError(f"HTTP {response.status} {reason}".strip())
    raise FetchError(f"too many redirects (more than {max_redirects})")


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool = False,
         timeout: float = TIMEOUT, max_bytes: int = 64 * 1024) -> Response:
    """POST ``body`` to ``url`` under the same guard; any HTTP status is returned, and a
    redirect is not followed (the receiver must answer at the address it registered)."""
    deadline = time.monotonic() + timeout * 3
    return _request_once(url, headers, allow_private, timeout, max_bytes, deadline,
                         method="POST", body=body)

"""Guarded HTTP for URLs that other people chose: GET for feeds, POST for webhooks.

A feed URL is typed by a marketer and its redirects are chosen by a stranger, so the
request must never reach this machine or the company network behind it (SSRF). Every
hop is checked the same way: http(s) only, every address the host name resolves to must
be globally routable (``ipaddress``'s ``is_global``, after unwrapping IPv4-mapped IPv6),
and the connection goes to the address that was checked, so a DNS answer that changes
between check and connect (DNS rebinding) cannot slip through. A timeout, a size cap
and a redirect limit bound what one request can cost; a wall-clock deadline bounds the
whole fetch, redirects included, however slowly the server trickles its bytes.
``allow_private`` (the instance setting ``CANDOR_ALLOW_PRIVATE_URLS=1``) lifts only the
address rule. Callers hold no database transaction while a fetch runs.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ..effects.deadline import Deadline

USER_AGENT = "Candor feed reader (+https://candor.invalid/about-the-fetcher)"
TIMEOUT = 10.0  # seconds for one connect or read
DEADLINE = 30.0  # seconds for a whole fetch, redirects included
POST_DEADLINE = 15.0  # seconds for a whole webhook POST
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


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, 6to4, Teredo, NAT64, compatible."""
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client)
    if any(address in net for net in NAT64) or address in IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def check_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address if it is globally routable, and so is every IPv4 address it embeds
    (``::ffff:127.0.0.1``, 6to4 ``2002:7f00:1::``, NAT64 ``64:ff9b::7f00:1`` all reach
    loopback through a translator); raise ``FetchError`` otherwise."""
    address = ipaddress.ip_address(value.split("%", 1)[0])
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else []
    for candidate in (address, *inner):
        if isinstance(candidate, ipaddress.IPv6Address) and candidate.ipv4_mapped:
            continue  # judged by its IPv4 address (``is_global`` is False for all of ::ffff:0/96)
        if isinstance(candidate, ipaddress.IPv6Address) and any(candidate in n for n in NAT64):
            continue  # the NAT64 prefix is not global itself; what it reaches decides
        if not candidate.is_global or candidate.is_multicast:
            raise FetchError(f"refused: a private address ({address} is not a public "
                             "internet address)")
    return address


def _lookup_failure(exc: Exception) -> str:
    """A failed name lookup in words (not "[Errno -2] Name or service not known")."""
    code = getattr(exc, "errno", None)
    if code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)):
        return "no such host"
    if code == socket.EAI_AGAIN:
        return "no answer from the name server (offline?)"
    return "not a valid host name" if isinstance(exc, UnicodeError) else "name lookup failed"


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address ``host`` resolves to, all checked; the caller connects to these only."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"{_lookup_failure(exc)}: cannot resolve {host}") from exc
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


class _Pinned:
    """Connects to the address that was checked, and cuts the socket at the deadline."""

    address: str
    deadline: Deadline
    timeout: float
    port: int

    def _open(self) -> socket.socket:
        sock = socket.create_connection((self.address, self.port),
                                        min(self.timeout, self.deadline.remaining()))
        self._watch = self.deadline.watch(sock)
        self._watch.__enter__()
        return sock

    def unwatch(self) -> None:
        """Stop the deadline's timer (not in ``close``: http.client closes the connection
        while the response still reads from its socket)."""
        watch = getattr(self, "_watch", None)
        if watch is not None:
            self._watch = None
            watch.__exit__(None, None, None)


class _PinnedHTTPConnection(_Pinned, http.client.HTTPConnection):
    """Talks to ``host`` (Host header) over a socket to the address that was checked."""

    def __init__(self, host: str, port: int, address: str, timeout: float,
                 deadline: Deadline) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address, self.deadline = address, deadline

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPSConnection(_Pinned, http.client.HTTPSConnection):
    """As above, with TLS verified against the host name (SNI), not the address."""

    def __init__(self, host: str, port: int, address: str, timeout: float,
                 deadline: Deadline) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address, self.deadline = address, deadline

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._open(), server_hostname=self.host)


def _read_capped(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """The body, refusing more than ``max_bytes`` (also after gzip)."""
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"refused: the response is larger than {max_bytes // 1024:,} KB")
    gzipped = response.getheader("Content-Encoding", "").lower() in {"gzip", "x-gzip"}
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    chunks, size = [], 0
    while chunk := response.read1(64 * 1024):
        if inflate is not None:
            chunk = inflate.decompress(chunk, max_bytes + 1 - size)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"refused: the response is larger than {max_bytes // 1024:,} KB")
        chunks.append(chunk)
    return b"".join(chunks)


def _request_once(url: str, headers: dict[str, str], allow_private: bool, timeout: float,
                  max_bytes: int, deadline: Deadline, method: str = "GET",
                  body: bytes | None = None) -> Response:
    scheme, host, port, target = _split(url)
    addresses = resolve(host, port, allow_private)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    last_error: Exception | None = None
    for address in addresses:
        if deadline.expired():
            break
        conn = connection_class(host, port, address, timeout, deadline)
        try:
            conn.request(method, target, body=body, headers={
                "User-Agent": USER_AGENT, "Accept-Encoding": "gzip", **headers})
            raw = conn.getresponse()
            status = raw.status
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            content = b""
            if status not in REDIRECTS and status != 304:
                content = _read_capped(raw, max_bytes)
            if deadline.hit:  # the socket was cut: what was read is not the whole body
                raise TimeoutError
            return Response(url, status, response_headers, content)
        except (OSError, http.client.HTTPException) as exc:
            if deadline.hit:
                raise FetchError(f"timed out: no whole answer within {deadline.seconds:g} s "
                                 "(the server is too slow)") from exc
            if isinstance(exc, TimeoutError):
                last_error = FetchError(f"timed out after {timeout:g} s")
            elif isinstance(exc, ssl.SSLError):
                raise FetchError(f"TLS failed: {exc.reason or exc}") from exc
            else:
                last_error = FetchError(f"cannot connect to {host}: {exc or type(exc).__name__}")
            last_error.__cause__ = exc
        finally:
            conn.close()
            conn.unwatch()
    if deadline.expired():
        raise FetchError(f"timed out: no whole answer within {deadline.seconds:g} s")
    raise last_error or FetchError(f"cannot connect to {host}")


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          allow_private: bool = False, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
          max_redirects: int = MAX_REDIRECTS, deadline: float | None = None) -> Response:
    """GET ``url`` under the guard; conditional when ``etag``/``last_modified`` are given.

    Returns a 2xx or 304 ``Response``; raises ``FetchError`` for everything else.
    """
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    cutoff = Deadline(deadline or DEADLINE)
    for _hop in range(max_redirects + 1):
        response = _request_once(url, headers, allow_private, timeout, max_bytes, cutoff)
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
         timeout: float = TIMEOUT, max_bytes: int = 64 * 1024,
         deadline: float | None = None) -> Response:
    """POST ``body`` to ``url`` under the same guard; any HTTP status is returned, and a
    redirect is not followed (the receiver must answer at the address it registered)."""
    return _request_once(url, headers, allow_private, timeout, max_bytes,
                         Deadline(deadline or POST_DEADLINE), method="POST", body=body)

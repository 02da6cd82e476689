"""Serve a ``FakeDashboard`` over HTTP: a thin adapter from ``http.server`` to ``FakeDashboard.handle``."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TextIO

import httpx

from .dashboard import FakeDashboard
from .limits import MerakiRateLimits

_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


class _Handler(BaseHTTPRequestHandler):
    """Turns each HTTP request into an ``httpx.Request`` for the fake and writes back its response."""

    protocol_version = "HTTP/1.1"
    server_version = "meraki-standin"
    server: _Server

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/healthz":
            self._write(200, {"Content-Type": "text/plain; charset=utf-8"}, b"ok")
            self._log(200, 2, 0.0)
        else:
            self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        started = time.monotonic()  # when the request arrived: the rate limits count arrivals
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.server.latency:
            time.sleep(self.server.latency / 2)  # the way to the Meraki cloud; the other half is on the way back
        if self.server.limits is not None:
            retry_after = self.server.limits.admit(self.path, self.client_address[0], at=started)
            if retry_after is not None:
                payload = b'{"errors": ["API rate limit exceeded for organization"]}'
                headers = {"Content-Type": "application/json", "Retry-After": str(retry_after)}
                time.sleep(self.server.latency / 2)
                self._write(429, headers, payload)
                self._log(429, len(payload), time.monotonic() - started)
                return
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = httpx.Request(self.command, f"http://{host}{self.path}", headers=self.headers.items(), content=body)
        try:
            response = self.server.fake.handle(request)
        except httpx.TransportError as error:  # an injected network fault: hang up without answering
            self.close_connection = True
            self._log(None, 0, time.monotonic() - started, f"dropped ({type(error).__name__})")
            return
        except Exception:  # noqa: BLE001 - a bug of the fake: answer 500 and keep serving
            traceback.print_exc(file=self.server.log)
            response = httpx.Response(500, json={"errors": ["Internal server error"]})
        headers = {name: value for name, value in response.headers.items() if name.lower() not in _HOP_HEADERS}
        if self.server.latency:
            time.sleep(self.server.latency / 2)
        self._write(response.status_code, headers, response.content)
        self._log(response.status_code, len(response.content), time.monotonic() - started)

    def _write(self, status: int, headers: dict[str, str], content: bytes) -> None:
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if content and self.command != "HEAD":
            self.wfile.write(content)

    def _log(self, status: int | None, size: int, seconds: float, note: str = "") -> None:
        """One line per request; headers (and so the API key) are never logged."""
        line = f'{self.client_address[0]} "{self.command} {self.path}" {status or "-"} {size} {seconds * 1000:.1f}ms'
        print(f"{line} {note}".rstrip(), file=self.server.log, flush=True)

    def log_message(self, format: str, *args: object) -> None:
        """Silence http.server's own logging (parse errors still reach ``log``)."""
        print(f"{self.client_address[0]} {format % args}", file=self.server.log, flush=True)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are logged by ``_log``."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    request_queue_size = 256

    def __init__(
        self,
        address: tuple[str, int],
        fake: FakeDashboard,
        log: TextIO,
        latency: float,
        limits: MerakiRateLimits | None,
    ) -> None:
        super().__init__(address, _Handler)
        self.fake = fake
        self.log = log
        self.latency = latency
        self.limits = limits


class StandinServer:
    """A ``FakeDashboard`` on a real socket; ``port=0`` picks a free port.

    Example:
        ``with StandinServer(fake, port=0) as server: httpx.get(server.base_url + "/organizations", ...)``
    """

    def __init__(
        self,
        fake: FakeDashboard,
        host: str = "127.0.0.1",
        port: int = 8081,
        log: TextIO | None = None,
        latency: float = 0.0,
        limits: MerakiRateLimits | None = None,
    ):
        """Bind the socket (serving starts with ``start`` or ``serve_forever``).

        Args:
            fake: The dashboard to serve; it does its own locking.
            host: Interface to bind.
            port: TCP port; 0 for any free one.
            log: Where request lines go (default stderr).
            latency: Seconds added to every answer (a round trip to the Meraki cloud is about 0.2).
            limits: Enforce Meraki's rate limits with 429 + Retry-After (None: no limits).
        """
        self.fake = fake
        self.limits = limits
        self._httpd = _Server((host, port), fake, log or sys.stderr, latency, limits)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` actually bound."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """The API root for clients, e.g. ``http://127.0.0.1:8081/api/v1``."""
        return self.url + self.fake.api_root

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop`` is called from another thread."""
        self._httpd.serve_forever(poll_interval=0.05)

    def start(self) -> StandinServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="meraki-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

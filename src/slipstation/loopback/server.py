"""A small threaded HTTP server base with scripted faults and a request log."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Fault:
    """One scripted bad answer, used for the next request whose path starts with `path`."""

    status: int = 500
    body: bytes | str | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0          # seconds before answering (a timeout when > client's timeout)
    path: str = "/"
    method: str | None = None  # only requests with this method (None: any)
    then_respond: bool = False  # after the delay, answer normally (a slow response)
    drop: bool = False          # close the connection without any answer
    truncate: bool = False      # announce the whole body, send half of it, close


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    received: float = 0.0  # time.perf_counter() on arrival, for latency benchmarks

    def params(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]


@dataclass
class Reply:
    status: int
    body: Any = None                  # JSON-encoded unless bytes/str
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class LoopbackServer:
    """Subclasses implement `handle(request) -> Reply`."""

    def __init__(self, port: int = 0) -> None:
        self.faults: deque[Fault] = deque()
        self.latency = 0.0  # seconds every answer takes (a real network's round trip)
        self.requests: list[Request] = []
        self.lock = threading.RLock()
        self.arrived = threading.Condition(self.lock)  # notified as each request is logged
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:  # keep test output clean
                pass

            def _serve(self) -> None:
                outer._dispatch(self)

            do_GET = do_POST = do_DELETE = do_PATCH = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        # A short poll, so close() returns in milliseconds (serve_forever's default half
        # second made every test with a server wait for it).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,),
                                        daemon=True, name=type(self).__name__)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (up to `timeout` seconds) until `predicate` holds; it is checked under the lock
        as each request arrives and as each is handled, never on a timer."""
        with self.arrived:
            return self.arrived.wait_for(predicate, timeout)

    def add_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = Request(handler.command, parts.path,
                          parse_qsl(parts.query, keep_blank_values=True),
                          {k.lower(): v for k, v in handler.headers.items()}, body,
                          time.perf_counter())
        with self.lock:
            self.requests.append(request)
            self.arrived.notify_all()
            fault = next((f for f in self.faults if request.path.startswith(f.path)
                          and f.method in (None, request.method)), None)
            if fault is not None:
                self.faults.remove(fault)
        if self.latency:
            time.sleep(self.latency)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                handler.close_connection = True
                handler.connection.close()
                return
            if not fault.then_respond:
                self._write(handler, Reply(fault.status, fault.body if fault.body is not None
                                           else {"detail": "Injected fault."},
                                           fault.content_type, fault.headers),
                            truncate=fault.truncate)
                return
        with self.lock:
            try:
                reply = self.handle(request)
            except Exception as exc:  # a stand-in bug must show as an error, not a hang
                reply = Reply(500, {"detail": f"loopback server error: {exc!r}"})
            self.arrived.notify_all()  # the request's effect (a new job, say) is in place
        if reply.status < 0:  # a handler's way of saying: drop the connection, no reply
            handler.close_connection = True
            handler.connection.close()
            return
        self._write(handler, reply)

    @staticmethod
    def _write(handler: BaseHTTPRequestHandler, reply: Reply, truncate: bool = False) -> None:
        if isinstance(reply.body, bytes):
            payload = reply.body
        elif isinstance(reply.body, str):
            payload = reply.body.encode("utf-8")
        else:
            payload = json.dumps(reply.body).encode("utf-8")
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if truncate:
                handler.wfile.write(payload[:len(payload) // 2])
                handler.close_connection = True
                handler.wfile.flush()
                handler.connection.close()
                return
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

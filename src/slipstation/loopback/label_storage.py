"""A stand-in for the signed storage Shippo's `label_url` points at: another origin, serving
label files, recording each request's headers (so a test can prove no key arrives here)."""

from __future__ import annotations

from slipstation.loopback.server import LoopbackServer, Reply, Request


class LabelStorageServer(LoopbackServer):
    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.files: dict[str, tuple[bytes, str]] = {}  # path → (bytes, content type)
        self.seen_headers: list[dict[str, str]] = []

    def add_file(self, name: str, data: bytes, content_type: str = "application/pdf") -> str:
        """Serve `data` at /labels/NAME; returns its URL (a signed link would carry a query)."""
        with self.lock:
            self.files[f"/labels/{name}"] = (data, content_type)
        return f"{self.url}/labels/{name}?X-Amz-Signature=loopback"

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.seen_headers.append(dict(request.headers))
            found = self.files.get(request.path)
        if request.method != "GET" or found is None:
            return Reply(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
        data, content_type = found
        return Reply(200, data, content_type)

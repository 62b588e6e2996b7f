"""A PrintNode stand-in: account, computers, printers and print jobs, as the public client
libraries' recorded replies show them. It keeps every job it accepts, so tests can count prints.

Jobs to an online printer go new → sent_to_client → done; to an offline one they stay
sent_to_client until `expire_jobs()`. `X-Idempotency-Key` repeats get 409.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slipstation.loopback.server import LoopbackServer, Reply, Request
from slipstation.timeutil import now_iso

COMPUTER = {"id": 12, "name": "PACKING-PC-1", "inet": "127.0.0.1", "inet6": None,
            "hostname": "packer@PACKING-PC-1", "version": "4.27.8", "jre": None,
            "createTimestamp": "2026-01-05T09:00:00.000Z", "state": "connected"}
PAPERS_4X6 = {"User defined": [1016, 1524], "4 x 6 in": [1016, 1524]}
PAPERS_OFFICE = {"A4": [2100, 2970], "Letter": [2159, 2794]}


@dataclass
class Job:
    id: int
    payload: dict[str, Any]
    states: list[dict[str, Any]] = field(default_factory=list)
    created: str = ""

    @property
    def state(self) -> str:
        return str(self.states[-1]["state"])

    def pdf(self) -> bytes:
        return base64.b64decode(self.payload["content"])

    def content(self) -> bytes:
        """The bytes as sent (a PDF, or raw ZPL for a raw_base64 job)."""
        return base64.b64decode(self.payload["content"])


def printer(printer_id: int, name: str, state: str = "online",
            papers: dict[str, list[int]] | None = None) -> dict[str, Any]:
    return {"id": printer_id, "computer": dict(COMPUTER), "name": name, "description": name,
            "capabilities": {"bins": ["Automatic"], "collate": False, "color": False,
                             "copies": 99, "dpis": ["203x203"], "duplex": False,
                             "extent": [[254, 254], [1080, 5588]], "medias": [], "nup": [],
                             "papers": papers if papers is not None else dict(PAPERS_4X6),
                             "printrate": None, "supports_custom_paper_size": True},
            "default": False, "createTimestamp": "2026-01-05T09:00:00.000Z", "state": state}


class PrintNodeServer(LoopbackServer):
    def __init__(self, api_keys: tuple[str, ...] = ("printnode-loopback-key-0000",),
                 port: int = 0) -> None:
        super().__init__(port)
        self.api_keys = set(api_keys)
        self.printers: dict[int, dict[str, Any]] = {
            71: printer(71, "Zebra ZD420 (4x6)"),
            72: printer(72, "Office laser", papers=dict(PAPERS_OFFICE)),
        }
        self.jobs: dict[int, Job] = {}
        self._next_id = itertools.count(4_294_967_296)  # beyond 32 bits, as real ids can be
        self._idempotency: dict[str, int] = {}
        self.lose_next_replies = 0  # accept the job, then drop the connection
        self.on_job: Callable[[Job], None] | None = None  # the demo saves each "print"

    # -- test helpers --------------------------------------------------------------------------
    def add_jobs_from_elsewhere(self, count: int, printer_id: int = 71) -> None:
        """`count` finished jobs another program on the account printed just now."""
        for n in range(count):
            job = Job(next(self._next_id), {"printerId": printer_id, "title": f"Other {n}",
                                            "source": "another program"},
                      created=now_iso().replace("Z", ".000Z"))
            self._add_state(job, "done")
            self.jobs[job.id] = job

    def set_printer_state(self, printer_id: int, state: str) -> None:
        with self.lock:
            self.printers[printer_id]["state"] = state

    def expire_jobs(self) -> None:
        with self.lock:
            for job in self.jobs.values():
                if job.state not in ("done", "error", "expired"):
                    self._add_state(job, "expired", "Print job expired")

    def set_job_state(self, job_id: int, state: str, message: str | None = None) -> None:
        with self.lock:
            self._add_state(self.jobs[job_id], state, message)

    def jobs_for(self, title_part: str) -> list[Job]:
        with self.lock:
            return [j for j in self.jobs.values() if title_part in j.payload["title"]]

    # -- protocol ------------------------------------------------------------------------------
    def _add_state(self, job: Job, state: str, message: str | None = None) -> None:
        job.states.append({"printJobId": job.id, "state": state, "message": message,
                           "data": None, "clientVersion": "4.27.8",
                           "createTimestamp": now_iso().replace("Z", ".000Z"), "age": 0})

    @staticmethod
    def _error(status: int, code: str, message: str) -> Reply:
        return Reply(status, {"uid": str(uuid.uuid4()), "code": code, "message": message})

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user = base64.b64decode(header[6:]).decode("utf-8").split(":", 1)[0]
        except (binascii.Error, UnicodeDecodeError):
            return False
        return user in self.api_keys

    @staticmethod
    def _ids(text: str) -> list[int]:
        ids: list[int] = []
        for part in text.split(","):
            if "-" in part:
                low, high = part.split("-", 1)
                ids.extend(range(int(low), int(high) + 1))
            elif part:
                ids.append(int(part))
        return ids

    def handle(self, request: Request) -> Reply:
        if not self._authorised(request):
            return self._error(401, "Unauthorized", "API Key not found")
        parts = [p for p in request.path.split("/") if p]
        reply_headers = {"X-Account": "433"}
        if request.method == "GET" and parts == ["whoami"]:
            return Reply(200, {"id": 433, "firstname": "Packing", "lastname": "Station",
                               "email": "owner@example.com", "credits": 10134,
                               "numComputers": 1, "state": "active",
                               "permissions": ["Unrestricted"]}, headers=reply_headers)
        if request.method == "GET" and parts == ["computers"]:
            return Reply(200, [dict(COMPUTER)])
        if request.method == "GET" and parts[:1] == ["printers"]:
            if len(parts) == 1:
                return Reply(200, list(self.printers.values()))
            return Reply(200, [self.printers[i] for i in self._ids(parts[1])
                               if i in self.printers])
        if request.method == "POST" and parts == ["printjobs"]:
            return self._create(request)
        if request.method == "GET" and parts[:1] == ["printjobs"]:
            if len(parts) == 1:
                return self._list(request)
            wanted = [self.jobs[i] for i in self._ids(parts[1]) if i in self.jobs]
            if parts[2:] == ["states"]:
                return Reply(200, [list(job.states) for job in wanted])
            return Reply(200, [self._job_json(job) for job in wanted])
        return self._error(404, "NotFound", "Not found")

    def _create(self, request: Request) -> Reply:
        try:
            payload = json.loads(request.body)
        except ValueError:
            return self._error(400, "BadRequest", "Request body is not JSON")
        key = request.headers.get("x-idempotency-key")
        if key and key in self._idempotency:
            return self._error(409, "Conflict", "Duplicate idempotency key")
        printer_id = payload.get("printerId")
        if printer_id not in self.printers:
            return self._error(400, "BadRequest", f"Printer {printer_id} not found")
        content_type = payload.get("contentType")
        if content_type not in ("pdf_base64", "raw_base64"):
            return self._error(400, "BadRequest", "Unsupported contentType")
        try:
            content = base64.b64decode(payload.get("content", ""), validate=True)
        except binascii.Error:
            return self._error(400, "BadRequest", "content is not base64")
        if content_type == "pdf_base64" and not content.startswith(b"%PDF-"):
            return self._error(400, "BadRequest", "content is not a PDF")
        job = Job(next(self._next_id), payload, created=now_iso().replace("Z", ".000Z"))
        self._add_state(job, "new")
        self._add_state(job, "sent_to_client")
        if self.printers[printer_id]["state"] == "online":
            self._add_state(job, "done")
        self.jobs[job.id] = job
        if self.on_job is not None:
            self.on_job(job)
        if key:
            self._idempotency[key] = job.id
        if self.lose_next_replies > 0:
            self.lose_next_replies -= 1
            return Reply(-1)  # the server kept the job; the reply never arrives
        return Reply(201, job.id, headers={"X-Account": "433"})

    def _job_json(self, job: Job) -> dict[str, Any]:
        return {"id": job.id, "printer": self.printers.get(job.payload["printerId"]),
                "title": job.payload.get("title"),
                "contentType": job.payload.get("contentType", "pdf_base64"),
                "source": job.payload.get("source"), "expireAt": None,
                "createTimestamp": job.created, "state": job.state}

    def _list(self, request: Request) -> Reply:
        limit = int((request.params("limit") or ["100"])[0])
        direction = (request.params("dir") or ["desc"])[0]
        after = request.params("after")
        jobs = sorted(self.jobs.values(), key=lambda j: j.id, reverse=direction == "desc")
        if after:
            pivot = int(after[0])
            jobs = [j for j in jobs if (j.id < pivot if direction == "desc" else j.id > pivot)]
        return Reply(200, [self._job_json(j) for j in jobs[:limit]])

"""PrintNode's API: account, computers, printers, print jobs and their states.

HTTP Basic auth with the API key as user name and an empty password. Look-ups always return an
array (an unknown id gives `[]`). `POST /printjobs` answers with the new job id as a bare JSON
integer (a numeric string is accepted too). Job creation is never retried here: the print queue
decides, after reconciling, whether a second submit is safe.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

from slipstation.api.http import ApiClient, RetryPolicy, StopToken
from slipstation.errors import Remedy, ServiceUnavailable

PRINTNODE_URL_ENV = "SLIPSTATION_PRINTNODE_URL"
DEFAULT_PRINTNODE_URL = "https://api.printnode.com"
FINAL_SUCCESS = frozenset({"done"})
FINAL_FAILURE = frozenset({"error", "expired", "deleted", "disappeared"})


def printnode_base_url() -> str:
    return os.environ.get(PRINTNODE_URL_ENV) or DEFAULT_PRINTNODE_URL


def _dpi(dpis: Any) -> int:
    """The printer's resolution from PrintNode's `dpis` (["203x203"], ["300x300", "600x600"]):
    the lowest listed, as a thermal head prints at one; 203 when none is known."""
    found = []
    for entry in dpis if isinstance(dpis, list) else []:
        head = str(entry).lower().split("x", 1)[0].strip()
        if head.isdigit() and 100 <= int(head) <= 1200:
            found.append(int(head))
    return min(found, default=203)


@dataclass(frozen=True)
class Printer:
    id: int
    name: str
    description: str
    state: str
    computer_name: str
    computer_state: str
    papers: dict[str, tuple[int, int]]
    dpi: int = 203  # the head's resolution (PrintNode's `dpis`, e.g. "203x203"): bar widths

    @property
    def ready(self) -> bool:
        return self.state == "online" and self.computer_state in ("connected", "")

    @property
    def condition(self) -> str:
        """How it is, in words: "online", the printer's own state, or its computer's."""
        if self.ready:
            return "online"
        if self.state != "online":
            return self.state
        return f"on a {self.computer_state or 'disconnected'} computer"

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Printer:
        computer = raw.get("computer") or {}
        capabilities = raw.get("capabilities") or {}
        papers_raw = capabilities.get("papers") or {}
        papers: dict[str, tuple[int, int]] = {}
        if isinstance(papers_raw, dict):
            for name, size in papers_raw.items():
                if isinstance(size, list | tuple) and len(size) == 2 and all(
                        isinstance(v, int | float) and v for v in size):
                    papers[str(name)] = (int(size[0]), int(size[1]))
        return cls(int(raw["id"]), str(raw.get("name") or ""), str(raw.get("description") or ""),
                   str(raw.get("state") or "unknown"), str(computer.get("name") or ""),
                   str(computer.get("state") or ""), papers, _dpi(capabilities.get("dpis")))

    def paper_named(self, size: tuple[int, int], tolerance: int = 15) -> str | None:
        """The printer's name for a paper of `size` (tenths of a mm), either orientation."""
        for name, (w, h) in self.papers.items():
            for width, height in (size, size[::-1]):
                if abs(w - width) <= tolerance and abs(h - height) <= tolerance:
                    return name
        return None


@dataclass(frozen=True)
class RemoteJob:
    id: int
    title: str
    state: str
    created: str
    source: str = ""


@dataclass(frozen=True)
class JobState:
    state: str
    message: str


class PrintNodeClient(ApiClient):
    service = "PrintNode"
    key_hint = "set a new key with `slipstation keys set printnode`"
    key_remedy = Remedy.SET_PRINTNODE_KEY

    def __init__(self, api_key: str, *, base_url: str | None = None, timeout: float = 20.0,
                 policy: RetryPolicy | None = None, stop: StopToken | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(base_url or printnode_base_url(), auth=(api_key, ""),
                         headers={"Accept": "application/json", "User-Agent": "SlipStation"},
                         timeout=timeout, policy=policy, stop=stop, transport=transport)

    def _array(self, path: str, **params: Any) -> list[Any]:
        body = self.get_json(path, params=params or None)
        if not isinstance(body, list):
            raise ServiceUnavailable(f"PrintNode sent an unexpected reply for {path}.",
                                     service=self.service)
        return body

    def whoami(self) -> dict[str, Any]:
        body = self.get_json("/whoami")
        if not isinstance(body, dict):
            raise ServiceUnavailable("PrintNode sent an unexpected /whoami reply.",
                                     service=self.service)
        return body

    def printers(self, ids: Iterable[int] = ()) -> list[Printer]:
        wanted = ",".join(str(i) for i in ids)
        raw = self._array(f"/printers/{wanted}" if wanted else "/printers")
        return [Printer.parse(p) for p in raw if isinstance(p, dict) and "id" in p]

    def printer(self, printer_id: int) -> Printer | None:
        found = self.printers([printer_id])
        return found[0] if found else None

    def submit(self, payload: dict[str, Any], idempotency_key: str) -> int:
        """Create a print job (one attempt, no retry); returns PrintNode's job id."""
        response = self.request("POST", "/printjobs", json=payload, retry=False,
                                headers={"X-Idempotency-Key": idempotency_key})
        body = self.decode_json(response)
        if isinstance(body, bool) or not isinstance(body, int | str) or not str(body).isdigit():
            raise ServiceUnavailable("PrintNode accepted the job but its id was unreadable.",
                                     service=self.service)
        return int(body)

    def recent_jobs(self, pages: int = 5, limit: int = 100) -> Iterator[RemoteJob]:
        """Jobs newest first, page by page (`after` = the last id seen)."""
        after: int | None = None
        for _ in range(pages):
            params: dict[str, Any] = {"limit": limit, "dir": "desc"}
            if after is not None:
                params["after"] = after
            batch = self._array("/printjobs", **params)
            for raw in batch:
                if isinstance(raw, dict) and "id" in raw:
                    yield RemoteJob(int(raw["id"]), str(raw.get("title") or ""),
                                    str(raw.get("state") or ""),
                                    str(raw.get("createTimestamp") or ""),
                                    str(raw.get("source") or "")[:100])
            if len(batch) < limit:
                return
            after = int(batch[-1]["id"])

    def job_states(self, job_ids: Iterable[int]) -> dict[int, JobState]:
        """The latest state of each job (PrintNode sends the whole history per job)."""
        ids = list(job_ids)
        result: dict[int, JobState] = {}
        for start in range(0, len(ids), 100):
            chunk = ",".join(str(i) for i in ids[start:start + 100])
            for history in self._array(f"/printjobs/{chunk}/states"):
                if not isinstance(history, list) or not history:
                    continue
                entries = [e for e in history if isinstance(e, dict) and "printJobId" in e]
                if not entries:
                    continue
                last = entries[0]  # the newest; on equal timestamps the later in the list
                for entry in entries:
                    if str(entry.get("createTimestamp") or "") >= str(
                            last.get("createTimestamp") or ""):
                        last = entry
                result[int(last["printJobId"])] = JobState(str(last.get("state") or ""),
                                                           str(last.get("message") or ""))
        return result

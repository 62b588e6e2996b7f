"""The HTTP layer both service clients share: one pooled httpx client, timeouts on every call,
retries with backoff (tenacity), and the boundary where HTTP failures become SlipStation errors.

Retried: 429 and 500/502/503/504 answers, timeouts and connection failures. A 429 waits for
`Retry-After` (seconds or an HTTP date) or `X-RateLimit-Reset` (absolute Unix time) when the
server sends one, otherwise exponential backoff with jitter, capped. 401/403 are never retried.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import tenacity

if TYPE_CHECKING:
    import httpx

from slipstation.errors import (
    Cancelled,
    Remedy,
    ServiceAuthError,
    ServiceError,
    ServiceUnavailable,
)
from slipstation.logs import scrub

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    initial_wait: float = 1.0
    max_wait: float = 30.0
    max_retry_after: float = 120.0  # a longer server-requested wait ends the attempt instead


class StopToken:
    """Lets a shutdown interrupt backoff waits at once instead of after them."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def stop(self) -> None:
        self._event.set()

    @property
    def stopped(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("Stopped: the service is shutting down.")

    def sleep(self, seconds: float) -> None:
        if self._event.wait(max(0.0, seconds)):
            raise Cancelled("Stopped: the service is shutting down.")

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds`; True when a stop was requested."""
        return self._event.wait(seconds)


class _Transient(Exception):
    """A failure worth another try; carries the wait the server asked for, if any."""

    def __init__(self, message: str, status: int | None = None,
                 retry_after: float | None = None, delivered: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.delivered = delivered


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a response asks for: Retry-After (seconds or date) or X-RateLimit-Reset."""
    now = time.time() if now is None else now
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.replace(".", "", 1).isdigit():
            return float(value)
        parsed = email.utils.parsedate_to_datetime(value) if "," in value else None
        if parsed is not None:
            return max(0.0, parsed.timestamp() - now)
    reset = headers.get("x-ratelimit-reset")
    if reset and reset.strip().replace(".", "", 1).isdigit():
        return max(0.0, float(reset) - now)
    return None


def error_detail(response: httpx.Response) -> str:
    """A short, scrubbed form of the server's own words (DRF `detail`, PrintNode `message`,
    a validation error's field names), fit for a log line and a person: servers echo what they
    were sent inside quotes, so quoted text goes, and so do emails, phones and keys."""
    fallback = response.reason_phrase or f"HTTP {response.status_code}"
    if "json" not in response.headers.get("content-type", ""):
        return fallback
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        return fallback
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            if isinstance(body.get(key), str):
                return _short(body[key]) or fallback
        fields = [str(name) for name in body][:5]  # a validation error: which fields, not values
        return _short("invalid " + ", ".join(fields)) if fields else fallback
    return fallback


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’|«[^»]*»|`[^`]*`")
_UNPRINTABLE = re.compile(r"[^\w .,:;()\[\]/#%+*…-]")


def _short(text: str) -> str:
    """At most 120 characters of a server's English message, with what it echoes cut: quoted
    values, proper nouns (a capital inside a sentence: a customer's name; short acronyms such
    as API or PDF stay) and words in other scripts; then emails, phones and keys scrubbed."""
    words: list[str] = []
    sentence_start = True
    for word in _QUOTED.sub("…", text).split():
        core = word.strip(".,:;!?()")
        echoed = bool(core) and (not core.isascii() or (
            core[0].isupper() and not sentence_start and not (core.isupper() and len(core) <= 5)))
        if echoed:
            word = "…" if not words or words[-1] != "…" else ""
        if word:
            words.append(word)
        sentence_start = word.endswith((".", ":", "!", "?"))
    return " ".join(_UNPRINTABLE.sub(" ", scrub(" ".join(words))).split())[:120]


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(value: Any) -> Any:
    """A decoded JSON value with every lone surrogate (valid JSON, not valid Unicode text: it
    cannot be stored, encoded or printed) replaced by U+FFFD. Pairs were joined by the decoder."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [storable_text(item) for item in value]
    if isinstance(value, dict):
        return {storable_text(key): storable_text(item) for key, item in value.items()}
    return value


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def check_base_url(service: str, base_url: str) -> None:
    """HTTPS always, with certificate checks (httpx's default, never switched off here).
    Plain http:// only reaches this machine (the demo and the tests' loopback servers): a key
    must never cross a network in the clear because of a mistyped URL."""
    parts = urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise ServiceError(f"{service} URL must start with https:// (got "
                       f"{parts.scheme or 'no scheme'}://{parts.hostname or ''}); plain http "
                       "is only allowed to this machine.", service=service)


def same_origin_url(base_url: str, link: str) -> str:
    """Follow a server's link on our configured base: never downgrade to http, never leave it."""
    parts = urlsplit(link)
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
        raise ServiceUnavailable(f"The service sent a link that is not a web path ({link[:40]!r}).",
                                 service=urlsplit(base_url).hostname or "API")
    path = parts.path
    return base_url.rstrip("/") + path + (f"?{parts.query}" if parts.query else "")


class ApiClient:
    """One service's pooled client. Subclasses add the service's endpoints."""

    service = "API"
    key_hint = ""  # how to set a new key, in command-line words
    key_remedy: Remedy | None = None

    def __init__(self, base_url: str, *, headers: Mapping[str, str] | None = None,
                 auth: httpx.Auth | tuple[str, str] | None = None,
                 timeout: float = 15.0, policy: RetryPolicy | None = None,
                 stop: StopToken | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        check_base_url(self.service, base_url)
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.stop = stop or StopToken()
        import httpx

        self._client = httpx.Client(
            base_url=self.base_url, headers=dict(headers or {}), auth=auth,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), transport=transport,
            follow_redirects=False, verify=True,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------------
    def request(self, method: str, url: str, *, retry: bool = True,
                on_retry: Callable[[str], None] | None = None, **kwargs: Any) -> httpx.Response:
        """Send with retries; returns a 2xx response or raises a SlipStation ServiceError."""
        attempts = self.policy.attempts if retry else 1

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, _Transient) and exc.retry_after is not None:
                return exc.retry_after
            return tenacity.wait_exponential_jitter(
                multiplier=self.policy.initial_wait, max=self.policy.max_wait)(state)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            message = exc.message if isinstance(exc, _Transient) else str(exc)
            delay = state.next_action.sleep if state.next_action else 0
            log.warning("%s %s: %s; retrying in %.1fs", self.service, method, message, delay)
            if on_retry:
                on_retry(message)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            stop=tenacity.stop_after_attempt(attempts), wait=wait, sleep=self.stop.sleep,
            before_sleep=before_sleep, reraise=True,
        )
        try:
            return retrying(self._send_once, method, url, **kwargs)
        except _Transient as exc:
            raise ServiceUnavailable(f"{self.service} is unavailable: {exc.message}.",
                                     service=self.service, status=exc.status,
                                     maybe_delivered=exc.delivered) from None

    def _send_once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        import httpx  # imported by the first request, not by every command and window start

        self.stop.check()
        try:
            response = self._client.request(method, url, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _Transient(f"cannot connect ({type(exc).__name__})", delivered=False) from None
        except httpx.TimeoutException:
            raise _Transient("timed out") from None
        except httpx.TransportError as exc:
            raise _Transient(f"connection failed ({type(exc).__name__})") from None
        status = response.status_code
        if 200 <= status < 300:
            return response
        detail = error_detail(response)
        if status in RETRY_STATUSES:
            retry_after = retry_after_seconds(response.headers)
            if retry_after is not None and retry_after > self.policy.max_retry_after:
                raise ServiceUnavailable(
                    f"{self.service} rate limit: try again in {int(retry_after)} s.",
                    service=self.service, status=status)
            label = "rate limited" if status == 429 else f"HTTP {status}"
            raise _Transient(f"{label} ({detail})", status=status, retry_after=retry_after)
        if status in (401, 403):
            raise ServiceAuthError(
                f"{self.service} key rejected (HTTP {status}: {detail})",
                service=self.service, status=status, fix=self.key_hint or None,
                remedy=self.key_remedy)
        raise ServiceError(f"{self.service} answered HTTP {status}: {detail}.",
                           service=self.service, status=status)

    def get_json(self, url: str, *, what: str = "reply", **kwargs: Any) -> Any:
        response = self.request("GET", url, **kwargs)
        return self.decode_json(response, what=what)

    def decode_json(self, response: httpx.Response, *, what: str = "reply") -> Any:
        """The body as JSON whose every string is storable text: bytes that are not UTF-8 are
        replaced (and said once, naming `what`), lone surrogates become U+FFFD."""
        if "json" not in response.headers.get("content-type", ""):
            raise ServiceUnavailable(
                f"{self.service} sent a non-JSON reply "
                f"({response.headers.get('content-type', 'no content type')}).",
                service=self.service, status=response.status_code)
        content = response.content
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = content.decode("utf-8", errors="replace")
            log.warning("%s sent a %s that is not valid UTF-8; the bytes that are not were "
                        "replaced", self.service, what)
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):
            raise ServiceUnavailable(f"{self.service} sent a malformed JSON {what}.",
                                     service=self.service, status=response.status_code) from None
        if "\\ud" in text or "\\uD" in text:  # surrogate escapes: pairs are fine, lone ones not
            body = storable_text(body)
        return body

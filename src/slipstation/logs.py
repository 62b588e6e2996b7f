"""Logging: one scrubbing filter on every handler, a daily-rotated file kept 90 days.

The code logs object ids and counts, never customer data; the scrubber is the safety net for
what slips through (an exception text quoting a payload, a header in a debug message). Known
secrets are also redacted by value: every key read from or written to the keyring is
registered here, so it can never appear in any record, whatever its shape.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

LOG_RETENTION_DAYS = 90
REDACTED = "[REDACTED]"
_ROOT = "slipstation"

_FIELD_NAMES = (
    "name|company|street1|street2|street3|street_no|city|state|zip|postal_code|phone|email|"
    "address|street|to_address|from_address|first_name|last_name"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Credentials in any header-ish or key=value shape.
    (re.compile(r"shippo_(?:test|live)_[A-Za-z0-9]+"), "shippo_****"),
    (re.compile(r"(?i)\b(authorization|ShippoToken|Basic|Bearer)(\s*[:=]?\s*)[^\s,;'\"]+"),
     r"\1\2" + REDACTED),
    (re.compile(r"(?i)\b(api[_-]?key|token|password|secret)(['\"]?\s*[:=]\s*['\"]?)[^\s,;'\"}]+"),
     r"\1\2" + REDACTED),
    # Structured address fields (dict reprs, JSON, key=value).
    (re.compile(rf"(?i)(['\"]?\b(?:{_FIELD_NAMES})\b['\"]?\s*[:=]\s*)(['\"])(?:\\.|(?!\2).)*\2"),
     r"\1\2" + REDACTED + r"\2"),
    (re.compile(rf"(?i)(\b(?:{_FIELD_NAMES})=)[^\s,;)]+"), r"\1" + REDACTED),
    (re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"), REDACTED),
    # Street lines: "221B Baker Street", "Hauptstraße 5", "12 rue de la Paix".
    (re.compile(
        r"\b\d{1,6}[A-Za-z]?\s+(?:[A-Z][\w'.\-]*\s+){0,4}"
        r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
        r"Terrace|Square|Sq|Parkway|Pkwy|Highway|Hwy|Close|Crescent)\b\.?"), REDACTED),
    (re.compile(r"(?i)\b[\wÀ-ÿ\-]+(?:straße|strasse|str\.|weg|gasse|allee|platz)\s+\d+[a-z]?\b"),
     REDACTED),
    (re.compile(r"(?i)\b\d{1,5},?\s+(?:rue|avenue|boulevard|chemin|via|calle|carrer|rua)\s+"
                r"[\w'À-ÿ\-]+(?:\s+[\w'À-ÿ\-]+){0,4}"), REDACTED),
]
# Phone numbers: a leading + or 00, or digit groups with separators; seven digits or more.
_PHONE = re.compile(r"(?<![\w.:/-])(?:\+|00)?\(?\d[\d\s().\-]{5,}\d(?![\w.:/-])")
_DATE_LIKE = re.compile(r"^(?:19|20)\d{2}-[01]\d-[0-3]\d(?!\d)|^\d{1,2}:\d{2}")

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_secret_pattern: re.Pattern[str] | None = None


def register_secret(value: str) -> None:
    """Redact this exact value from every later log record."""
    global _secret_pattern
    if not value or len(value) < 6:
        return
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets.add(value)
        alternatives = sorted(_secrets, key=len, reverse=True)
        _secret_pattern = re.compile("|".join(re.escape(s) for s in alternatives))


def _scrub_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    separated = text.startswith(("+", "00", "(")) or any(ch in text for ch in " -.()")
    if digits < 7 or not separated or _DATE_LIKE.match(text.strip()):
        return text
    return REDACTED


def scrub(text: str) -> str:
    """Remove secrets and personal data from a piece of log text."""
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub("****", text)
    for regex, replacement in _PATTERNS:
        text = regex.sub(replacement, text)
    return _PHONE.sub(_scrub_phone, text)


class ScrubFilter(logging.Filter):
    """Rewrites each record's message and traceback through `scrub` before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = scrub(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def app_logger() -> logging.Logger:
    """The logger every SlipStation module logs under; its handlers are the app's log."""
    return logging.getLogger(_ROOT)


def add_handler(handler: logging.Handler) -> logging.Handler:
    """Attach a handler to the app's logger, always behind the scrubber."""
    handler.addFilter(ScrubFilter())
    if handler.formatter is None:
        handler.setFormatter(logging.Formatter(_FORMAT))
    logging.getLogger(_ROOT).addHandler(handler)
    return handler


def configure_logging(log_file: Path | None, *, debug: bool = False) -> None:
    """File log (rotated daily, 90 days kept) and, with --debug, everything on stderr."""
    logger = logging.getLogger(_ROOT)
    shutdown_logging()
    # A log that cannot be written (disk full) must not spray tracebacks over the one-line
    # errors, nor stop the work; under --debug Python's report is wanted.
    logging.raiseExceptions = debug
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            log_file.touch(mode=0o600, exist_ok=True)
        except OSError:
            pass  # a read-only data dir: the command still runs, without a file log
        else:
            add_handler(_DailyFile(log_file))
    if debug:
        add_handler(logging.StreamHandler())


class _DailyFile(logging.Handler):
    """The file log: Python's TimedRotatingFileHandler (rotated at midnight, kept
    LOG_RETENTION_DAYS), made at the first record. `logging.handlers` brings socket and pickle
    with it, 16 ms that the window's frame need not wait for."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:  # under this handler's lock
        if self._file is None:
            try:
                import logging.handlers

                self._file = logging.handlers.TimedRotatingFileHandler(
                    self._path, when="midnight", backupCount=LOG_RETENTION_DAYS,
                    encoding="utf-8", delay=True)
            except Exception:  # as a write that fails: never the caller's problem
                self.handleError(record)
                return
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def close(self) -> None:
        with self.lock:  # type: ignore[union-attr]  # made in __init__
            if self._file is not None:
                self._file.close()
        super().close()


def shutdown_logging() -> None:
    logger = logging.getLogger(_ROOT)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()

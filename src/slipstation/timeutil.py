"""Timestamps: stored and compared as ISO 8601 UTC strings with a 'Z'."""

from __future__ import annotations

import math
import os
import re
from datetime import UTC, datetime

_FRACTION = re.compile(r"(\.\d+)")


def env_seconds(name: str, default: float) -> float:
    """A duration the environment may shorten or lengthen (the crash tests do; loopback
    servers answer in milliseconds): `default` when unset or not a finite number (an endless
    interval would stop the scheduler from starting), at least 1 s."""
    try:
        seconds = float(os.environ.get(name, default))
    except ValueError:
        return default
    return max(1.0, seconds) if math.isfinite(seconds) else default


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """Second precision, always UTC, sortable as text."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    # strftime's %Y drops leading zeros on some platforms (year 1 → "1"): always four digits.
    return (f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
            f"{utc.second:02d}Z")


def local_time(iso: str) -> str:
    """A stored UTC time as people at this station read it: local, to the minute, with the
    zone ('2026-12-02 10:42 CET'). Text that is not a time is shown as it is."""
    moment = parse_timestamp(iso)
    if moment is None:
        return iso
    try:
        local = moment.astimezone()
    except (OverflowError, OSError, ValueError):
        return iso
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def from_epoch_iso(seconds: float) -> str:
    return to_iso(datetime.fromtimestamp(seconds, UTC))


def now_iso() -> str:
    return to_iso(utc_now())


def parse_timestamp(value: object) -> datetime | None:
    """Read the forms APIs send: 'Z' or an offset, any fraction, a date alone, or epoch seconds.

    Returns None for anything else; a naive time is taken as UTC.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python accepts 3 or 6 fractional digits only in older versions; normalise to 6.
    text = _FRACTION.sub(lambda m: (m.group(1) + "000000")[:7], text, count=1)
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # before year 1 or after 9999 once in UTC
        return None

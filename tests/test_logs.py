"""The log scrubber: tokens, emails, phone numbers and addresses never reach a log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from slipstation.app import Station
from slipstation.logs import configure_logging, register_secret, scrub, shutdown_logging
from slipstation.store.app_log import recent


@pytest.mark.parametrize(("text", "secret"), [
    ("GET /orders/ Authorization: ShippoToken shippo_live_0123456789abcdef", "0123456789abcdef"),
    ("token=shippo_test_a1b2c3d4e5f6", "a1b2c3d4e5f6"),
    ("auth header Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
    ("customer jane.doe+gifts@example.co.uk wrote", "jane.doe+gifts@example.co.uk"),
    ("call +1 (415) 555-0134 before noon", "555-0134"),
    ("phone 030 1234 5678", "1234 5678"),
    ("phone: 0044-20-7946-0958", "7946-0958"),
    ("ship to 221B Baker Street, London", "Baker Street"),
    ("Lieferung an Hauptstraße 5, Berlin", "Hauptstraße 5"),
    ("livrer au 12 rue de la Paix", "rue de la Paix"),
    ("{'name': 'Zoë Müller', 'street1': 'Unter den Linden 1', 'city': 'Berlin'}", "Zoë Müller"),
    ('{"street1": "ул. Тверская, 7", "zip": "125009"}', "Тверская"),
    ("to_address name=Jane city=Springfield", "Springfield"),
])
def test_scrub_removes_sensitive_text(text: str, secret: str) -> None:
    cleaned = scrub(text)
    assert secret not in cleaned
    assert "[REDACTED]" in cleaned or "****" in cleaned


@pytest.mark.parametrize("text", [
    "synced page 3: fetched 100, new 12, skipped 1",
    "order 4f2bc588e4e5446cb3f9fdb7cd5e190b skipped: no to_address",
    "window 2026-11-24T06:00:00Z to 2026-11-24T07:00:00Z",
    "printnode job 4294967311 done",
])
def test_scrub_keeps_ordinary_operational_text(text: str) -> None:
    assert scrub(text) == text


def test_registered_secret_is_redacted_in_any_shape() -> None:
    register_secret("pn-key-ZZ9PluralZAlpha")
    assert "ZZ9Plural" not in scrub("odd value pn-key-ZZ9PluralZAlpha in a repr")


def test_file_log_and_database_log_are_scrubbed(station: Station, data_dir: Path) -> None:
    configure_logging(station.paths.log_file)
    assert station.db is not None  # opens the store and attaches the database log
    logger = logging.getLogger("slipstation.test")
    try:
        logger.info("customer %s at %s", "mia@example.org", "+44 20 7946 0958")
        try:
            raise ValueError("payload {'name': 'Mia Wong', 'email': 'mia@example.org'}")
        except ValueError:
            logger.exception("failed with shippo_live_deadbeefcafe1234")
    finally:
        station.close()
        shutdown_logging()
    text = station.paths.log_file.read_text(encoding="utf-8")
    assert "customer [REDACTED] at [REDACTED]" in text
    assert "ValueError" in text
    for leaked in ("mia@example.org", "7946", "Mia Wong", "deadbeefcafe1234"):
        assert leaked not in text
    with Station(data_dir) as again:
        stored = "\n".join(line.message for line in recent(again.db))
    assert "customer [REDACTED] at [REDACTED]" in stored
    assert "mia@example.org" not in stored and "Mia Wong" not in stored

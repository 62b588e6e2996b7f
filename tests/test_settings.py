"""Typed, validated settings over the encrypted store, and their audit trail."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from slipstation.app import Station
from slipstation.config import SETTINGS, lookup
from slipstation.errors import UsageError
from tests.conftest import Cli, one_line_error


def test_defaults(station: Station) -> None:
    values = station.settings.all()
    assert values["paper"] == "4x6"
    assert values["statuses"] == ["PAID"]
    assert values["backlog_hours"] == 24
    assert values["show_prices"] is False
    assert values["station"] == socket.gethostname()
    assert values["printer"] is None
    assert {"printer", "paper", "poll_seconds", "statuses", "backlog_hours", "tier", "station",
            "show_prices", "logo", "expire_minutes"} <= set(values)


@pytest.mark.parametrize(("key", "text", "expected"), [
    ("paper", "A4", "a4"),
    ("printer", "70123", 70123),
    ("printer", "none", None),
    ("statuses", "paid, shipped,PAID", ["PAID", "SHIPPED"]),
    ("show_prices", "yes", True),
    ("tier", "Business", "business"),
    ("poll_seconds", "120", 120),
])
def test_values_are_parsed_to_types(station: Station, key: str, text: str,
                                    expected: object) -> None:
    station.config.set(key, text)
    assert station.settings.get(key) == expected


@pytest.mark.parametrize(("key", "text", "hint"), [
    ("paper", "a5", "4x6|a4|letter"),
    ("tier", "gold", "starter|growth|business|enterprise"),
    ("statuses", "PAID,LOST", "AWAITPAY"),
    ("poll_seconds", "1", "from 15 to 3600"),
    ("show_prices", "maybe", "true or false"),
    ("printer", "-3", "printer id"),
    ("logo", "/nonexistent/logo.png", "no file"),
])
def test_bad_values_are_refused_with_the_valid_choices(station: Station, key: str, text: str,
                                                      hint: str) -> None:
    before = station.settings.get(key)
    with pytest.raises(UsageError, match=hint.replace("|", r"\|")):
        station.config.set(key, text)
    assert station.settings.get(key) == before


def test_every_setting_describes_its_valid_values() -> None:
    for setting in SETTINGS:
        assert setting.help and setting.describe_valid()
    with pytest.raises(UsageError, match="valid keys: printer"):
        lookup("colour")


def test_cli_config_set_and_show(cli: Cli) -> None:
    assert cli("config", "set", "paper", "letter").returncode == 0
    shown = cli("config", "show", "--json")
    assert json.loads(shown.stdout)["paper"] == "letter"
    text = cli("config", "show").stdout
    assert "paper" in text and "letter" in text and "(default)" in text


def test_cli_unknown_key_and_bad_value_exit_2(cli: Cli) -> None:
    unknown = cli("config", "set", "colour", "red")
    assert unknown.returncode == 2
    assert "valid keys" in one_line_error(unknown)
    bad = cli("config", "set", "paper", "a5")
    assert bad.returncode == 2
    assert "4x6|a4|letter" in one_line_error(bad)


def test_changes_are_audited_without_values(station: Station, data_dir: Path) -> None:
    station.config.set("station", "Packing bench 2")
    station.config.set("paper", "a4")
    entries = station.audit.entries()
    assert [(e.action, e.detail["key"]) for e in entries[:2]] == [
        ("config.set", "paper"), ("config.set", "station")]
    assert entries[0].station == "Packing bench 2"
    assert all("Packing bench" not in json.dumps(e.detail) for e in entries)


def test_routing_rules_can_be_cleared() -> None:
    """An emptied rules box (or `config set rules none`) means no rules, not a JSON error."""
    for text in ("none", "", "  ", "-"):
        assert lookup("rules").parse(text) == []

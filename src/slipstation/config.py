"""Every setting declared once — type, default, help, choices, range and validation — and typed
access to the stored values. The CLI (`config show/set`) and the settings screen both read this
list; the values live as JSON in the encrypted database (`store/settings.py`, the only SQL)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slipstation.domain import ORDER_STATUSES, PACK_PRINTS, PAPERS, SLIP_LANGUAGES, TIERS
from slipstation.errors import UsageError
from slipstation.orders.routing import parse_rules
from slipstation.store.settings import SettingsTable

if TYPE_CHECKING:
    from slipstation.store.database import Database

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_EMPTY = {"", "none", "-"}


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str  # str | int | bool | choice | choices | path | printer
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default_factory: Callable[[], Any] | None = field(default=None, compare=False)
    label: str = ""  # what a form calls it ("Paper")
    group: str = ""  # the form's section: printing | slip | station
    unit: str = ""   # shown after a number ("s", "h", "min")

    def default_value(self) -> Any:
        return self.default_factory() if self.default_factory else self.default

    def describe_valid(self) -> str:
        if self.kind == "choice":
            return "one of " + "|".join(self.choices)
        if self.kind == "choices":
            return "a comma-separated list of " + "|".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "int":
            return f"a whole number from {self.minimum} to {self.maximum}"
        if self.kind == "printer":
            return "a PrintNode printer id (a number), or 'none'"
        if self.kind == "path":
            return "the path of a PNG or JPEG file, or 'none'"
        if self.kind == "rules":
            return "a JSON list of routing rules (see README)"
        return "text"

    def parse(self, text: str) -> Any:
        """Turn what a person typed into the stored value, or raise UsageError saying what fits."""
        raw = text.strip()
        bad = UsageError(f"Invalid value for {self.key}: expected {self.describe_valid()}.")
        if self.kind == "choice":
            value = raw.lower()  # every single-choice setting has lower-case choices
            if value not in self.choices:
                raise bad
            return value
        if self.kind == "choices":
            items = [part.strip().upper() for part in raw.split(",") if part.strip()]
            if not items or any(item not in self.choices for item in items):
                raise bad
            return list(dict.fromkeys(items))
        if self.kind == "bool":
            if raw.lower() in _TRUE:
                return True
            if raw.lower() in _FALSE:
                return False
            raise bad
        if self.kind == "int":
            try:
                number = int(raw)
            except ValueError:
                raise bad from None
            if (self.minimum is not None and number < self.minimum) or (
                    self.maximum is not None and number > self.maximum):
                raise bad
            return number
        if self.kind == "rules":
            return [] if raw.lower() in _EMPTY else parse_rules(raw)
        if self.kind == "printer":
            if raw.lower() in _EMPTY:
                return None
            if not raw.isdigit() or not 0 < int(raw) < 2 ** 63:
                raise bad
            return int(raw)
        if self.kind == "path":
            if raw.lower() in _EMPTY:
                return ""
            path = Path(raw).expanduser()
            if path.suffix.lower() not in {".png", ".jpg", ".jpeg"}:
                raise bad
            if not path.is_file():
                raise UsageError(f"Invalid value for {self.key}: no file at {path}.")
            return str(path.resolve())
        if len(raw) > 200 or any(ord(ch) < 32 for ch in raw):
            raise UsageError(f"Invalid value for {self.key}: at most 200 printable characters.")
        if self.key == "station" and not raw:
            raise UsageError("Invalid value for station: a station needs a name.")
        return raw

    def format(self, value: Any) -> str:
        if value is None or value == "":
            return "none"
        if isinstance(value, bool):
            return "true" if value else "false"
        if self.kind == "rules":
            return json.dumps(value, ensure_ascii=False) if value else "none"
        if isinstance(value, list):
            return ",".join(str(item) for item in value)
        return str(value)


def _host_name() -> str:
    return socket.gethostname() or "station"


SETTINGS: tuple[Setting, ...] = (
    Setting("printer", "printer", None, "Default PrintNode printer id for automatic printing.",
            label="Printer", group="printing"),
    Setting("paper", "choice", "4x6", "Slip paper size.", choices=PAPERS, label="Paper",
            group="printing"),
    Setting("label_printer", "printer", None, "PrintNode printer for Shippo shipping labels "
            "(empty: the slip printer).", label="Label printer", group="printing"),
    Setting("pack_prints", "choice", "auto", "What a verified pack prints: label, slip, both, "
            "or auto (both when the order has a label, else the slip).",
            choices=PACK_PRINTS, label="Packing prints", group="printing"),
    Setting("statuses", "choices", ["PAID"], "Order statuses that print automatically.",
            choices=ORDER_STATUSES, label="Auto-print statuses", group="printing"),
    Setting("backlog_hours", "int", 24,
            "On the first sync, how many hours back eligible orders still auto-print.",
            minimum=0, maximum=24 * 365, label="First sync prints the last", group="printing",
            unit="h"),
    Setting("poll_seconds", "int", 60, "Seconds between Shippo syncs.", minimum=15,
            maximum=3600, label="Sync every", group="printing", unit="s"),
    Setting("expire_minutes", "int", 60,
            "Minutes PrintNode keeps trying an undelivered job before it expires.",
            minimum=1, maximum=14 * 24 * 60, label="Jobs expire after", group="printing",
            unit="min"),
    Setting("rules", "rules", [], "Routing rules (JSON list, first match wins): conditions "
            "country, shop_app, shipping_method, min/max_weight, min/max_items, sku_prefix; "
            "actions printer, paper, copies or skip.", label="Routing rules (JSON)",
            group="printing"),
    Setting("show_prices", "bool", False, "Print prices and totals on slips.",
            label="Print prices and totals", group="slip"),
    Setting("logo", "path", "", "Logo image printed at the top of each slip.", label="Logo",
            group="slip"),
    Setting("ship_from", "str", "", "Return address on slips when an order has none, lines "
            "separated by '|' (e.g. 'Hippo Shop|965 Mission St|San Francisco, CA 94103|US').",
            label="Return address", group="slip"),
    Setting("slip_language", "choice", "auto", "Language of the slip's headings: the "
            "customer's, by ship-to country (auto), or always one.", choices=SLIP_LANGUAGES,
            label="Headings in", group="slip"),
    Setting("slip_contact", "bool", False, "Print the customer's phone and email under the "
            "address.", label="Print phone and email", group="slip"),
    Setting("slip_descriptions", "bool", True, "Print each item's description (engraving "
            "or other personalisation) under its title.", label="Print item descriptions",
            group="slip"),
    Setting("slip_weights", "bool", False, "Print each item's weight and the order's total.",
            label="Print weights", group="slip"),
    Setting("slip_tick_boxes", "bool", False, "A box beside each line to tick while packing.",
            label="Tick box per line", group="slip"),
    Setting("slip_footer", "str", "", "A line at the foot of every slip (returns policy, "
            "contact).", label="Footer text", group="slip"),
    Setting("station", "str", None, "This station's name (print job source, audit log).",
            default_factory=_host_name, label="Station name", group="station"),
    Setting("tier", "choice", "starter", "Retention tier: days of order history kept "
            "(starter 7, growth 30, business 90, enterprise 365).", choices=TIERS,
            label="Retention tier", group="station"),
    Setting("shop_app", "str", "", "Only sync orders from this Shippo shop_app (empty = all).",
            label="Only orders from shop app", group="station"),
)
SETTINGS_BY_KEY = {setting.key: setting for setting in SETTINGS}


def lookup(key: str) -> Setting:
    try:
        return SETTINGS_BY_KEY[key]
    except KeyError:
        raise UsageError(f"Unknown setting '{key}'; valid keys: "
                         f"{', '.join(SETTINGS_BY_KEY)}.") from None


class Settings:
    """Typed access to the stored settings; unknown stored keys are ignored."""

    def __init__(self, db: Database) -> None:
        self._table = SettingsTable(db)

    def get(self, key: str) -> Any:
        setting = lookup(key)
        stored = self._table.get(key)
        return setting.default_value() if stored is None else stored

    def all(self) -> dict[str, Any]:
        stored = self._table.all()
        return {s.key: stored[s.key] if s.key in stored else s.default_value() for s in SETTINGS}

    def explicitly_set(self) -> set[str]:
        return set(self._table.all())

    def set(self, key: str, text: str) -> Any:
        """Validate and store; returns the stored value."""
        return self.set_many({key: text})[key]

    def set_many(self, texts: dict[str, str]) -> dict[str, Any]:
        """Validate every value first, then store them all in one transaction: all or nothing.
        Returns the stored values."""
        values = {key: lookup(key).parse(text) for key, text in texts.items()}
        self._table.put(values)
        return values

    def put(self, key: str, value: Any) -> None:
        lookup(key)
        self._table.put({key: value})

    def reset(self, keys: Iterable[str] | None = None) -> int:
        return self._table.delete(None if keys is None else list(keys))

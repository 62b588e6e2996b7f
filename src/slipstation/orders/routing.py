"""Routing rules: ordered, first match wins; the default printer applies when none matches.

A rule is JSON, e.g.
    {"name": "big to A4", "when": {"min_items": 10}, "printer": 71, "paper": "a4"}
    {"name": "no gift cards", "when": {"sku_prefix": "GIFT-"}, "skip": true}
Conditions (all must hold): country (list), shop_app, shipping_method (words it contains),
min_weight / max_weight ("500g", "2lb", "1.5kg", "16oz"), min_items / max_items, sku_prefix
(any item). Actions: printer, paper (4x6|a4|letter), copies, or skip; label_printer chooses
where the order's Shippo labels print (slips and labels can go to different printers).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from slipstation.domain import PAPERS
from slipstation.errors import UsageError
from slipstation.orders.models import Order

GRAMS = {"g": Decimal(1), "kg": Decimal(1000), "lb": Decimal("453.59237"),
         "oz": Decimal("28.349523125")}
_WEIGHT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(g|kg|lb|oz)\s*$", re.IGNORECASE)
_CONDITIONS = {"country", "shop_app", "shipping_method", "min_weight", "max_weight",
               "min_items", "max_items", "sku_prefix"}
_KEYS = {"name", "when", "printer", "paper", "copies", "skip", "label_printer"}
MAX_COPIES = 20


def grams(text: str) -> Decimal:
    match = _WEIGHT.match(text)
    if not match:
        raise UsageError(f"Routing rule weight {text!r}: write it like 500g, 1.5kg, 2lb or 16oz.")
    return Decimal(match.group(1)) * GRAMS[match.group(2).lower()]


def order_grams(order: Order) -> Decimal | None:
    unit = GRAMS.get(order.weight_unit.lower())
    if order.weight is None or unit is None:
        return None
    try:
        return Decimal(order.weight) * unit
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Rule:
    name: str
    when: dict[str, Any]
    printer: int | None = None
    paper: str | None = None
    copies: int | None = None
    skip: bool = False

    def matches(self, order: Order) -> bool:
        when = self.when
        if "country" in when and order.to_address.country not in when["country"]:
            return False
        if "shop_app" in when and order.shop_app.casefold() != when["shop_app"].casefold():
            return False
        if "shipping_method" in when and \
                when["shipping_method"].casefold() not in order.shipping_method.casefold():
            return False
        if "min_items" in when and order.item_count < when["min_items"]:
            return False
        if "max_items" in when and order.item_count > when["max_items"]:
            return False
        if "sku_prefix" in when and not any(
                item.sku.upper().startswith(when["sku_prefix"].upper())
                for item in order.line_items):
            return False
        if "min_weight" in when or "max_weight" in when:
            weight = order_grams(order)
            if weight is None:
                return False
            if "min_weight" in when and weight < grams(when["min_weight"]):
                return False
            if "max_weight" in when and weight > grams(when["max_weight"]):
                return False
        return True


@dataclass(frozen=True)
class Route:
    """Where (and whether) one order prints."""

    rule: str
    printer: int | None
    paper: str
    copies: int
    skip: bool = False
    label_printer: int | None = None


def _bad(index: int, message: str) -> UsageError:
    return UsageError(f"Routing rule {index + 1}: {message}")


def parse_rules(value: Any) -> list[dict[str, Any]]:
    """Validate rules (JSON text or a list) and return them normalised for storage."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError as exc:
            raise UsageError(f"Routing rules must be a JSON list of rules ({exc.msg}).") from None
    if not isinstance(value, list):
        raise UsageError("Routing rules must be a JSON list of rules.")
    rules: list[dict[str, Any]] = []
    for index, raw in enumerate(value):
        if not isinstance(raw, dict):
            raise _bad(index, "each rule is a JSON object")
        unknown = set(raw) - _KEYS
        if unknown:
            raise _bad(index, f"unknown keys {sorted(unknown)}; use {sorted(_KEYS)}")
        when = raw.get("when") or {}
        if not isinstance(when, dict) or set(when) - _CONDITIONS:
            raise _bad(index, f"'when' takes {sorted(_CONDITIONS)}")
        clean_when: dict[str, Any] = {}
        for key, condition in when.items():
            if key == "country":
                items = condition if isinstance(condition, list) else [condition]
                clean_when[key] = [str(c).upper() for c in items]
            elif key in ("min_items", "max_items"):
                if not isinstance(condition, int) or condition < 0:
                    raise _bad(index, f"{key} is a whole number")
                clean_when[key] = condition
            elif key in ("min_weight", "max_weight"):
                grams(str(condition))
                clean_when[key] = str(condition)
            else:
                clean_when[key] = str(condition)
        rule: dict[str, Any] = {"name": str(raw.get("name") or f"rule {index + 1}"),
                                "when": clean_when}
        if raw.get("skip"):
            rule["skip"] = True
        for key in ("printer", "label_printer"):
            if raw.get(key) is not None:
                if not isinstance(raw[key], int) or isinstance(raw[key], bool) \
                        or not 0 < raw[key] < 2 ** 63:
                    raise _bad(index, f"{key} is a PrintNode printer id (a number)")
                rule[key] = raw[key]
        if raw.get("paper") is not None:
            if str(raw["paper"]).lower() not in PAPERS:
                raise _bad(index, f"paper is one of {'|'.join(PAPERS)}")
            rule["paper"] = str(raw["paper"]).lower()
        if raw.get("copies") is not None:
            if not isinstance(raw["copies"], int) or not 1 <= raw["copies"] <= MAX_COPIES:
                raise _bad(index, f"copies is from 1 to {MAX_COPIES}")
            rule["copies"] = raw["copies"]
        rules.append(rule)
    return rules


def route(order: Order, rules: list[dict[str, Any]], default_printer: int | None,
          default_paper: str) -> Route:
    for raw in rules:
        rule = Rule(raw["name"], raw.get("when", {}), raw.get("printer"), raw.get("paper"),
                    raw.get("copies"), bool(raw.get("skip")))
        if rule.matches(order):
            return Route(rule.name, rule.printer or default_printer,
                         rule.paper or default_paper, rule.copies or 1, rule.skip,
                         raw.get("label_printer"))
    return Route("default", default_printer, default_paper, 1)

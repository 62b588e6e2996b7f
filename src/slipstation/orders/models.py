"""Typed orders parsed tolerantly from Shippo payloads.

Only `object_id`, `placed_at` and `to_address` are required (as Shippo documents); every other
field may be null or missing, numbers may come as strings or numbers. An order that cannot be
packed from (no id, no valid time, no address object, items that are not a list of objects or
have an impossible quantity) raises `MalformedOrder` and is skipped by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from slipstation.domain import ORDER_STATUSES
from slipstation.timeutil import parse_timestamp, to_iso

ADDRESS_FIELDS = ("name", "company", "street_no", "street1", "street2", "street3", "city",
                  "state", "zip", "country", "phone", "email")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A decimal Decimal() would give back as it is: under 10^12 and at most 6 places (str(Decimal)
# turns smaller exponents into scientific notation).
_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,6})?")
MAX_TEXT = 2000  # longer strings are cut: a slip cannot show them and the store need not hold them


class MalformedOrder(ValueError):
    def __init__(self, object_id: str, reason: str) -> None:
        super().__init__(f"order {object_id or '(no id)'}: {reason}")
        self.object_id = object_id
        self.reason = reason


def _text(value: Any) -> str:
    if isinstance(value, str) and value.isprintable():  # most fields: nothing to remove
        return value.strip()[:MAX_TEXT]
    if value is None or isinstance(value, dict | list):
        return ""
    # Control characters break slips and CSV; newlines and tabs stay (notes have lines).
    return _CONTROL.sub("", str(value).strip())[:MAX_TEXT]


def _decimal(value: Any) -> str | None:
    """Money and weights as normalised decimal strings ('12.10'), or None."""
    if value.__class__ is str and _PLAIN_DECIMAL.fullmatch(value):  # already normal: most
        return value
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
        return None
    return str(number)


def _quantity(value: Any, object_id: str) -> int:
    if value.__class__ is int and 0 <= value < 10**6:  # most quantities
        return value
    if value is None or value == "":
        return 1
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise MalformedOrder(object_id, "a line item quantity is not a number") from None
    if not number.is_finite() or number != number.to_integral_value() or not 0 <= number < 10**6:
        raise MalformedOrder(object_id, "a line item quantity is out of range")
    return int(number)


Built = TypeVar("Built")


def _built(cls: type[Built], values: dict[str, Any]) -> Built:
    """A frozen dataclass from a value for every one of its fields, without the per-field
    `object.__setattr__` of its `__init__` (a sync parses 4+ of them per order: a quarter of
    parsing). Equality, hashing and `replace` work as usual; `tests/test_hostile_input.py`
    holds parsed orders equal to ones built through `__init__`."""
    built = object.__new__(cls)
    built.__dict__.update(values)
    return built


@dataclass(frozen=True)
class Address:
    name: str = ""
    company: str = ""
    street_no: str = ""
    street1: str = ""
    street2: str = ""
    street3: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""
    is_residential: bool | None = None

    @classmethod
    def parse(cls, raw: Any) -> Address:
        values: dict[str, Any] = {}
        for name in ADDRESS_FIELDS:  # _text, its common case inlined: this runs 24× an order
            value = raw.get(name)
            values[name] = value.strip()[:MAX_TEXT] \
                if value.__class__ is str and value.isprintable() else _text(value)
        values["country"] = values["country"].upper()
        residential = raw.get("is_residential")
        values["is_residential"] = residential if isinstance(residential, bool) else None
        return _built(cls, values)

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in ADDRESS_FIELDS)


@dataclass(frozen=True)
class LineItem:
    title: str = ""
    variant_title: str = ""
    sku: str = ""
    quantity: int = 1
    total_price: str | None = None
    currency: str = ""
    weight: str | None = None
    weight_unit: str = ""
    description: str = ""

    @classmethod
    def parse(cls, raw: Any, object_id: str) -> LineItem:
        if not isinstance(raw, dict):
            raise MalformedOrder(object_id, "a line item is not an object")
        return _built(cls, dict(
            title=_text(raw.get("title")), variant_title=_text(raw.get("variant_title")),
            sku=_text(raw.get("sku")), quantity=_quantity(raw.get("quantity"), object_id),
            total_price=_decimal(raw.get("total_price")), currency=_text(raw.get("currency")),
            weight=_decimal(raw.get("weight")), weight_unit=_text(raw.get("weight_unit")),
            description=_text(raw.get("description")),
        ))


@dataclass(frozen=True)
class Order:
    object_id: str
    order_number: str
    status: str
    placed_at: datetime
    to_address: Address
    from_address: Address | None = None
    line_items: tuple[LineItem, ...] = ()
    shipping_method: str = ""
    shipping_cost: str | None = None
    shipping_cost_currency: str = ""
    subtotal_price: str | None = None
    total_tax: str | None = None
    total_price: str | None = None
    currency: str = ""
    weight: str | None = None
    weight_unit: str = ""
    notes: str = ""
    shop_app: str = ""
    test: bool = False
    transactions: tuple[str, ...] = ()  # the Shippo labels bought for it (transaction ids)

    @property
    def key(self) -> str:
        """What a packer types or scans: the order number without '#', or Shippo's id."""
        return order_key(self.order_number) or self.object_id.upper()

    @property
    def display_number(self) -> str:
        return self.order_number or self.object_id

    @property
    def item_count(self) -> int:
        return sum(item.quantity for item in self.line_items)

    def to_dict(self) -> dict[str, Any]:
        # By hand rather than dataclasses.asdict: this runs for every order of every sync page.
        data = dict(self.__dict__)
        data["placed_at"] = to_iso(self.placed_at)
        data["to_address"] = dict(self.to_address.__dict__)
        data["from_address"] = dict(self.from_address.__dict__) if self.from_address else None
        data["line_items"] = [dict(item.__dict__) for item in self.line_items]
        data["transactions"] = list(self.transactions)
        return data



SCAN_KEY_PREFIX = "S"
_SCAN_KEY = re.compile(r"S(\d{16})")
_HEX_ID = re.compile(r"[0-9a-f]{12,}")


def scan_key(object_id: str) -> str | None:
    """A short barcode value standing for a Shippo order id: "S" and 16 digits (the id's first
    48 bits, Code 128 packs digits in pairs), which any station finds again (`object_id_prefix`).
    None for an id that is not Shippo's hex."""
    if not _HEX_ID.fullmatch(object_id):
        return None
    return f"{SCAN_KEY_PREFIX}{int(object_id[:12], 16):016d}"


def object_id_prefix(scanned: str) -> str | None:
    """The start of the Shippo id a scanned short key stands for, or None if it is not one."""
    match = _SCAN_KEY.fullmatch(scanned.strip())
    if match is None or int(match.group(1)) >= 1 << 48:
        return None
    return f"{int(match.group(1)):012x}"


_TRANSACTION_ID = re.compile(r"[0-9A-Za-z]{1,64}")


def _transaction_ids(raw: Any) -> tuple[str, ...]:
    """The ids of an order's labels: list replies carry partial objects (or bare ids)."""
    ids: list[str] = []
    for entry in raw if isinstance(raw, list) else []:
        found = entry.get("object_id") if isinstance(entry, dict) else entry
        if isinstance(found, str) and _TRANSACTION_ID.fullmatch(found) and found not in ids:
            ids.append(found)
    return tuple(ids)


def order_key(number: str | None) -> str:
    """Normalise an order number as typed, scanned or sent: no '#', no spaces, upper case."""
    return (number or "").strip().lstrip("#").strip().replace(" ", "").upper()


PARSE_REVISION = 1
"""Bump when `parse_order` or `Order.to_dict` gives a different result for the same payload:
stored orders carry a digest of the payload and this revision, so a sync parses them again."""


def parse_order(raw: Any) -> Order:
    """A Shippo order payload → `Order`, or `MalformedOrder` saying why it cannot be used."""
    if not isinstance(raw, dict):
        raise MalformedOrder("", "not an object")
    object_id = _text(raw.get("object_id"))
    if not object_id or len(object_id) > 64:
        raise MalformedOrder("", "no object_id")
    placed_at = parse_timestamp(raw.get("placed_at"))
    if placed_at is None:
        raise MalformedOrder(object_id, "no valid placed_at")
    placed_at = placed_at.replace(microsecond=0)  # as stored and shown: to the second
    to_raw = raw.get("to_address")
    if not isinstance(to_raw, dict):
        raise MalformedOrder(object_id, "to_address is missing or not an object")
    to_address = Address.parse(to_raw)
    if to_address.is_empty():
        raise MalformedOrder(object_id, "to_address is empty")
    items_raw = raw.get("line_items")
    if items_raw is None:
        items_raw = []
    if not isinstance(items_raw, list):
        raise MalformedOrder(object_id, "line_items is not a list")
    from_raw = raw.get("from_address")
    status = _text(raw.get("order_status")).upper()
    return _built(Order, dict(
        object_id=object_id,
        order_number=_text(raw.get("order_number"))[:100],
        status=status if status in ORDER_STATUSES else "UNKNOWN",
        placed_at=placed_at,
        to_address=to_address,
        from_address=Address.parse(from_raw) if isinstance(from_raw, dict) else None,
        line_items=tuple(LineItem.parse(item, object_id) for item in items_raw),
        shipping_method=_text(raw.get("shipping_method")),
        shipping_cost=_decimal(raw.get("shipping_cost")),
        shipping_cost_currency=_text(raw.get("shipping_cost_currency")),
        subtotal_price=_decimal(raw.get("subtotal_price")),
        total_tax=_decimal(raw.get("total_tax")),
        total_price=_decimal(raw.get("total_price")),
        currency=_text(raw.get("currency")),
        weight=_decimal(raw.get("weight")),
        weight_unit=_text(raw.get("weight_unit")).lower(),
        notes=_text(raw.get("notes")),
        shop_app=_text(raw.get("shop_app")),
        test=raw.get("test") is True,
        transactions=_transaction_ids(raw.get("transactions")),
    ))

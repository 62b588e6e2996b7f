"""Shippo order payloads in the shape the API really sends (see the recorded fixtures): every
key present, nulls where Shippo sends nulls, money and weights as decimal strings."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from slipstation.timeutil import to_iso


def object_id(seed: str) -> str:
    return hashlib.md5(seed.encode("utf-8"), usedforsecurity=False).hexdigest()


def address(name: str, street1: str, city: str, zip_code: str, country: str, *,
            state: str = "", company: str = "", street2: str = "", phone: str = "",
            email: str = "", seed: str = "") -> dict[str, Any]:
    return {
        "object_created": "2026-11-01T09:00:00.000Z", "object_updated": "2026-11-01T09:00:00.000Z",
        "object_id": object_id(f"addr-{seed or name}"), "is_complete": True,
        "validation_results": {}, "object_owner": "owner@example.com", "name": name,
        "company": company, "street_no": "", "street1": street1, "street2": street2,
        "street3": "", "city": city, "state": state, "zip": zip_code, "country": country,
        "longitude": None, "latitude": None, "phone": phone, "email": email,
        "is_residential": None, "metadata": "", "test": True,
    }


def line_item(title: str, sku: str, quantity: int = 1, price: str = "12.10", *,
              variant: str | None = None, seed: str = "") -> dict[str, Any]:
    return {
        "object_id": object_id(f"item-{seed}-{sku}-{title}"), "title": title,
        "variant_title": variant, "sku": sku, "quantity": quantity,
        "total_price": str(Decimal(price) * quantity), "currency": "USD", "weight": "0.4000",
        "weight_unit": "lb", "manufacture_country": None, "max_ship_time": None,
        "max_delivery_time": None, "description": None,
    }


def order(number: str | None, placed_at: datetime, *, status: str = "PAID",
          to: dict[str, Any] | None = None, items: list[dict[str, Any]] | None = None,
          shop_app: str = "Shippo", notes: str | None = None,
          shipping_method: str | None = "USPS First Class Package",
          seed: str | None = None) -> dict[str, Any]:
    seed = seed or f"order-{number}-{to_iso(placed_at)}"
    items = items if items is not None else [line_item("Hippo Magazines", "HM-123", seed=seed)]
    subtotal = sum(Decimal(i["total_price"]) for i in items)
    return {
        "object_id": object_id(seed), "order_number": number, "order_status": status,
        "placed_at": placed_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "object_owner": "owner@example.com",
        "to_address": to or address("Mr Hippo", "215 Clayton St.", "San Francisco", "94117",
                                    "US", state="CA", company="Shippo", phone="15553419393",
                                    email="shippotle@example.com", seed=seed),
        "from_address": None, "shop_app": shop_app, "weight": "0.40", "weight_unit": "lb",
        "transactions": [], "total_tax": "0.00", "total_price": str(subtotal + Decimal("12.83")),
        "subtotal_price": str(subtotal), "currency": "USD", "shipping_method": shipping_method,
        "shipping_cost": "12.83", "shipping_cost_currency": "USD", "line_items": items,
        "notes": notes, "test": True,
    }

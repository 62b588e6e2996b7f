"""The sample orders in resources/sample/demo_orders.json, as Shippo payloads: the demo's
orders, and the order a slip preview or a test print shows before any real order exists."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from typing import Any

from slipstation.loopback import samples
from slipstation.orders.models import Order, parse_order
from slipstation.resources import resource
from slipstation.timeutil import utc_now


@cache
def specs() -> tuple[dict[str, Any], ...]:
    data = json.loads(resource("sample", "demo_orders.json").read_text(encoding="utf-8"))
    return tuple(data["orders"])


def payload(spec: dict[str, Any], placed_minutes_ago: float) -> dict[str, Any]:
    placed = utc_now() - timedelta(minutes=placed_minutes_ago)
    items = [samples.line_item(i["title"], i["sku"], i["quantity"], i["price"],
                               variant=i["variant"], seed=spec["number"]) for i in spec["items"]]
    to = samples.address(spec["name"], spec["street1"], spec["city"], spec["zip"],
                         spec["country"], state=spec["state"], seed=spec["number"],
                         email=f"customer{spec['number'].strip('#')}@example.com")
    return samples.order(spec["number"], placed, status=spec["status"], to=to, items=items,
                         notes=spec["notes"] or None, shipping_method=spec["shipping_method"],
                         seed=f"demo-{spec['number']}")


def sample_order(number: str = "TEST-PRINT") -> Order:
    """A realistic order (several items, accents) for previews and test prints."""
    spec = max(specs(), key=lambda s: len(s["items"]))
    return parse_order(payload({**spec, "number": number, "notes": "Test print from "
                                "SlipStation: not a real order."}, 0))

"""An address as the lines a label or slip prints, in the order its country writes them."""

from __future__ import annotations

from slipstation.orders.models import Address

_CITY_FIRST = {"US", "CA", "AU"}
_BIG_TO_SMALL = {"JP", "KR", "CN", "TW"}  # addresses written from the region down


def address_lines(address: Address) -> list[str]:
    street = " ".join(p for p in (address.street1, address.street_no) if p)
    if address.country in _BIG_TO_SMALL:  # postcode, then region, city, street, building
        postcode = f"〒{address.zip}" if address.country == "JP" and address.zip else address.zip
        region = " ".join(p for p in (address.state, address.city) if p)
        lines = [postcode, region, street, address.street2, address.street3, address.company,
                 address.country]
        return [line for line in lines if line and line.strip()]
    if address.country in _CITY_FIRST:
        city = f"{address.city}, {address.state} {address.zip}".strip(", ")
    else:
        city = " ".join(p for p in (address.zip, address.city, address.state) if p)
    lines = [address.company, street, address.street2, address.street3, city, address.country]
    return [line for line in lines if line and line.strip()]

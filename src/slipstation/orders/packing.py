"""Scan-to-verify packing: each scanned code (a SKU, or a barcode from the bins file) counts
towards an order line up to its quantity; what matches no line, or goes past a quantity, is
wrong. Pure logic: the application layer prints and records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from slipstation.orders.models import Order


@dataclass
class PackLine:
    sku: str
    title: str
    wanted: int
    scanned: int = 0

    @property
    def done(self) -> bool:
        return self.scanned >= self.wanted


@dataclass
class PackCheck:
    lines: list[PackLine]
    wrong: list[str] = field(default_factory=list)  # codes of no line, or one too many

    @property
    def complete(self) -> bool:
        return all(line.done for line in self.lines) and not self.wrong

    @property
    def missing(self) -> list[tuple[PackLine, int]]:
        return [(line, line.wanted - line.scanned) for line in self.lines if not line.done]

    def summary(self) -> str:
        """One line: what is still missing and what is wrong (SKUs and counts, no names)."""
        parts = [f"missing {count} × {line.sku or line.title}" for line, count in self.missing]
        parts += [f"not in this order or one too many: {code}" for code in self.wrong]
        return "; ".join(parts) or "complete"


def _norm(code: str) -> str:
    return code.strip().casefold()


def start(order: Order) -> PackCheck:
    """The order's lines, nothing scanned yet (lines of the same SKU counted together)."""
    lines: dict[str, PackLine] = {}
    for item in order.line_items:
        key = _norm(item.sku) if item.sku else f"title:{_norm(item.title)}"
        if key in lines:
            lines[key].wanted += item.quantity
        else:
            lines[key] = PackLine(item.sku, item.title, item.quantity)
    return PackCheck(list(lines.values()))


def scan(check: PackCheck, code: str, barcodes: Mapping[str, str]) -> PackLine | None:
    """Count one scanned code: the line it fills, or None when it is wrong (recorded)."""
    wanted = _norm(barcodes.get(code.strip(), code))
    for line in check.lines:
        if line.sku and _norm(line.sku) == wanted and not line.done:
            line.scanned += 1
            return line
    check.wrong.append(code.strip())
    return None


def verify(order: Order, codes: Iterable[str], barcodes: Mapping[str, str]) -> PackCheck:
    check = start(order)
    for code in codes:
        scan(check, code, barcodes)
    return check

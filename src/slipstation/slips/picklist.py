"""A pick list: quantities summed per SKU over a batch of orders, in the order a picker walks
the shelves (by bin, when a bins file was imported), a box to tick per line, the column
headings on every page, on the station's paper (4x6 labels or A4/Letter)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from slipstation.orders.bins import bin_order
from slipstation.orders.models import Order
from slipstation.slips import fonts
from slipstation.slips.layout import Block, beside, gap, render, rule, text_line, text_lines
from slipstation.slips.paper import paper
from slipstation.slips.slip import RENDER_LOCK, tick_box
from slipstation.timeutil import utc_now


@dataclass
class PickLine:
    sku: str
    title: str
    variant: str
    quantity: int
    orders: int
    bin: str = ""


def pick_lines(orders: Sequence[Order], bins: Mapping[str, str] | None = None
               ) -> list[PickLine]:
    """One line per SKU (items without a SKU: per title and variant), sorted by bin (walking
    order), then SKU."""
    bins = bins or {}
    lines: dict[tuple[str, str, str], PickLine] = {}
    for order in orders:
        seen: set[tuple[str, str, str]] = set()
        for item in order.line_items:
            key = (item.sku, "", "") if item.sku else ("", item.title, item.variant_title)
            line = lines.get(key)
            if line is None:
                line = lines[key] = PickLine(item.sku, item.title, item.variant_title, 0, 0,
                                             bins.get(item.sku, ""))
            line.quantity += item.quantity
            if key not in seen:
                line.orders += 1
                seen.add(key)
    return sorted(lines.values(), key=lambda p: (bin_order(p.bin), p.sku == "",
                                                 p.sku.casefold(), p.title.casefold(),
                                                 p.variant.casefold()))


def render_picklist(orders: Sequence[Order], paper_name: str = "a4",
                    bins: Mapping[str, str] | None = None) -> bytes:
    sheet = paper(paper_name)
    size, width = sheet.text, sheet.content_width
    small = max(7.0, size * 0.82)
    lines = pick_lines(orders, bins)
    total = sum(line.quantity for line in lines)
    numbers = ", ".join(order.display_number for order in orders)

    header = [text_line("PICK LIST", size * 1.8, bold=True),
              *text_lines(f"{len(orders)} orders · {total} items · {len(lines)} SKUs · made "
                          f"{utc_now():%Y-%m-%d %H:%M} UTC", small, width),
              *text_lines(f"Orders: {numbers}", small, width, max_lines=6),
              rule(width, space=6)]
    box = size * 1.1
    qty_width = box + max(fonts.width(str(p.quantity), size, True) for p in
                          [*lines, PickLine("", "", "", 10000, 0)]) + 8
    has_bins = any(line.bin for line in lines)
    bin_width = min(width * 0.22, max((fonts.width(p.bin, size, True) for p in lines),
                                      default=0) + 10) if has_bins else 0.0
    sku_width = min(width * 0.28, max((fonts.width(p.sku, small) for p in lines),
                                      default=0) + 10)
    bin_x, sku_x = qty_width, qty_width + bin_width
    item_x = sku_x + sku_width
    headings = [(0, "QTY"), *([(bin_x, "BIN")] if has_bins else []), (sku_x, "SKU"),
                (item_x, "ITEM")]
    columns = beside(*((x, [text_line(name, small, bold=True)]) for x, name in headings))
    groups: list[list[Block]] = [[columns, rule(width, space=4)]]
    for line in lines:
        item_blocks = text_lines(line.title or "(untitled item)", size, width - item_x)
        if line.variant:
            item_blocks += text_lines(line.variant, small, width - item_x)
        if line.orders > 1:
            item_blocks.append(text_line(f"in {line.orders} orders", small))
        cells = [(0, [tick_box(box * 0.8, size)]),
                 (0, [text_line(str(line.quantity), size, x=qty_width - 8, bold=True,
                                align="right")]),
                 (sku_x, text_lines(line.sku or "—", small, sku_width - 6)),
                 (item_x, item_blocks)]
        if has_bins:
            cells.append((bin_x, text_lines(line.bin or "—", size, bin_width - 6, bold=True)))
        groups.append([beside(*cells), rule(width, weight=0.3, space=5)])

    def footer(canvas: Canvas, left: float, page: int, pages: int) -> None:
        y = sheet.margin - small * 0.2
        fonts.draw(canvas, left, y, "Pick list", small)
        fonts.draw(canvas, left + width, y, f"Page {page} of {pages}", small, align="right")

    def later() -> list[Block]:  # the column headings on every page
        return [text_line("PICK LIST (continued)", size * 1.2, bold=True), gap(2), columns,
                rule(width, space=4)]

    with RENDER_LOCK:
        return render(sheet, groups, first_header=header, later_header=later, footer=footer,
                      footer_height=small * 1.8, title="Pick list")

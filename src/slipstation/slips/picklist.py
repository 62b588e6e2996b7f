"""A pick list: quantities summed per SKU over a batch of orders, and which orders it covers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from slipstation.orders.models import Order
from slipstation.slips import fonts
from slipstation.slips.layout import Block, beside, render, rule, text_line, text_lines
from slipstation.slips.paper import paper
from slipstation.slips.slip import RENDER_LOCK
from slipstation.timeutil import utc_now


@dataclass
class PickLine:
    sku: str
    title: str
    variant: str
    quantity: int
    orders: int


def pick_lines(orders: Sequence[Order]) -> list[PickLine]:
    """One line per SKU (items without a SKU: per title and variant), sorted by SKU."""
    lines: dict[tuple[str, str, str], PickLine] = {}
    for order in orders:
        seen: set[tuple[str, str, str]] = set()
        for item in order.line_items:
            key = (item.sku, "", "") if item.sku else ("", item.title, item.variant_title)
            line = lines.get(key)
            if line is None:
                line = lines[key] = PickLine(item.sku, item.title, item.variant_title, 0, 0)
            line.quantity += item.quantity
            if key not in seen:
                line.orders += 1
                seen.add(key)
    return sorted(lines.values(), key=lambda p: (p.sku == "", p.sku.casefold(),
                                                 p.title.casefold(), p.variant.casefold()))


def render_picklist(orders: Sequence[Order], paper_name: str = "a4") -> bytes:
    sheet = paper(paper_name)
    size, width = sheet.text, sheet.content_width
    small = max(7.0, size * 0.82)
    lines = pick_lines(orders)
    total = sum(line.quantity for line in lines)
    numbers = ", ".join(order.display_number for order in orders)

    header = [text_line("PICK LIST", size * 1.8, bold=True),
              text_line(f"{len(orders)} orders · {total} items · {len(lines)} SKUs · made "
                        f"{utc_now():%Y-%m-%d %H:%M} UTC", small),
              *text_lines(f"Orders: {numbers}", small, width), rule(width, space=6)]
    qty_width = fonts.width("00000", size, True) + 8
    sku_width = min(width * 0.3, max((fonts.width(p.sku, small) for p in lines), default=0) + 10)
    item_x = qty_width + sku_width
    columns = beside((0, [text_line("QTY", small, bold=True)]),
                     (qty_width, [text_line("SKU", small, bold=True)]),
                     (item_x, [text_line("ITEM", small, bold=True)]))
    groups: list[list[Block]] = [[columns, rule(width, space=4)]]
    for line in lines:
        item_blocks = text_lines(line.title or "(untitled item)", size, width - item_x)
        if line.variant:
            item_blocks += text_lines(line.variant, small, width - item_x)
        if line.orders > 1:
            item_blocks.append(text_line(f"in {line.orders} orders", small))
        row = beside((0, [text_line(str(line.quantity), size, x=qty_width - 8, bold=True,
                                    align="right")]),
                     (qty_width, text_lines(line.sku or "—", small, sku_width - 6)),
                     (item_x, item_blocks))
        groups.append([row, rule(width, weight=0.3, space=5)])

    def footer(canvas: Canvas, left: float, page: int, pages: int) -> None:
        y = sheet.margin - small * 0.2
        fonts.draw(canvas, left, y, "Pick list", small)
        fonts.draw(canvas, left + width, y, f"Page {page} of {pages}", small, align="right")

    def later() -> list[Block]:
        return [text_line("PICK LIST (continued)", size * 1.2, bold=True), rule(width, space=6)]

    with RENDER_LOCK:
        return render(sheet, groups, first_header=header, later_header=later, footer=footer,
                      footer_height=small * 1.8, title="Pick list")

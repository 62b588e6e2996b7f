"""The packing slip of one order."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from reportlab.graphics.barcode.code128 import Code128
from reportlab.pdfgen.canvas import Canvas

from slipstation.orders.addresses import address_lines
from slipstation.orders.bins import bin_order
from slipstation.orders.models import LineItem, Order, scan_key
from slipstation.slips import fonts, images
from slipstation.slips.layout import (
    Block,
    Flowing,
    barred,
    beside,
    gap,
    render,
    rule,
    text_line,
    text_lines,
)
from slipstation.slips.paper import Paper, paper
from slipstation.slips.words import language_for, words

# ReportLab's TrueType subsetting keeps per-document state on shared font objects.
RENDER_LOCK = threading.Lock()
# Countries whose addresses have no postcode: a missing one there is no warning.
_NO_POSTCODE = {"AE", "AG", "AO", "AW", "BS", "BZ", "CW", "FJ", "GH", "HK", "IE", "JM", "KI",
                "MO", "QA", "SR", "TT", "TV", "UG", "VU", "YE", "ZW"}
COMPACT_AFTER = {"4x6": 6, "a4": 16, "letter": 16}  # more lines than this: one line per item

log = logging.getLogger(__name__)
NAME_SCALE = 1.3  # the customer's name, against body text: the order number is never smaller


@dataclass(frozen=True)
class SlipOptions:
    paper: str = "4x6"
    show_prices: bool = False
    logo: str = ""
    ship_from: tuple[str, ...] = ()  # the shop's return address, when orders carry none
    dpi: int = 203  # the printer's head: barcode bars are whole dots of it
    language: str = "auto"  # headings: by ship-to country, or one of slips/words.py
    contact: bool = False  # the customer's phone and email
    descriptions: bool = True  # each item's description (personalisation)
    weights: bool = False
    tick_boxes: bool = False
    footer: str = ""  # the shop's line at the foot of every slip
    bins: Mapping[str, str] = field(default_factory=dict)  # sku → shelf: shown, and the order

    @classmethod
    def from_settings(cls, values: dict[str, object]) -> SlipOptions:
        ship_from = str(values.get("ship_from") or "")
        return cls(paper=str(values["paper"]), show_prices=bool(values["show_prices"]),
                   logo=str(values.get("logo") or ""),
                   ship_from=tuple(p.strip() for p in ship_from.split("|") if p.strip()),
                   language=str(values.get("slip_language") or "auto"),
                   contact=bool(values.get("slip_contact", False)),
                   descriptions=bool(values.get("slip_descriptions", True)),
                   weights=bool(values.get("slip_weights", False)),
                   tick_boxes=bool(values.get("slip_tick_boxes", False)),
                   footer=str(values.get("slip_footer") or ""))


MAX_NUMBER_IN_BARS = 20  # longer numbers would need bars thinner than two dots on a 4x6


def barcode_value(order: Order) -> str:
    """What the barcode encodes (and the slip prints under it): the order number as printed
    when Code 128 carries it in few enough bars; else a short key for its Shippo id."""
    number = order.display_number
    if number.isascii() and number.isprintable() and len(number) <= MAX_NUMBER_IN_BARS:
        return number
    return scan_key(order.object_id) or order.object_id


def bar_modules(value: str) -> float:
    """The barcode's width in modules (narrowest bars), quiet zones included."""
    return float(Code128(value, barWidth=1, humanReadable=False, quiet=True, lquiet=10,
                         rquiet=10).width)


def _scale(dpi: int) -> int:
    """Head dots per 203-dpi dot: a 600-dpi head draws a 2-dot bar with 6 of its dots."""
    return max(1, round(dpi / 203))


def min_module(dpi: int) -> float:
    """The narrowest bar a scanner reads off a thermal slip reliably: two dots, in points."""
    return 2 * _scale(dpi) * 72 / dpi


def barcode_block(value: str, height: float, max_width: float, *, dpi: int = 203,
                  align_right: bool = False) -> Block:
    """Code 128 for a thermal head: every bar a whole number of the printer's dots (3 or 2 at
    203 dpi; as wide in millimetres at 300 or 600), placed on the dot grid, 10-module quiet
    zones, the encoded value printed under the bars."""
    dot, scale = 72 / dpi, _scale(dpi)
    for dots in (3 * scale, 2 * scale, 1 * scale, 1):
        module = dots * dot
        if bar_modules(value) * module <= max_width:
            break
    code = Code128(value, barWidth=module, barHeight=height, humanReadable=False, quiet=True,
                   lquiet=10 * module, rquiet=10 * module)
    caption = max(6.0, min(9.0, height * 0.22))

    def draw(canvas: Canvas, left: float, top: float) -> None:
        x = max_width - code.width if align_right else 0.0
        snapped = round((left + x) / dot) * dot  # bar edges fall between the head's dots
        code.drawOn(canvas, snapped, top - height)
        fonts.draw(canvas, snapped + code.width / 2, top - height - caption, value, caption,
                   align="center")
    return Block(height + caption + 4, draw, width=code.width)


def order_warnings(order: Order) -> list[str]:
    """What a packer must check before packing: nothing to pack, or an address that cannot
    arrive. Printed as a black strip on the slip and logged."""
    warnings = []
    if not order.line_items:
        warnings.append("NO ITEMS ON THIS ORDER — check it in Shippo before packing")
    to = order.to_address
    missing = [label for label, value in (("street", to.street1), ("city", to.city),
                                          ("country", to.country)) if not (value or "").strip()]
    if not (to.zip or "").strip() and to.country not in _NO_POSTCODE:
        missing.append("postcode")
    if missing:
        warnings.append(f"ADDRESS INCOMPLETE — no {', '.join(missing)}")
    return warnings


def warning_strip(text: str, size: float, width: float) -> list[Block]:
    """White bold words on a black strip, full width: seen from across the bench."""
    lines = fonts.wrap(text, size, width - 8, bold=True)
    height = size * 1.35

    def one(line: str) -> Block:
        def draw(canvas: Canvas, left: float, top: float) -> None:
            canvas.saveState()
            canvas.setFillGray(0)
            canvas.rect(left, top - height, width, height, stroke=0, fill=1)
            canvas.setFillGray(1)
            fonts.draw(canvas, left + 4, top - size * 1.05, line, size, bold=True)
            canvas.restoreState()
        return Block(height, draw)
    return [one(line) for line in lines] + [gap(3)]


def tick_box(side: float, size: float) -> Block:
    """An empty square on the line's first row, to tick off while packing."""
    def draw(canvas: Canvas, left: float, top: float) -> None:
        canvas.setLineWidth(0.9)
        canvas.rect(left, top - size * 0.95, side, side, stroke=1, fill=0)
    return Block(size * 1.25, draw)


def _money(value: str | None, currency: str) -> str:
    return f"{value} {currency}".strip() if value else ""


class _SlipBuilder:
    def __init__(self, order: Order, options: SlipOptions) -> None:
        self.order = order
        self.options = options
        self.paper: Paper = paper(options.paper)
        self.size = self.paper.text
        self.small = max(7.0, self.size * 0.82)
        self.width = self.paper.content_width
        self.words = words(language_for(order.to_address.country, options.language))
        self.warnings = [block for warning in order_warnings(order)
                         for block in warning_strip(warning, self.size, self.width)]

    # -- header --------------------------------------------------------------------------------
    def first_header(self) -> list[Block]:
        order, size, width = self.order, self.size, self.width
        logo = images.logo(self.options.logo)
        logo_height = size * 4.0
        # No order number: the heading is the key the barcode holds (what the scan box takes).
        heading = order.order_number or barcode_value(order)
        fitted, fitted_size = fonts.fit(heading, size * 2.0, width * 0.5, True,
                                        min_size=NAME_SCALE * size)
        long_number: list[Block] = []
        if fitted == heading:
            number = text_line(heading, fitted_size, x=width, bold=True, align="right")
        else:  # never smaller than the customer's name, never cut: a row of its own
            number = text_line("", size * 2.0)
            long_number = text_lines(heading, NAME_SCALE * size * 1.15, width, bold=True)
        if logo is not None:
            ratio = logo.ratio
            logo_width = min(logo_height * ratio, width * 0.45)
            drawn_height = logo_width / ratio
            reader = logo.for_print(logo_width, self.options.dpi)

            def draw_top(canvas: Canvas, left: float, top: float) -> None:
                canvas.drawImage(reader, left, top - drawn_height, logo_width, drawn_height)
                number.draw(canvas, left, top)
            top_row = Block(max(drawn_height, number.height) + 2, draw_top)
        else:
            label = text_line(self.words.packing_slip, self.small, bold=True)

            def draw_top(canvas: Canvas, left: float, top: float) -> None:
                label.draw(canvas, left, top - number.height + label.height)
                number.draw(canvas, left, top)
            top_row = Block(number.height + 2, draw_top)
        top = [top_row, *long_number]

        lines = len(order.line_items)
        said = self.words
        facts = [f"{said.order_date}: {order.placed_at:%Y-%m-%d}",
                 f"{said.items}: {order.item_count}"
                 + (said.in_lines.format(n=lines) if lines > 1 else "")]
        if self.options.weights and order.weight:
            facts.append(f"{said.weight}: {order.weight} {order.weight_unit}".strip())
        if order.shipping_method:
            facts += fonts.wrap(f"{said.ship_via}: {order.shipping_method}", self.small,
                                width * 0.45)[:3]
        fact_blocks = [text_line(f, self.small, x=width, align="right", max_width=width * 0.45)
                       for f in facts]
        value, dpi = barcode_value(order), self.options.dpi
        bar = barcode_block(value, size * 3.6, width * 0.62, dpi=dpi)
        if bar.width / bar_modules(value) < 1.5 * min_module(dpi) - 1e-9:
            # thinner than 3 dots beside the facts: a row of its own, full width, where the
            # bars can be as wide as a 150-dpi or worn scanner needs
            bar = barcode_block(value, size * 3.6, width, dpi=dpi)
            return [*top, *fact_blocks, gap(2), bar, rule(width, space=6),
                    *self.warnings, *self.addresses(), rule(width, space=6)]
        return [*top, beside((0, [bar]), (0, fact_blocks)), rule(width, space=6),
                *self.warnings, *self.addresses(), rule(width, space=6)]

    def later_header(self) -> list[Block]:
        size, width = self.size, self.width
        text, title_size = fonts.fit(f"{self.order.display_number} ({self.words.continued})",
                                     size * 1.3,
                                     width * 0.6, bold=True)
        title = text_line(text, title_size, bold=True)
        room = width - fonts.width(text, title_size, True) - 10
        value, dpi = barcode_value(self.order), self.options.dpi
        if room > 0:
            bar = barcode_block(value, size * 2.2, room, dpi=dpi, align_right=True)
            if bar.width <= room and bar.width / bar_modules(value) >= min_module(dpi) - 1e-9:
                return [beside((0, [title]), (width - room, [bar])), rule(width, space=6)]
        # Too narrow side by side: the barcode goes under the title.
        return [title, barcode_block(value, size * 2.2, width, dpi=dpi), rule(width, space=6)]

    def addresses(self) -> list[Block]:
        size, width = self.size, self.width
        to = self.order.to_address
        column = width * 0.58 if self.paper.columns else width
        ship_to = [text_line(self.words.ship_to, self.small, bold=True)]
        ship_to += text_lines(to.name, size * NAME_SCALE, column, bold=True, max_lines=2)
        for line in address_lines(to):
            ship_to += text_lines(line, size * 1.05, column, max_lines=3)
        if self.options.contact:
            for label, value in ((self.words.phone, to.phone), (self.words.email, to.email)):
                if value:
                    ship_to += text_lines(f"{label}: {value}", self.small, column, max_lines=1)
        sender = (address_lines(self.order.from_address) if self.order.from_address
                  else list(self.options.ship_from))
        if self.order.from_address and self.order.from_address.name:
            sender.insert(0, self.order.from_address.name)
        if not sender:
            return ship_to
        if self.paper.columns:
            from_width = width - column - 12
            from_blocks = [text_line(self.words.sender, self.small, bold=True)]
            for line in sender:
                from_blocks += text_lines(line, self.small, from_width, max_lines=2)
            return [beside((0, ship_to), (column + 12, from_blocks))]
        from_text = f"{self.words.sender.capitalize()}: " + ", ".join(sender)
        return [*ship_to, gap(3), *text_lines(from_text, self.small, width, max_lines=3)]

    # -- body ----------------------------------------------------------------------------------
    def item_groups(self) -> list[list[Block]]:
        size, small, width = self.size, self.small, self.width
        qty_size = size * 1.15
        quantities = [str(item.quantity) for item in self.order.line_items]
        # As wide as the widest quantity (never smaller type); past a third of the width the
        # digits wrap in their column.
        box = size * 1.1 if self.options.tick_boxes else 0.0  # a square to tick, left
        qty_width = min(max(fonts.width(q, qty_size, True) for q in ["000", *quantities]),
                        width / 3) + 6 + box
        price_width = fonts.width("00000.00 USD", small) + 6 if self.options.show_prices else 0
        item_width = width - qty_width - price_width
        compact = len(self.order.line_items) > COMPACT_AFTER.get(self.paper.name, 16)

        said = self.words
        header = [text_line(said.qty, small, bold=True), text_line(said.item, small, x=qty_width,
                                                                  bold=True)]
        if self.options.show_prices:
            header.append(text_line(said.price, small, x=width, bold=True, align="right"))
        groups: list[list[Block]] = [[beside(*((0, [b]) for b in header)), rule(width, space=4)]]
        for item, quantity in self.walking_order(quantities):
            if fonts.width(quantity, qty_size, True) <= qty_width - 6 - box:
                qty = [text_line(quantity, qty_size, x=qty_width - 6, bold=True, align="right")]
            else:
                qty = text_lines(quantity, qty_size, qty_width - 6 - box, x=box, bold=True)
            if box:
                qty = [beside((0, [tick_box(box * 0.8, qty_size)]), (0, qty))]
            if compact:  # one line an item (two for a long title): 20+ lines a 4x6 label
                groups.append(self._compact_row(item, qty, qty_width, item_width))
                continue
            title_lines = fonts.wrap(item.title, size, item_width) or ["(untitled item)"]
            first = [text_line(title_lines[0], size, x=qty_width)]
            if self.options.show_prices:
                first.append(text_line(_money(item.total_price, item.currency), small, x=width,
                                       align="right", max_width=price_width - 6))
            row = [beside((0, qty), *((0, [b]) for b in first))]
            row += [text_line(line, size, x=qty_width) for line in title_lines[1:]]
            if item.variant_title:
                row += text_lines(item.variant_title, small, item_width, x=qty_width)
            shelf = self.options.bins.get(item.sku, "")
            if shelf:
                row += text_lines(f"{said.bin}: {shelf}", small, item_width, x=qty_width,
                                  bold=True)
            if item.sku:
                row += text_lines(f"{said.sku}: {item.sku}", small, item_width, x=qty_width)
            row += self._item_extras(item, item_width, qty_width)
            row.append(rule(width, weight=0.3, space=5))
            groups.append(row)
        return groups

    def walking_order(self, quantities: list[str]) -> list[tuple[LineItem, str]]:
        """The lines as a picker walks the shelves (by bin), when bins are known."""
        pairs = list(zip(self.order.line_items, quantities, strict=True))
        if self.options.bins:
            pairs.sort(key=lambda pair: bin_order(self.options.bins.get(pair[0].sku, "")))
        return pairs

    def _compact_row(self, item: LineItem, qty: list[Block], qty_width: float,
                     item_width: float) -> list[Block]:
        size, small, width = self.size, self.small, self.width
        sku = f"{self.words.sku} {item.sku}" if item.sku else ""
        shelf = self.options.bins.get(item.sku, "")
        if shelf:
            sku = f"{shelf} · {sku}" if sku else shelf
        sku_width = min(fonts.width(sku, small), item_width * 0.4) + 6 if sku else 0.0
        title = " — ".join(p for p in (item.title or "(untitled item)", item.variant_title) if p)
        lines = text_lines(title, size, item_width - sku_width, x=qty_width, max_lines=2)
        right = [text_line(sku, small, x=width, align="right", max_width=sku_width - 6)
                 ] if sku else []
        if self.options.show_prices:
            right = [text_line(_money(item.total_price, item.currency), small, x=width,
                               align="right")]
            if sku:
                lines += [text_line(sku, small, x=qty_width, max_width=item_width)]
        extras = self._item_extras(item, item_width, qty_width)
        return [beside((0, qty), (0, lines), (0, right)), *extras,
                rule(width, weight=0.3, space=2)]

    def _item_extras(self, item: LineItem, item_width: float, x: float) -> list[Block]:
        """The description (engraving, personalisation) and weight, when the shop wants them."""
        extras: list[Block] = []
        if self.options.descriptions and item.description:
            extras += text_lines(item.description, self.small, item_width, x=x, max_lines=4)
        if self.options.weights and item.weight:
            weight = f"{self.words.weight}: {item.weight} {item.weight_unit}".strip()
            extras += text_lines(weight, self.small, item_width, x=x, max_lines=1)
        return extras

    def summary_groups(self) -> list[list[Block]]:
        order, size, small, width = self.order, self.size, self.small, self.width
        lines = len(order.line_items)
        said = self.words
        totals = [text_line(f"{said.total_items}: {order.item_count}"
                            f"{said.in_lines.format(n=lines) if lines > 1 else ''}", size * 1.1,
                            bold=True, max_width=width)]
        if self.options.show_prices:
            for label, value in ((said.subtotal, order.subtotal_price),
                                 (said.shipping, order.shipping_cost),
                                 (said.tax, order.total_tax), (said.total, order.total_price)):
                if value:
                    totals.append(text_line(f"{label}: {_money(value, order.currency)}", small,
                                            x=width, bold=label == said.total, align="right",
                                            max_width=width))
        groups: list[list[Block]] = [[gap(2), *totals]]
        if order.notes:  # in a box of its own, breaking across labels with a word where
            note_lines = text_lines(order.notes, size, width - 10)

            def more(page: int) -> Block:
                return text_line(f"… {said.note_continues.format(page=page)}", small,
                                 bold=True)
            groups.append(Flowing([gap(6), text_line(said.notes, small, bold=True),
                                   *barred(note_lines)], more, keep=4))
        return groups

    def footer_lines(self) -> list[str]:
        return fonts.wrap(self.options.footer, self.small, self.width)[:2]

    def footer(self, canvas: Canvas, left: float, page: int, pages: int) -> None:
        y = self.paper.margin - self.small * 0.2
        for index, line in enumerate(reversed(self.footer_lines()), start=1):
            fonts.draw(canvas, left, y + index * self.small * 1.25, line, self.small)
        number, number_size = fonts.fit(self.order.display_number, self.small, self.width * 0.6)
        fonts.draw(canvas, left, y, number, number_size)
        fonts.draw(canvas, left + self.width, y,
                   self.words.page.format(page=page, pages=pages), self.small,
                   align="right")

    def build(self) -> bytes:
        groups = self.item_groups() + self.summary_groups()
        return render(self.paper, groups, first_header=self.first_header(),
                      later_header=self.later_header, footer=self.footer,
                      footer_height=self.small * (1.8 + 1.25 * len(self.footer_lines())),
                      title=f"Packing slip {self.order.display_number}")


def render_slip(order: Order, options: SlipOptions | None = None) -> bytes:
    """The slip as PDF bytes, in memory (never a temporary file). Text no bundled font can draw
    prints as a placeholder, with one warning per slip naming the scripts."""
    for warning in order_warnings(order):
        log.warning("slip for order id %s: %s", order.object_id, warning)
    with RENDER_LOCK, fonts.MissingGlyphs() as missing:
        pdf = _SlipBuilder(order, options or SlipOptions()).build()
    if missing.chars:
        log.warning("slip for order id %s: no bundled font has %d character(s) (%s); printed "
                    "as %s", order.object_id, len(missing.chars), ", ".join(missing.scripts),
                    fonts.PLACEHOLDER)
    return pdf


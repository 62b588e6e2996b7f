"""A small page-layout engine over the ReportLab canvas: blocks of fixed height, grouped so a
row stays together when it can, paginated first so every page can say "Page x of y".

Drawing straight on the canvas (not platypus paragraphs) keeps a slip close to the speed of a
bare canvas; text is drawn literally, so nothing in an order is ever read as markup.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from slipstation.slips import fonts
from slipstation.slips.paper import Paper

Draw = Callable[[Canvas, float, float], None]  # (canvas, left x, top y of the block)


@dataclass(frozen=True)
class Block:
    height: float
    draw: Draw
    width: float = 0.0  # known only for fixed-size art such as barcodes


def text_line(text: str, size: float, *, x: float = 0.0, bold: bool = False,
              align: str = "left", leading: float = 1.25,
              max_width: float | None = None) -> Block:
    """One line; with `max_width` it is made to fit (smaller, then cut short), never wider."""
    height = size * leading
    if max_width is not None:
        text, size = fonts.fit(text, size, max_width, bold)

    def draw(canvas: Canvas, left: float, top: float) -> None:
        fonts.draw(canvas, left + x, top - size * 0.95, text, size, bold, align)
    return Block(height, draw)


def text_lines(text: str, size: float, max_width: float, *, x: float = 0.0,
               bold: bool = False, max_lines: int | None = None) -> list[Block]:
    """Wrapped lines; with `max_lines` (header fields, which must leave room on the page) the
    last kept line ends with an ellipsis when text was cut."""
    lines = fonts.wrap(text, size, max_width, bold)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = fonts.fit(lines[-1] + "…", size, max_width, bold, min_size=size)[0]
    return [text_line(line, size, x=x, bold=bold) for line in lines]


def rule(width: float, *, weight: float = 0.8, space: float = 4.0) -> Block:
    def draw(canvas: Canvas, left: float, top: float) -> None:
        canvas.setLineWidth(weight)
        canvas.line(left, top - space / 2, left + width, top - space / 2)
    return Block(space, draw)


def gap(height: float) -> Block:
    return Block(height, lambda _canvas, _left, _top: None)


def stack(blocks: Sequence[Block], x: float = 0.0) -> Block:
    """Blocks drawn one under another as one block, shifted right by x."""
    def draw(canvas: Canvas, left: float, top: float) -> None:
        for block in blocks:
            block.draw(canvas, left + x, top)
            top -= block.height
    return Block(sum(b.height for b in blocks), draw)


def beside(*columns: tuple[float, Sequence[Block]]) -> Block:
    """Columns side by side, each (x offset, blocks); as tall as the tallest."""
    parts = [stack(blocks, x) for x, blocks in columns]

    def draw(canvas: Canvas, left: float, top: float) -> None:
        for part in parts:
            part.draw(canvas, left, top)
    return Block(max((p.height for p in parts), default=0.0), draw)


class Flowing(list[Block]):
    """A group that may break across pages (a long note) rather than move whole and leave a
    page half empty: at least `keep` blocks stay together, and where it breaks `more(page)`
    says on which page it goes on."""

    def __init__(self, blocks: Sequence[Block], more: Callable[[int], Block],
                 keep: int = 3) -> None:
        super().__init__(blocks)
        self.more = more
        self.keep = keep


def _flow(group: Flowing, pages: list[list[Block]], remaining: float, later: float) -> float:
    """Place a flowing group from the current page on; returns the room left after it."""
    blocks = list(group)
    while sum(b.height for b in blocks) > remaining:
        marker = group.more(len(pages) + 1).height
        fit, used = 0, 0.0
        for block in blocks:
            if used + block.height + marker > remaining:
                break
            used += block.height
            fit += 1
        if fit < min(group.keep, len(blocks)) and pages[-1]:
            pages.append([])  # too little room to start it here: a fresh page
            remaining = later
            continue
        fit = max(fit, 1)
        pages[-1].extend(blocks[:fit])
        pages[-1].append(group.more(len(pages) + 1))
        blocks = blocks[fit:]
        pages.append([])
        remaining = later
    pages[-1].extend(blocks)
    return remaining - sum(b.height for b in blocks)


def barred(blocks: Sequence[Block], weight: float = 1.6, indent: float = 7.0) -> list[Block]:
    """Blocks with a black bar down their left edge (a note's box, page after page)."""
    def one(block: Block) -> Block:
        def draw(canvas: Canvas, left: float, top: float) -> None:
            canvas.setLineWidth(weight)
            canvas.line(left + weight / 2, top, left + weight / 2, top - block.height)
            block.draw(canvas, left + indent, top)
        return Block(block.height, draw)
    return [one(block) for block in blocks]


def paginate(groups: Sequence[Sequence[Block]], first: float, later: float) -> list[list[Block]]:
    """Fill pages of the given capacities; a group moves whole to a new page when it fits one
    (a `Flowing` group breaks where the page ends instead)."""
    pages: list[list[Block]] = [[]]
    remaining = first
    for group in groups:
        total = sum(b.height for b in group)
        if isinstance(group, Flowing) and total > remaining:
            remaining = _flow(group, pages, remaining, later)
            continue
        if total > remaining and pages[-1] and total <= later:
            pages.append([])
            remaining = later
        for block in group:
            if block.height > remaining and pages[-1]:
                pages.append([])
                remaining = later
            pages[-1].append(block)
            remaining -= block.height
    return pages


def render(paper: Paper, groups: Sequence[Sequence[Block]], *, first_header: Sequence[Block],
           later_header: Callable[[], Sequence[Block]],
           footer: Callable[[Canvas, float, int, int], None], footer_height: float,
           title: str) -> bytes:
    """Lay out and draw the whole document; returns the PDF bytes.

    The continuation header is built only when the content needs a second page.
    """
    top = paper.height - paper.margin
    usable = top - paper.margin - footer_height
    first_capacity = usable - sum(b.height for b in first_header)
    content = sum(b.height for group in groups for b in group)
    later: Sequence[Block] = later_header() if content > first_capacity else ()
    later_capacity = usable - sum(b.height for b in later)
    pages = paginate(groups, first_capacity, later_capacity)

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=paper.size, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("SlipStation")
    for number, page in enumerate(pages, start=1):
        canvas.setFillGray(0)
        canvas.setStrokeGray(0)
        y = top
        for block in [*(first_header if number == 1 else later), *page]:
            block.draw(canvas, paper.margin, y)
            y -= block.height
        footer(canvas, paper.margin, number, len(pages))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()

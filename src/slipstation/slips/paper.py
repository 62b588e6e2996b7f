"""Paper sizes (exact, in points) and the type scale that suits each."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER

DOT = 72 / 203  # one dot of a 203-dpi thermal printer, in points


@dataclass(frozen=True)
class Paper:
    name: str
    width: float
    height: float
    margin: float
    text: float      # body text size
    columns: bool    # ship-to and ship-from side by side

    @property
    def size(self) -> tuple[float, float]:
        return (self.width, self.height)

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin

    @property
    def printnode_paper(self) -> tuple[int, int]:
        """PrintNode's paper size: tenths of a millimetre."""
        return (round(self.width / 72 * 254), round(self.height / 72 * 254))


PAPERS = {
    "4x6": Paper("4x6", 288.0, 432.0, 12.0, 9.0, False),
    "a4": Paper("a4", A4[0], A4[1], 40.0, 10.5, True),
    "letter": Paper("letter", LETTER[0], LETTER[1], 40.0, 10.5, True),
}


def paper(name: str) -> Paper:
    return PAPERS[name.lower()]

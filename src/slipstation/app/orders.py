"""Orders as the faces see them: find, search and count the stored orders, render their slips
and pick lists (never written to disk here: the caller decides where bytes go)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from slipstation.app.core import Core
from slipstation.config import lookup
from slipstation.fileio import safe_filename, sync_files, write_private
from slipstation.orders.models import Order
from slipstation.sample_orders import sample_order
from slipstation.slips.batch import slip_writer
from slipstation.store.bins import BinStore
from slipstation.store.orders import StoredOrder

if TYPE_CHECKING:
    from slipstation.slips.slip import SlipOptions


class OrdersService:
    def __init__(self, core: Core) -> None:
        self._core = core

    def find(self, number: str) -> StoredOrder:
        return self._core.find_order(number)

    def search(self, *, status: str | None = None, text: str | None = None,
               printed: bool | None = None, limit: int = 1000,
               offset: int = 0) -> list[StoredOrder]:
        """Newest first."""
        return self._core.order_store.search(status=status, text=text, printed=printed,
                                             limit=limit, offset=offset)

    def count(self, *, status: str | None = None, text: str | None = None,
              printed: bool | None = None) -> int:
        return self._core.order_store.count(status=status, text=text, printed=printed)

    def status_history(self, order_id: int) -> list[tuple[str, str]]:
        return self._core.order_store.status_history(order_id)

    # -- slips ---------------------------------------------------------------------------------
    def slip_options(self, order: Order | None = None,
                     values: dict[str, object] | None = None) -> SlipOptions:
        """The slip settings, with the bins of this order's SKUs."""
        from slipstation.slips.slip import SlipOptions  # ReportLab: only when rendering

        options = SlipOptions.from_settings(values or self._core.settings.all())
        if order is None:
            return options
        return replace(options, bins=BinStore(self._core.db).for_skus(
            item.sku for item in order.line_items))

    def render_slip(self, number: str) -> tuple[StoredOrder, bytes]:
        from slipstation.slips.slip import render_slip

        stored = self.find(number)
        return stored, render_slip(stored.order, self.slip_options(stored.order))

    def save_slips(self, numbers: list[str], folder: Path, *, every: bool = False
                   ) -> Iterator[tuple[StoredOrder, Path]]:
        """Render many slips into a folder, one file each: the orders, the settings and their
        bins read in bulk, not once per slip (`every`: all stored orders, newest first); a
        large batch renders on every core. The files are durable when the iteration ends."""
        written: list[Path] = []
        # A large batch's workers start first and load the renderer while the orders are read.
        with slip_writer(len(numbers) + (self.count() if every else 0)) as write_slips:
            find = self._core.order_finder(numbers)
            chosen = [find(number) for number in numbers]
            if every:
                chosen += self.search(limit=-1)
            options = self.slip_options()
            bins = BinStore(self._core.db).for_skus(
                item.sku for stored in chosen for item in stored.order.line_items)
            jobs, used = [], set()
            for stored in chosen:
                name = f"slip-{safe_filename(stored.order.key)}"
                if name in used:  # two orders with one number: both kept
                    name += f"-{safe_filename(stored.order.object_id[:12])}"
                used.add(name)
                mine = {item.sku: bins[item.sku] for item in stored.order.line_items
                        if item.sku in bins}
                jobs.append((stored.order, replace(options, bins=mine), folder / f"{name}.pdf"))
            try:
                for stored, path in zip(chosen, write_slips(jobs), strict=True):
                    written.append(path)
                    yield stored, path
            finally:  # what was written is made durable, also when the batch stops early
                sync_files(written)

    def save_slip(self, number: str, path: Path) -> tuple[StoredOrder, Path]:
        """Render one slip into an owner-only file (the user's choice of path)."""
        stored, pdf = self.render_slip(number)
        return stored, write_private(path, pdf)

    def preview_slip(self, number: str | None = None,
                     changes: dict[str, str] | None = None) -> bytes:
        """A slip as it would print with some settings changed but not yet saved (the
        Settings screen's live preview); a sample order when no order is named."""
        values = self._core.settings.all()
        for key, text in (changes or {}).items():
            values[key] = lookup(key).parse(text)
        from slipstation.slips.slip import render_slip

        order = self.find(number).order if number else sample_order()
        return render_slip(order, self.slip_options(order, values))

    def render_picklist(self, numbers: list[str], paper: str | None = None) -> bytes:
        """The pick list on the station's paper (a 4x6 station picks from labels too)."""
        from slipstation.slips.picklist import render_picklist

        find = self._core.order_finder(numbers)
        orders = [find(number).order for number in numbers]
        bins = BinStore(self._core.db).for_skus(
            item.sku for order in orders for item in order.line_items)
        return render_picklist(orders, paper or str(self._core.settings.get("paper")), bins)

    def save_picklist(self, numbers: list[str], path: Path, paper: str | None = None) -> Path:
        return write_private(path, self.render_picklist(numbers, paper))

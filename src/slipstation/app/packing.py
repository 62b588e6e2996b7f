"""Pack mode: an order scanned, then each item; when every line is complete the station prints
what `pack_prints` says (label, slip or both) and records the order as packed. Nothing prints
for a short or wrong pack, nor for an order Shippo now has as cancelled or refunded."""

from __future__ import annotations

from dataclasses import dataclass, field

from slipstation.app.core import Core
from slipstation.app.outcomes import PrintOutcome
from slipstation.app.printing import NO_LABEL_STATUSES, PrintingService
from slipstation.errors import SlipStationError, UsageError
from slipstation.orders.models import Order
from slipstation.orders.packing import PackCheck, start, verify
from slipstation.store.bins import BinStore
from slipstation.store.packing import Packed, PackedStore

MAX_REASON = 200


class PackIncomplete(SlipStationError):
    """A pack that is short or holds a wrong item: nothing was printed."""


class PackedBefore(SlipStationError):
    """The order was packed before: a second pack needs `again`."""


@dataclass(frozen=True)
class PackReport:
    number: str
    check: PackCheck
    prints: list[PrintOutcome] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return all(outcome.accepted for outcome in self.prints)


class PackingService:
    def __init__(self, core: Core, printing: PrintingService) -> None:
        self._core = core
        self._printing = printing

    def order(self, number: str) -> tuple[Order, Packed | None]:
        """The order to pack (as stored) and when it was packed before, if it was."""
        stored = self._core.find_order(number)
        return stored.order, PackedStore(self._core.db).last(stored.id)

    def check(self, number: str, codes: list[str]) -> PackCheck:
        """How far these scans fill the order (nothing is printed or recorded)."""
        order, _ = self.order(number)
        return verify(order, codes, BinStore(self._core.db).skus_for_barcodes(codes))

    def pack(self, number: str, codes: list[str], *, packer: str = "", again: bool = False
             ) -> PackReport:
        """Verify every item, then print and record; a short or wrong pack prints nothing."""
        check = self.check(number, codes)
        if not check.complete:
            self._core.audit.record("pack.short", missing=len(check.missing),
                                    wrong=len(check.wrong))
            raise PackIncomplete(f"Order {number.strip()} is not complete: {check.summary()}; "
                                 "nothing was printed")
        return self._finish(number, check, packer=packer, verified=True, again=again)

    def skip(self, number: str, reason: str, *, packer: str = "", again: bool = False
             ) -> PackReport:
        """Pack without scanning the items: only with a reason, which is recorded."""
        reason = " ".join(reason.split())
        if not reason:
            raise UsageError("Skipping verification needs a reason.")
        order, _ = self.order(number)
        return self._finish(number, start(order), packer=packer, verified=False, again=again,
                            reason=reason[:MAX_REASON])

    def _finish(self, number: str, check: PackCheck, *, packer: str, verified: bool,
                again: bool, reason: str = "") -> PackReport:
        core = self._core
        stored = core.find_order(number)
        packed = PackedStore(core.db)
        before = packed.last(stored.id)
        if before is not None and not again:
            raise PackedBefore(f"Order {stored.order.display_number} was packed before, at "
                               f"{before.at} on {before.station}",
                               fix="scan it again (or pass --again) to pack it once more")
        order = core.recheck_order(stored.order)  # Shippo's word now, not the last sync's
        if order.status in NO_LABEL_STATUSES:
            raise SlipStationError(f"Order {order.display_number} is {order.status} in "
                                   "Shippo: do not ship it; nothing was printed")
        prints = self.what_prints(order)
        outcomes: list[PrintOutcome] = []
        if "label" in prints:
            outcomes += self._printing.print_label(number)
        if "slip" in prints:
            outcomes.append(self._printing.print_order(number))
        packed.record(stored.id, station=core.station_name(), packer=packer[:100],
                      verified=verified, skip_reason=reason)
        core.audit.record("pack.verified" if verified else "pack.skipped",
                          lines=len(check.lines), prints=",".join(prints))
        return PackReport(order.display_number, check, outcomes)

    def what_prints(self, order: Order) -> tuple[str, ...]:
        """`pack_prints`: label, slip, both; auto is both when the order has a label."""
        setting = str(self._core.settings.get("pack_prints"))
        if setting == "auto":
            return ("label", "slip") if order.transactions else ("slip",)
        return ("label", "slip") if setting == "both" else (setting,)

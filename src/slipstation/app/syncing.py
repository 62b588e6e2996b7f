"""One sync cycle as the faces ask for it: pull orders from Shippo into the store (with the key
the keyring holds now), then plan and send the automatic slips."""

from __future__ import annotations

import logging

from slipstation.app.core import Core
from slipstation.app.printing import PrintingService
from slipstation.credentials import Secret
from slipstation.errors import ServiceAuthError
from slipstation.sync import ShippoSync, SyncSummary

log = logging.getLogger(__name__)


class SyncService:
    def __init__(self, core: Core, printing: PrintingService) -> None:
        self._core = core
        self._printing = printing

    def run(self) -> SyncSummary:
        """One cycle: pull, store, queue and print what is due (only what a person asked for
        while auto-print is paused)."""
        core = self._core
        core.db.check_identity()
        try:
            summary = ShippoSync(core.db, core.shippo()).run_cycle()
        except ServiceAuthError:
            if not core.key_changed(Secret.SHIPPO):
                raise
            log.info("Shippo key changed in the keyring; syncing with the new one")
            summary = ShippoSync(core.db, core.shippo()).run_cycle()
        if summary.new or summary.updated:
            core.audit.record("orders.synced", new=summary.new, updated=summary.updated,
                              skipped=summary.skipped)
        result = self._printing.work_queue(plan=True)
        summary.printed = result.submitted
        summary.print_problem = result.problem
        if result.submitted:  # PrintNode usually has them done at once: show it now
            core.queue.refresh_states()
        return summary

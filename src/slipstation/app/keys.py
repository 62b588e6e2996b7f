"""API keys: stored in the OS keyring (never in the database, a file, a log or argv), masked
whenever shown, tested against the service without leaving the engine."""

from __future__ import annotations

import logging

from slipstation.app.core import Core
from slipstation.app.doctor import Check, check_printnode_key, check_shippo_key
from slipstation.credentials import API_KEYS, KeyStatus, Secret, validate_api_key

log = logging.getLogger(__name__)


class KeysService:
    def __init__(self, core: Core) -> None:
        self._core = core

    @property
    def location(self) -> str:
        """Which keyring holds them (for `keys status` and exports)."""
        return self._core.credentials.location

    def status(self) -> list[KeyStatus]:
        return self._core.credentials.status()

    def is_set(self, which: Secret) -> bool:
        return bool(self._core.credentials.get(which))

    def set(self, which: Secret, value: str) -> str:
        """Store a validated API key in the keyring; returns it masked. Every running process
        of the station uses it from its next cycle."""
        if which not in API_KEYS:
            raise ValueError(which)
        key = validate_api_key(which, value)
        audit = self._core.audit  # the audit entry must be writable before the key changes
        self._core.credentials.set(which, key)
        audit.record("keys.set", key=which.value)
        log.info("%s key stored in the keyring", which.value)
        return self._core.credentials.status()[API_KEYS.index(which)].masked

    def clear(self) -> list[str]:
        """Remove both API keys; no process uses them again."""
        cleared = [name.value for name in API_KEYS if self._core.credentials.delete(name)]
        self._core.audit.record("keys.clear", cleared=",".join(cleared) or "none")
        log.info("API keys cleared: %s", ", ".join(cleared) or "none were set")
        return cleared

    def test(self, which: Secret, typed: str | None = None) -> Check:
        """Does the service accept this key — the one typed (not stored yet), else the stored
        one? One cheap call; the key never leaves the engine."""
        key = (typed or "").strip() or self._core.credentials.get(which)
        check = check_shippo_key if which is Secret.SHIPPO else check_printnode_key
        return check(key)

"""Configuration: the declared settings (`slipstation.config`) with their values; several
changed at once are checked first and stored in one transaction (all or nothing)."""

from __future__ import annotations

import logging
from typing import Any

from slipstation import autostart
from slipstation.app.core import Core
from slipstation.app.outcomes import ConfigItem
from slipstation.config import SETTINGS, lookup

log = logging.getLogger(__name__)


class ConfigService:
    def __init__(self, core: Core) -> None:
        self._core = core

    def items(self) -> list[ConfigItem]:
        """Every setting with its value and whether it is the default."""
        settings = self._core.settings
        values = settings.all()
        explicit = settings.explicitly_set()
        return [ConfigItem(s, values[s.key], s.key not in explicit) for s in SETTINGS]

    def get(self, key: str) -> Any:
        return self._core.settings.get(key)

    def values(self) -> dict[str, Any]:
        return self._core.settings.all()

    def check(self, texts: dict[str, str]) -> None:
        """Raise UsageError for the first value that does not fit its setting (what `set_many`
        checks before writing; cheap enough to call as a person types)."""
        for key, text in texts.items():
            lookup(key).parse(text)

    def set(self, key: str, text: str) -> ConfigItem:
        """Validate and store one setting (as typed by a person); returns it as stored."""
        return self.set_many({key: text})[0]

    def set_many(self, texts: dict[str, str]) -> list[ConfigItem]:
        """Validate every value first, then store them all in one transaction: one bad value
        stores nothing."""
        stored = self._core.settings.set_many(texts)
        for key in stored:
            self._core.audit.record("config.set", key=key)
            log.info("setting %s changed", key)
        items = {item.setting.key: item for item in self.items()}
        return [items[key] for key in stored]

    def autostart(self) -> tuple[bool, list[str]]:
        """Whether this station starts in the tray at login, and the command that does it."""
        return autostart.is_enabled(), autostart.launch_command(self._core.paths.data_dir)

    def set_autostart(self, enabled: bool) -> None:
        """Start this station in the tray at login (or stop doing so)."""
        autostart.set_enabled(enabled, self._core.paths.data_dir)
        self._core.audit.record("autostart.set", enabled=enabled)

"""API keys and the database key in the OS keyring, scoped to one data directory.

Nothing here ever writes a secret anywhere but the keyring: not the database, not a file, not a
log. Entries are named ``slipstation-<hash of the data directory>`` so two profiles on one
machine never read or overwrite each other's keys.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from slipstation.errors import KeyringError, UsageError
from slipstation.logs import register_secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend


class Secret(StrEnum):
    SHIPPO = "shippo"
    PRINTNODE = "printnode"
    DATABASE = "database"


API_KEYS = (Secret.SHIPPO, Secret.PRINTNODE)
SHIPPO_PREFIXES = ("shippo_test_", "shippo_live_")
_KEY_CHARS = re.compile(r"^[A-Za-z0-9_\-.:+/=]{8,512}$")
# Backends that would keep a secret in plain text, or nowhere: refuse rather than fall back.
_REFUSED_BACKENDS = {"PlaintextKeyring", "Keyring@keyring.backends.fail", "NullKeyring"}


def mask_secret(value: str | None) -> str:
    """A key as it may be shown: a public prefix kept, then only the last four characters."""
    if not value:
        return "(not set)"
    prefix = next((p for p in SHIPPO_PREFIXES if value.startswith(p)), "")
    rest = value[len(prefix):]
    if len(rest) < 12:
        return prefix + "****"
    return f"{prefix}…{rest[-4:]}"


def validate_api_key(which: Secret, value: str) -> str:
    """Trim and check a pasted key; the message never repeats the key itself."""
    value = value.strip()
    if not value:
        raise UsageError(f"No {which.value} key given (paste it on standard input).")
    if not _KEY_CHARS.match(value):
        raise UsageError(f"That does not look like a {which.value} API key "
                         "(unexpected characters or length).")
    if which is Secret.SHIPPO and not value.startswith(SHIPPO_PREFIXES):
        raise UsageError("A Shippo API key starts with shippo_test_ or shippo_live_.")
    return value


def _backend_label(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__name__}@{cls.__module__}"


@dataclass(frozen=True)
class KeyStatus:
    name: Secret
    masked: str
    is_set: bool


# One keyring call at a time in this process: the Secret Service backend is not safe to use
# from several threads at once (the window's refresh, the engine's cycle and a Settings save
# each read keys), and crossed calls fail with nonsense paths and leak D-Bus connections.
_KEYRING_LOCK = threading.RLock()


class Credentials:
    """The keyring entries of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        import hashlib  # OpenSSL loads with the station, after the window's frame shows

        digest = hashlib.sha256(str(data_dir).encode("utf-8")).hexdigest()[:16]
        self.service = f"slipstation-{digest}"
        self._data_dir = data_dir

    def _backend(self) -> KeyringBackend:
        import keyring  # at the first key read, not by every command and window start

        backend = keyring.get_keyring()
        label = _backend_label(backend)
        if type(backend).__name__ in _REFUSED_BACKENDS or label in _REFUSED_BACKENDS:
            raise KeyringError(
                "No secure OS keyring is available (found "
                f"{type(backend).__name__}); start or unlock your keyring "
                "(GNOME Keyring / KWallet, macOS Keychain, Windows Credential Manager) and retry."
            )
        return backend

    @property
    def location(self) -> str:
        """Where the keys live, for `keys status` (no secret in it)."""
        try:
            backend = str(getattr(self._backend(), "name", "keyring"))
        except KeyringError:
            backend = "no keyring"
        return f"{backend}, service '{self.service}' (data dir {self._data_dir})"

    def get(self, name: Secret) -> str | None:
        import keyring.errors

        try:
            with _KEYRING_LOCK:
                value = self._backend().get_password(self.service, name.value)
        except KeyringError:
            raise  # ours already says what is wrong (no secure keyring at all)
        except keyring.errors.KeyringLocked as exc:
            raise KeyringError("The OS keyring is locked; unlock it and retry.") from exc
        except keyring.errors.InitError as exc:  # e.g. locked, and no prompt can be shown
            raise KeyringError("The OS keyring could not be opened: it is locked (or has no "
                               "default keyring) and could not ask for its password here; "
                               "unlock it from the desktop session and retry.") from exc
        except keyring.errors.KeyringError as exc:
            raise KeyringError(f"The OS keyring failed to read ({type(exc).__name__}); "
                               "check that it is running and unlocked.") from exc
        except Exception as exc:  # D-Bus and platform errors surface as anything
            raise KeyringError(f"The OS keyring is not reachable ({type(exc).__name__}); "
                               "check that it is running and unlocked.") from exc
        if value:
            register_secret(value)
        return value

    def set(self, name: Secret, value: str) -> None:
        register_secret(value)
        try:
            with _KEYRING_LOCK:
                self._backend().set_password(self.service, name.value, value)
        except KeyringError:
            raise
        except Exception as exc:
            raise KeyringError(f"The OS keyring refused to store the {name.value} key "
                               f"({type(exc).__name__}); check that it is unlocked.") from exc
        if self.get(name) != value:
            raise KeyringError(f"The OS keyring did not keep the {name.value} key; "
                               "check that it is unlocked and writable.")

    def delete(self, name: Secret) -> bool:
        """Remove an entry; False when there was none."""
        import keyring.errors

        if self.get(name) is None:
            return False
        try:
            with _KEYRING_LOCK:
                self._backend().delete_password(self.service, name.value)
        except keyring.errors.PasswordDeleteError:
            return False
        except Exception as exc:
            raise KeyringError(f"The OS keyring refused to delete the {name.value} key "
                               f"({type(exc).__name__}).") from exc
        return True

    def status(self) -> list[KeyStatus]:
        result = []
        for name in API_KEYS:
            value = self.get(name)
            result.append(KeyStatus(name, mask_secret(value), bool(value)))
        return result

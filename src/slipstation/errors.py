"""SlipStation's own errors: the one boundary where library failures become messages for people.

Every error carries a one-line message fit to show a user as is (no secrets, no customer data)
and the process exit code the command line uses for it: 1 for a runtime problem, 2 for a usage
problem (a bad argument or setting value).
"""

from __future__ import annotations

from enum import StrEnum


class Remedy(StrEnum):
    """What a person can do, as a value: each face says it in its own words (the command line
    names a command, the window names the screen), instead of parsing `fix`."""

    SET_SHIPPO_KEY = "set_shippo_key"
    SET_PRINTNODE_KEY = "set_printnode_key"
    CHOOSE_PRINTER = "choose_printer"
    START_OVER = "start_over"  # the database cannot be used: restore a backup or start over


# The command line's words for START_OVER (the window offers its own Start over button).
START_OVER_FIX = ("restore the data dir from a backup, or start over with `slipstation delete-all "
                  "--confirm DELETE` (Shippo still has the orders; slips PrintNode already "
                  "printed are not printed again)")


class SlipStationError(Exception):
    """Base of every error SlipStation shows to a person."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str | None = None,
                 remedy: Remedy | None = None) -> None:
        line = f"{message}; {fix}" if fix else message
        super().__init__(line)
        self.reason = message  # what is wrong
        self.fix = fix         # what a person can do about it (in command-line words)
        self.remedy = remedy   # the same as a value, when a face can offer it its own way
        self.message = line    # the one line the command line shows

    def __str__(self) -> str:
        return self.message


class UsageError(SlipStationError):
    """Bad input on the command line or in a setting: exit 2."""

    exit_code = 2


class KeyringError(SlipStationError):
    """The OS keyring is missing, locked or refused an operation."""


class InstallDamaged(SlipStationError):
    """A file SlipStation ships with (a font, the sample orders) is missing from this install."""


class StoreError(SlipStationError):
    """The encrypted database cannot be opened or used."""


class DatabaseKeyMissing(StoreError):
    """The database exists but its key is not in the keyring."""


class DatabaseKeyWrong(StoreError):
    """The key in the keyring does not open the database (or the file is not a database)."""


class DatabaseLocked(StoreError):
    """Another process holds the database."""


class StationBusy(SlipStationError):
    """Another SlipStation service already runs on this data directory."""


class NotFound(SlipStationError):
    """An order, job or printer the user named does not exist."""


class Cancelled(SlipStationError):
    """Work stopped because the service is shutting down."""


class ServiceError(SlipStationError):
    """Shippo or PrintNode answered with an error, or could not be reached."""

    def __init__(self, message: str, *, service: str, status: int | None = None,
                 maybe_delivered: bool = True, fix: str | None = None,
                 remedy: Remedy | None = None) -> None:
        super().__init__(message, fix=fix, remedy=remedy)
        self.service = service
        self.status = status
        # False only when the request certainly never reached the server (connection refused).
        self.maybe_delivered = maybe_delivered


class ServiceAuthError(ServiceError):
    """The API key was rejected (401/403): retrying cannot help, a person must act."""


class ServiceUnavailable(ServiceError):
    """Network failure, timeout, rate limit or server error that outlasted the retries."""

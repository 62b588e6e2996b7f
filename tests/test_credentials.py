"""API keys and the database key through the real Secret Service (gnome-keyring)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slipstation.credentials import Credentials, Secret, mask_secret, validate_api_key
from slipstation.errors import UsageError
from tests.conftest import Cli, one_line_error

SHIPPO_KEY = "shippo_test_5f3a9c0e1b7d4a2f8e6c"
PRINTNODE_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"


def test_round_trip_through_secret_service(data_dir: Path) -> None:
    creds = Credentials(data_dir)
    assert creds.get(Secret.SHIPPO) is None
    creds.set(Secret.SHIPPO, SHIPPO_KEY)
    assert Credentials(data_dir).get(Secret.SHIPPO) == SHIPPO_KEY
    assert creds.delete(Secret.SHIPPO) is True
    assert creds.get(Secret.SHIPPO) is None
    assert creds.delete(Secret.SHIPPO) is False


def test_two_data_dirs_keep_separate_secrets(tmp_path: Path) -> None:
    first, second = Credentials(tmp_path / "a"), Credentials(tmp_path / "b")
    assert first.service != second.service
    try:
        first.set(Secret.SHIPPO, SHIPPO_KEY)
        second.set(Secret.SHIPPO, "shippo_live_ffffffffffffffffffff")
        assert first.get(Secret.SHIPPO) == SHIPPO_KEY
        assert second.get(Secret.SHIPPO) == "shippo_live_ffffffffffffffffffff"
        second.delete(Secret.SHIPPO)
        assert first.get(Secret.SHIPPO) == SHIPPO_KEY
    finally:
        first.delete(Secret.SHIPPO)
        second.delete(Secret.SHIPPO)


def test_mask_keeps_only_public_prefix_and_last_four() -> None:
    assert mask_secret(SHIPPO_KEY) == "shippo_test_…8e6c"
    assert mask_secret(PRINTNODE_KEY) == "…5678"
    assert mask_secret("short") == "****"
    assert mask_secret(None) == "(not set)"


@pytest.mark.parametrize("bad", ["", "   ", "not a key with spaces", "sk_live_abcdefghijkl"])
def test_invalid_shippo_keys_are_refused_without_echo(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        validate_api_key(Secret.SHIPPO, bad)
    if bad.strip():
        assert bad.strip() not in str(info.value)


def test_keys_set_reads_stdin_and_status_is_masked(cli: Cli, data_dir: Path) -> None:
    result = cli("keys", "set", "shippo", input=SHIPPO_KEY + "\n")
    assert result.returncode == 0, result.stderr
    assert SHIPPO_KEY not in result.stdout
    result = cli("keys", "set", "printnode", input=PRINTNODE_KEY)
    assert result.returncode == 0, result.stderr

    status = cli("keys", "status")
    assert status.returncode == 0
    assert "shippo_test_…8e6c" in status.stdout
    assert "…5678" in status.stdout
    assert SHIPPO_KEY not in status.stdout and PRINTNODE_KEY not in status.stdout
    assert Credentials(data_dir).service in status.stdout
    assert Credentials(data_dir).get(Secret.SHIPPO) == SHIPPO_KEY

    cleared = cli("keys", "clear")
    assert cleared.returncode == 0
    assert Credentials(data_dir).get(Secret.SHIPPO) is None
    assert Credentials(data_dir).get(Secret.PRINTNODE) is None
    # The database key is not an API key: clearing keys keeps the database readable.
    assert Credentials(data_dir).get(Secret.DATABASE) is not None
    assert cli("config", "show").returncode == 0


def test_keys_set_rejects_a_malformed_key_with_exit_2(cli: Cli, data_dir: Path) -> None:
    result = cli("keys", "set", "shippo", input="hunter2-not-a-shippo-key")
    assert result.returncode == 2
    line = one_line_error(result)
    assert "hunter2" not in line
    assert Credentials(data_dir).get(Secret.SHIPPO) is None


def test_key_is_never_accepted_from_argv(cli: Cli) -> None:
    result = cli("keys", "set", "shippo", SHIPPO_KEY)
    assert result.returncode == 2
    assert SHIPPO_KEY not in result.stderr

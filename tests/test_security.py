"""Security promises as tests: secrets and customer data never reach logs, stderr, exports
(keys masked) or any unencrypted file; keys never go through argv; HTTPS with certificate
checks is the only way off this machine."""

from __future__ import annotations

import argparse
import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from slipstation.api.http import RetryPolicy
from slipstation.api.printnode import DEFAULT_PRINTNODE_URL, PrintNodeClient
from slipstation.api.shippo import DEFAULT_SHIPPO_URL, ShippoClient
from slipstation.cli import build_parser
from slipstation.credentials import Credentials, Secret
from slipstation.errors import ServiceError, ServiceUnavailable
from slipstation.loopback import samples
from slipstation.loopback.shippo import ShippoServer
from slipstation.timeutil import utc_now
from tests.conftest import PRINTNODE_KEY, SHIPPO_KEY, Cli

CUSTOMER = {"name": "Henrietta Quackenbush", "street": "4711 Sycamore Boulevard",
            "email": "henrietta.q@example.net", "phone": "+1 415 555 0199", "city": "Eugene"}


def test_nothing_secret_or_personal_outside_the_encrypted_store(
        cli: Cli, data_dir: Path, tmp_path: Path, services: dict[str, str],
        shippo_server: ShippoServer) -> None:
    shippo_server.add_orders([samples.order("#9001", utc_now() - timedelta(hours=1),
                                            to=samples.address(
        CUSTOMER["name"], CUSTOMER["street"], CUSTOMER["city"], "97401", "US", state="OR",
        phone=CUSTOMER["phone"], email=CUSTOMER["email"]), notes="Ring twice")])
    outputs: list[str] = []

    def run(*args: str, input: str | None = None, ok: bool = True) -> None:
        result = cli(*args, input=input, env=services)
        assert (result.returncode == 0) is ok, (args, result.stderr)
        outputs.append(result.stderr)
        if args[0] not in ("orders", "--debug"):  # `orders` shows the customer by design
            outputs.append(result.stdout)

    run("keys", "set", "shippo", input=SHIPPO_KEY)
    run("keys", "set", "printnode", input=PRINTNODE_KEY)
    run("config", "set", "printer", "71")
    run("--debug", "sync")
    run("--debug", "print", "#9001")
    run("orders", "--json")
    run("keys", "status")
    run("jobs")
    run("doctor")
    run("--debug", "print", "#nope", ok=False)
    run("export", "--format", "json", "-o", str(tmp_path / "export.json"))
    run("export", "--format", "csv", "-o", str(tmp_path / "export.csv"))
    run("export", "--email", CUSTOMER["email"], "-o", str(tmp_path / "customer.json"))

    secrets = [SHIPPO_KEY, PRINTNODE_KEY, Credentials(data_dir).get(Secret.DATABASE) or "?"]
    personal = list(CUSTOMER.values())
    for text in outputs:
        for value in secrets + personal:
            assert value not in text, f"{value!r} leaked in command output"

    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "slipstation.log" for p in files)
    for path in files:  # the log, the lock, the database and its WAL: no plain text of either
        data = path.read_bytes()
        for value in secrets + personal:
            assert value.encode() not in data, f"{value!r} in {path.relative_to(data_dir)}"
            assert value.encode("utf-16-le") not in data

    for name in ("export.json", "export.csv", "customer.json"):
        export = tmp_path / name
        assert export.stat().st_mode & 0o777 == 0o600
        text = export.read_text(encoding="utf-8")
        for value in secrets:
            assert value not in text, f"{value!r} in {name}"
    assert CUSTOMER["name"] in (tmp_path / "customer.json").read_text(encoding="utf-8")


def _options(parser: argparse.ArgumentParser) -> Iterator[str]:
    for action in parser._actions:
        yield from action.option_strings
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _options(sub)


def test_no_command_takes_a_secret_on_argv() -> None:
    options = set(_options(build_parser()))
    assert "--data-dir" in options and "--confirm" in options  # the walk sees subcommands
    suspicious = {o for o in options if any(w in o.lower() for w in
                                            ("key", "token", "secret", "password", "auth"))}
    assert suspicious == set()


def test_https_is_the_default_and_plain_http_only_reaches_this_machine() -> None:
    assert DEFAULT_SHIPPO_URL.startswith("https://")
    assert DEFAULT_PRINTNODE_URL.startswith("https://")
    for url in ("http://api.goshippo.com", "http://10.0.0.5:8080", "ftp://example.com",
                "api.goshippo.com"):
        with pytest.raises(ServiceError, match="must start with https://"):
            ShippoClient(SHIPPO_KEY, base_url=url)
        with pytest.raises(ServiceError, match="must start with https://"):
            PrintNodeClient(PRINTNODE_KEY, base_url=url)
    ShippoClient(SHIPPO_KEY, base_url="http://127.0.0.1:9").close()  # loopback: allowed


@pytest.fixture
def self_signed_https_server(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate nobody trusts (a man in the middle)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    assert seen == [], "the key must never be sent to an untrusted server"


def test_an_untrusted_certificate_is_refused_before_the_key_is_sent(
        self_signed_https_server: str) -> None:
    client = ShippoClient(SHIPPO_KEY, base_url=self_signed_https_server,
                          policy=RetryPolicy(attempts=1), timeout=5)
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            client.whoami()
    finally:
        client.close()
    assert SHIPPO_KEY not in caught.value.message
    assert "\n" not in caught.value.message

"""A label's file, fetched from the signed storage link Shippo gives (`label_url`): another
origin, so never with the Shippo key (no credentials of ours at all), HTTPS only (plain HTTP
only to this machine's loopback, for the test servers), size-capped, and kept in memory only:
the bytes go to PrintNode unchanged and are never written to disk."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from slipstation.errors import ServiceError, ServiceUnavailable

MAX_LABEL_BYTES = 8 * 1024 * 1024  # a label PDF is tens of kilobytes; a ZPL file less
MAX_REDIRECTS = 3
SERVICE = "Label storage"


@dataclass(frozen=True)
class LabelFile:
    data: bytes
    content_type: str  # PrintNode's: pdf_base64 or raw_base64 (ZPL goes to the printer as is)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_label_url(url: str) -> str:
    """The link if it may be fetched: HTTPS, or HTTP to loopback only."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and _loopback(host):
        return url
    raise ServiceUnavailable("The label's link is not an HTTPS address; not fetched.",
                             service=SERVICE)


def kind_of(data: bytes, file_type: str) -> str:
    """PrintNode's content type for a label file, from its bytes (and Shippo's word)."""
    if data.startswith(b"%PDF-"):
        return "pdf_base64"
    head = data.lstrip()[:16]
    if file_type.startswith("ZPL") or head.startswith((b"^XA", b"~", b"CT~~")):
        return "raw_base64"
    raise ServiceUnavailable(f"The label is a {file_type or 'file'} neither PDF nor ZPL; buy "
                             "labels as PDF or ZPLII in Shippo to print them here.",
                             service=SERVICE)


def download_label(url: str, file_type: str, *, timeout: float = 20.0) -> LabelFile:
    """The label's bytes, fetched without any credential."""
    import httpx  # at the first label, not at every start

    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            target = check_label_url(url)
            try:
                with client.stream("GET", target, headers={"Accept": "*/*"}) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(target, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise ServiceError(f"The label's link answered HTTP "
                                           f"{response.status_code} (expired? buy or refresh "
                                           "the label in Shippo).", service=SERVICE,
                                           status=response.status_code)
                    data = bytearray()
                    for chunk in response.iter_bytes():
                        data += chunk
                        if len(data) > MAX_LABEL_BYTES:
                            raise ServiceUnavailable(
                                f"The label file is larger than "
                                f"{MAX_LABEL_BYTES // (1024 * 1024)} MB; not printed.",
                                service=SERVICE)
            except httpx.HTTPError as exc:
                raise ServiceUnavailable(f"The label could not be fetched "
                                         f"({type(exc).__name__}).", service=SERVICE) from None
            payload = bytes(data)
            return LabelFile(payload, kind_of(payload, file_type))
    raise ServiceUnavailable("The label's link redirected too often; not fetched.",
                             service=SERVICE)

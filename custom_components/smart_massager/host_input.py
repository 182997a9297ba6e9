"""The address a person types, made into a host (and maybe a port) the client can use.

People paste what their router or browser shows: "http://192.168.1.20", "[::1]", "host:8765",
a trailing space. What can be read unambiguously is normalised; anything else is refused with a
field error instead of reaching the client, whose URL builder raises ValueError on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

# RFC 1123 labels; "_" too, as some routers hand out such names and resolvers accept them.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_MAX_NAME_LENGTH = 253


class InvalidHostError(ValueError):
    """The text is not a host name or IP address, with or without a scheme, port or path."""


@dataclass(frozen=True, slots=True)
class HostInput:
    """A host name or IP address (IPv6 without brackets), and the port if one was typed."""

    host: str
    port: int | None = None


def parse_host(text: str) -> HostInput:
    """Normalise typed text: strip spaces, a scheme, a path, IPv6 brackets; split off a port.

    Raises InvalidHostError when no valid host remains, or the port is not 1-65535.
    """
    text = text.strip()
    if _is_ip(text):  # a bare IPv6 address has colons that are not a port separator
        return HostInput(text)
    # urlsplit reads a host and port only after "//"; a path, query or fragment falls away.
    try:
        parts = urlsplit(text if "://" in text else f"//{text}")
        host, port = parts.hostname, parts.port
    except ValueError as err:  # an out-of-range or non-numeric port, unbalanced brackets
        raise InvalidHostError(text) from err
    if not host or parts.username is not None or port == 0 or not _is_host(host):
        raise InvalidHostError(text)
    return HostInput(host, port)


def host_and_port(text: str, default_port: int) -> tuple[str, int]:
    """Host and port from a host field: the port typed after a colon, else the protocol's own.

    Raises InvalidHostError as parse_host does.
    """
    found = parse_host(text)
    return found.host, found.port or default_port


def host_text(host: str, port: int, default_port: int) -> str:
    """What a host field shows for an address: the port only when it is not the protocol's."""
    if port == default_port:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _is_ip(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _is_host(host: str) -> bool:
    """An IP address, or a DNS name (international names checked in their IDNA form)."""
    if _is_ip(host):
        return True
    try:
        name = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = name.removesuffix(".").split(".")
    return (
        len(name) <= _MAX_NAME_LENGTH
        and all(_LABEL.match(label) for label in labels)
        # All digits at the end is a mistyped IPv4 address ("192.168.1.300"), not a name.
        and not labels[-1].isdigit()
    )

"""Where the web server listens: 127.0.0.1 unless asked otherwise.

`PAWPACT_PORT` (default 8000) is the port; `PAWPACT_BIND` (or `./dev run --bind`)
another address, with or without a port (`0.0.0.0`, `0.0.0.0:8000`, `[::]:8000`).
The container image sets `PAWPACT_BIND=0.0.0.0:8000`, since inside a container
only the published port is reachable from outside.

Standard library only: read by gunicorn's config and by the run command.
"""
import errno
import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class ListenAddressInvalid(ValueError):
    pass


@dataclass(frozen=True)
class ListenAddress:
    host: str
    port: int
    # The variable that set the port, named when the port is busy.
    port_variable: str = "PAWPACT_PORT"

    @property
    def bind(self) -> str:
        """host:port as gunicorn's --bind takes it (IPv6 in brackets)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False  # a host name: whatever it resolves to, assume it is reachable


def listen_address(environ: Mapping[str, str], *, bind: str | None = None) -> ListenAddress:
    """The address from `bind` (the run command's flag), else PAWPACT_BIND, else 127.0.0.1."""
    variable = "--bind" if bind else "PAWPACT_BIND"
    bind = (bind or environ.get("PAWPACT_BIND", "")).strip()
    port_text = environ.get("PAWPACT_PORT", "").strip()
    port = _port(port_text, "PAWPACT_PORT") if port_text else DEFAULT_PORT
    if not bind:
        return ListenAddress(DEFAULT_HOST, port)
    host, bind_port = _split(bind, variable)
    if bind_port is None:
        return ListenAddress(host, port)
    if port_text and bind_port != port:
        raise ListenAddressInvalid(
            f"{variable}={bind} and PAWPACT_PORT={port_text} name two ports; give the port once."
        )
    return ListenAddress(host, bind_port, port_variable=variable)


def _split(bind: str, variable: str) -> tuple[str, int | None]:
    if bind.startswith("["):  # [IPv6]:port or [IPv6]
        host, _, rest = bind[1:].partition("]")
        port_text = rest.removeprefix(":") if rest.startswith(":") else None
    elif bind.count(":") == 1:
        host, _, port_text = bind.partition(":")
    else:  # a bare host name, IPv4 or IPv6 address
        host, port_text = bind, None
    if not host:
        raise ListenAddressInvalid(f"{variable}={bind} names no address; try 127.0.0.1 or 0.0.0.0.")
    return host, (_port(port_text, variable) if port_text is not None else None)


def _port(text: str, variable: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ListenAddressInvalid(f"{variable}: {text!r} is not a port number (1-65535).")
    return int(text)


def _another_port(address: ListenAddress) -> str:
    other = ListenAddress(address.host, address.port + 1 if address.port < 65535 else 8001)
    if address.port_variable == "--bind":
        return f"./dev run --bind {other.bind}"
    if address.port_variable == "PAWPACT_BIND":
        return f"PAWPACT_BIND={other.bind} ./dev run"
    return f"PAWPACT_PORT={other.port} ./dev run"


def listen_problem(address: ListenAddress) -> str | None:
    """One line saying why the server could not listen at `address`, or None if it can."""
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # As gunicorn does: a port left in TIME_WAIT by the last run is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((address.host, address.port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return (
                f"Port {address.port} is already in use on {address.host}: stop what uses it, "
                f"or choose another port with {address.port_variable} (e.g. {_another_port(address)})."
            )
        return f"Cannot listen on {address.bind} ({error.strerror}): check PAWPACT_BIND and PAWPACT_PORT."
    return None

"""Where the HTTP gateway listens: ``HOST:PORT``, loopback unless the user says otherwise."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from massgen_tui.gateway.errors import GatewayError

DEFAULT_HOST = "127.0.0.1"
LOOPBACK_NAMES = {"localhost"}


@dataclass(frozen=True)
class ListenAddress:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> ListenAddress:
        """``127.0.0.1:8765``, ``[::1]:8765``, ``localhost:0`` or a bare port ``8765`` (loopback)."""
        text = text.strip()
        if text.isdigit():
            host, port_text = DEFAULT_HOST, text
        elif text.startswith("["):
            host, sep, port_text = text[1:].partition("]:")
            if not sep:
                raise GatewayError(f"--listen {text!r}: write an IPv6 address as [::1]:PORT")
        else:
            host, sep, port_text = text.rpartition(":")
            if not sep or not host:
                raise GatewayError(f"--listen {text!r}: expected HOST:PORT, e.g. 127.0.0.1:8765")
        try:
            port = int(port_text)
        except ValueError:
            raise GatewayError(f"--listen {text!r}: the port {port_text!r} is not a number") from None
        if not 0 <= port <= 65535:
            raise GatewayError(f"--listen {text!r}: the port must be between 0 and 65535")
        return cls(host, port)

    @property
    def is_loopback(self) -> bool:
        if self.host.lower() in LOOPBACK_NAMES:
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def check(self, *, allow_remote: bool) -> None:
        """Refuse a non-loopback address unless the user explicitly allowed it."""
        if not self.is_loopback and not allow_remote:
            raise GatewayError(
                f"refusing to listen on {self.host}: it is reachable from other machines. Listen on "
                "127.0.0.1 (the default), or pass --allow-remote if you really mean it (the token still applies)"
            )

    def bind(self) -> socket.socket:
        """A listening socket (port 0 picks a free port)."""
        try:
            infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        except socket.gaierror as exc:
            raise GatewayError(f"cannot resolve listen address {self.host!r}: {exc.strerror}") from None
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(128)
        except OSError as exc:
            sock.close()
            raise GatewayError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        sock.setblocking(False)
        return sock

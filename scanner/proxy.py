"""The scanning browser's only way out: a small HTTP proxy on 127.0.0.1 that connects to an
address only after ``Resolver`` allowed it, and to that very address.

Why a proxy rather than Playwright's request interception: interception does not see
redirects (a public page redirecting to http://10.0.0.1/ would go through), and it would
resolve names a second time. A proxy sees every connection the browser opens, navigations,
redirects, sub-resources and WebSockets alike, and it only forwards bytes, so the browser
keeps its own cookie rules (what the scan reports is what a visitor's browser does).
HTTPS goes through as a CONNECT tunnel: nothing is decrypted.
"""

import contextlib
import logging
import socket
import socketserver
import threading

from .addresses import AddressRefused, check_url

log = logging.getLogger(__name__)

HEAD_LIMIT = 64 * 1024  # a request head larger than this is refused
IDLE_SECONDS = 30  # a tunnel with no traffic for this long is closed
CONNECT_SECONDS = 10
MAX_CONNECTIONS = 64  # the browser's open connections at once, bounded


def _read_head(sock):
    """(head bytes, bytes already read past it) or (None, b"")."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > HEAD_LIMIT:
            return None, b""
        chunk = sock.recv(8192)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _pump(source, target):
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        proxy = self.server.guard
        client = self.request
        client.settimeout(IDLE_SECONDS)
        try:
            head, rest = _read_head(client)
            if head is None:
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target, version = (lines[0].split(" ") + ["", ""])[:3]
            try:
                host = ""
                if method == "CONNECT":
                    host, _, port = target.rpartition(":")
                    host, port, url = host.strip("[]").lower(), int(port or 443), None
                else:
                    url = target
                    _, host, port = check_url(url)
                address = proxy.resolver.resolve(host, port)
            except AddressRefused as refused:
                proxy.refuse(host, refused.message)
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            upstream = socket.create_connection((address, port), timeout=CONNECT_SECONDS)
            upstream.settimeout(IDLE_SECONDS)
            with upstream:
                if method == "CONNECT":
                    client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                else:
                    upstream.sendall(self._origin_form(method, url, version, lines[1:]) + rest)
                back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
                back.start()
                _pump(client, upstream)
                back.join(IDLE_SECONDS)
        except (OSError, ValueError, AddressRefused) as error:
            log.debug("proxy connection ended: %s", error)

    @staticmethod
    def _origin_form(method, url, version, header_lines):
        """The request as the origin server expects it: path only, no proxy headers, and
        ``Connection: close`` so that each connection carries one request (each is checked)."""
        after_host = url.split("://", 1)[1]
        path = "/" + after_host.split("/", 1)[1] if "/" in after_host else "/"
        kept = [
            line
            for line in header_lines
            if line.split(":", 1)[0].strip().lower() not in ("proxy-connection", "proxy-authorization", "connection")
        ]
        return ("\r\n".join([f"{method} {path} {version}", *kept, "Connection: close"]) + "\r\n\r\n").encode("latin-1")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, guard):
        self.guard = guard
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request, client_address):
        if not self.slots.acquire(timeout=CONNECT_SECONDS):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class GuardProxy:
    """``with GuardProxy(resolver) as proxy:`` a proxy at ``proxy.url``; ``proxy.refused``
    lists (host, message) of what it refused, once per host."""

    def __init__(self, resolver):
        self.resolver = resolver
        self.refused = []
        self._lock = threading.Lock()
        self._server = None

    def refuse(self, host, message):
        with self._lock:
            if host not in {h for h, _ in self.refused}:
                self.refused.append((host, message))

    def __enter__(self):
        self._server = _Server(self)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

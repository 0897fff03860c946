"""A real HTTP(S) server on 127.0.0.1 for fetcher and import tests (the only network tests may use).

Routes map a path to a list of `Reply`s served in turn (the last one repeats), so a test can say
"503 first, then the schema". Every request is recorded. Slow and endless replies are bounded in
count and time, as everything this workplace sends to itself must be.
"""

from __future__ import annotations

import datetime
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MAX_STREAM_CHUNKS = 2_000  # an "endless" body stops here even if the client keeps reading


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    delay: float = 0.0  # seconds before the status line
    chunk_size: int = 0  # > 0: send the body in chunks of this size ...
    chunk_delay: float = 0.0  # ... with this pause between them
    endless: bool = False  # repeat the body (up to MAX_STREAM_CHUNKS times) without a length


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class LoopbackServer:
    def __init__(self, tls: ssl.SSLContext | None = None):
        self.routes: dict[str, list[Reply]] = {}
        self.handlers: dict[str, Callable[[RecordedRequest], Reply]] = {}
        self.requests: list[RecordedRequest] = []
        self.server_names: list[str | None] = []  # TLS SNI names seen
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            tls.sni_callback = self._record_sni
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _record_sni(self, sock, server_name, context):
        self.server_names.append(server_name)

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        """Serve `replies` at `path` in turn (the last repeats); returns the path's URL."""
        self.routes[path] = list(replies)
        return self.url(path)

    def handle(self, path: str, handler: Callable[[RecordedRequest], Reply]) -> str:
        """Answer requests to `path` with `handler(request)` (a stub that reads what it is sent,
        e.g. an OAuth server); returns the path's URL."""
        self.handlers[path] = handler
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def next_reply(self, path: str) -> Reply:
        with self._lock:
            replies = self.routes.get(path.split("?", 1)[0])
            if not replies:
                return Reply(404, b"not found")
            return replies.pop(0) if len(replies) > 1 else replies[0]


def _handler_for(server: LoopbackServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format, *args):  # keep test output quiet
            pass

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            recorded = RecordedRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            with server._lock:
                server.requests.append(recorded)
            handler = server.handlers.get(self.path.split("?", 1)[0])
            reply = handler(recorded) if handler else server.next_reply(self.path)
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.content_length and not reply.endless and "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if self.command == "HEAD":
                    return
                self._write_body(reply)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the client stopped reading, as a capped fetch does

        def _write_body(self, reply: Reply):
            if reply.endless:
                for _ in range(MAX_STREAM_CHUNKS):
                    self.wfile.write(reply.body)
                    if reply.chunk_delay:
                        time.sleep(reply.chunk_delay)
                return
            if not reply.chunk_size:
                self.wfile.write(reply.body)
                return
            for start in range(0, len(reply.body), reply.chunk_size):
                self.wfile.write(reply.body[start : start + reply.chunk_size])
                self.wfile.flush()
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    return Handler


# --- TLS material for the HTTPS server ----------------------------------------------------------


@dataclass(frozen=True)
class LoopbackCertificates:
    server_context: ssl.SSLContext
    client_context: ssl.SSLContext  # trusts only the test CA
    host_name: str


def make_test_certificates(tmp_path: Path, host_name: str) -> LoopbackCertificates:
    """A throwaway CA and a server certificate for `host_name` (not for 127.0.0.1), so a client
    that verifies the name — not the IP it connected to — is the only one that succeeds."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, public_key, signing_key, *, ca: bool, san=None):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
            ).add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("GPT Studio test CA", "GPT Studio test CA", ca_key.public_key(), ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    # Deliberately no IP SAN: connecting to 127.0.0.1 only verifies through the host name.
    cert = build(host_name, "GPT Studio test CA", key.public_key(), ca_key, ca=False, san=[x509.DNSName(host_name)])
    ca_pem = tmp_path / "ca.pem"
    ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain = tmp_path / "server.pem"
    chain.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(chain)
    client_context = ssl.create_default_context(cafile=str(ca_pem))
    return LoopbackCertificates(server_context, client_context, host_name)

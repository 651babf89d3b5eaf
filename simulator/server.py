"""HTTP server (stdlib ThreadingHTTPServer) around the Simulator application."""

import logging
import signal
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .errors import ApiError
from .web import Request, error_response

_logger = logging.getLogger("simulator.http")

MAX_REQUEST_BYTES = 2 * 1024 * 1024
SHUTDOWN_GRACE = 5  # seconds the requests being answered get to finish


class SimulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TelecomBillingSimulator/1.0"

    def setup(self):
        super().setup()
        # headers and body leave in two writes: without this, Nagle's algorithm
        # and the client's delayed ACK add ~40 ms to every keep-alive answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self._dispatch()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def _dispatch(self):
        started = time.monotonic()
        with self.server.in_flight:
            self._answer(started)

    def _answer(self, started):
        try:
            response = self.server.app.handle(self._read_request())
        except ApiError as error:
            response = error_response(error.status, error.code, error.message)
            self.close_connection = True
        if response.reset_connection:
            self._reset_connection()
            status = "reset"
        else:
            status = response.status
            try:
                self._send(response)
            except (BrokenPipeError, ConnectionResetError):
                # the client gave up: a time-out, a size cap on a 20 MB answer…
                status = f"{status}, client gone"
                self.close_connection = True
        elapsed_ms = (time.monotonic() - started) * 1000
        _logger.info(
            "%s %s -> %s (%.0f ms)", self.command, self.path, status, elapsed_ms
        )

    def _read_request(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise ApiError(411, "LENGTH_REQUIRED", "send a Content-Length, not chunks")
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            raise ApiError(400, "BAD_REQUEST", "bad Content-Length")
        if int(length) > MAX_REQUEST_BYTES:
            raise ApiError(
                413, "TOO_LARGE", f"requests are limited to {MAX_REQUEST_BYTES} bytes"
            )
        body = self.rfile.read(int(length)) if int(length) else b""
        url = urlsplit(self.path)
        return Request(
            method=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers=self.headers,
            body=body,
        )

    def _send(self, response):
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)

    def _reset_connection(self):
        """Drop the connection with a TCP RST, as a crashed billing would."""
        self.connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        self.close_connection = True
        self.connection.close()

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        _logger.debug(format, *args)


class InFlight:
    """Counts the requests being answered, so a shutdown can let them finish."""

    def __init__(self):
        self._count = 0
        self._idle = threading.Condition()

    def __enter__(self):
        with self._idle:
            self._count += 1

    def __exit__(self, *exc_info):
        with self._idle:
            self._count -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout):
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout)


class SimulatorServer(ThreadingHTTPServer):
    # request threads are daemons: idle keep-alive connections never hold up a
    # shutdown; the requests being answered get SHUTDOWN_GRACE seconds to finish
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's listen backlog of 5 resets connections when a burst of
    # clients (parallel job runners, the concurrency tests) connects at once
    request_queue_size = 128

    def __init__(self, address, app):
        super().__init__(address, SimulatorHandler)
        self.app = app
        self.in_flight = InFlight()


def serve(app, host, port, on_stop=None):
    """Serve until SIGTERM/SIGINT, then stop accepting, run ``on_stop`` and return."""
    server = SimulatorServer((host, port), app)

    def stop(signum, _frame):
        _logger.info("signal %s: shutting down", signum)
        # shutdown() waits for serve_forever(): call it from another thread
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _logger.info(
        "billing simulator listening on http://%s:%s", host, server.server_port
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if not server.in_flight.wait_idle(SHUTDOWN_GRACE):
            _logger.warning("requests still running after %ss: dropped", SHUTDOWN_GRACE)
        if on_stop:
            on_stop()
        _logger.info("billing simulator stopped")

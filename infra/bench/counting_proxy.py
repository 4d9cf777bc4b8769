"""An HTTP proxy in front of DynamoDB Local (or the SES emulator) that records each request.

Every request is forwarded unchanged (DynamoDB Local checks no signature, so the Host the
client signed does not matter) and recorded with its operation (`X-Amz-Target` without the
API version, else method and path), request and response body sizes, status, the capacity
units the response reports (`ConsumedCapacity`, present only when the request asked for it
with `ReturnConsumedCapacity`) and when it arrived, so the bench can tell which requests a
function made while it handled one invocation.
"""

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from runtime_api import QuietServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Request:
    def __init__(self, service, operation, at, request_bytes):
        self.service, self.operation, self.at, self.request_bytes = service, operation, at, request_bytes
        self.status = self.response_bytes = None
        self.capacity = None
        # How long the emulator behind the proxy took to answer it.
        self.upstream_seconds = None


def consumed_units(body):
    """Capacity units a DynamoDB response reports, summed over tables; None if it reports none."""
    try:
        consumed = json.loads(body).get("ConsumedCapacity")
    except (ValueError, AttributeError):
        return None
    if consumed is None:
        return None
    entries = consumed if isinstance(consumed, list) else [consumed]
    return sum(float(entry.get("CapacityUnits", 0)) for entry in entries)


class CountingProxy:
    def __init__(self, service, upstream_url):
        self.service = service
        self.upstream = urlsplit(upstream_url).netloc
        self.requests = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self._server = QuietServer(("127.0.0.1", 0), self._handler_class())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_port}"

    def between(self, start, end):
        with self._lock:
            return [r for r in self.requests if start <= r.at <= end]

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def _connection(self):
        if getattr(self._local, "connection", None) is None:
            self._local.connection = http.client.HTTPConnection(self.upstream, timeout=30)
        return self._local.connection

    def _forward(self, method, path, headers, body):
        # A pooled upstream connection per proxy thread; one retry on a connection it closed.
        for attempt in (1, 2):
            try:
                connection = self._connection()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, OSError):
                self._local.connection = None
                if attempt == 2:
                    raise

    def _handler_class(self):
        proxy = self

        class Forward(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes: without TCP_NODELAY, Nagle holds the
            # second for the client's delayed ACK, 40 ms on every keep-alive exchange.
            disable_nagle_algorithm = True

            def log_message(self, *_):
                pass

            def do_GET(self):
                self.relay()

            def do_POST(self):
                self.relay()

            def relay(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target = self.headers.get("X-Amz-Target")
                operation = target.rsplit(".", 1)[-1] if target else f"{self.command} {self.path}"
                record = Request(proxy.service, operation, time.perf_counter(), len(body))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                status, reply_headers, reply = proxy._forward(self.command, self.path, headers, body)
                record.upstream_seconds = time.perf_counter() - record.at
                record.status, record.response_bytes = status, len(reply)
                record.capacity = consumed_units(reply) if target else None
                with proxy._lock:
                    proxy.requests.append(record)
                self.send_response(status)
                for name, value in reply_headers:
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        return Forward

"""A Lambda runtime API for one function process, with the timestamps the bench reads.

`Function(command, env).start()` starts the process with AWS_LAMBDA_RUNTIME_API pointing at
a server of its own and stamps the moment just before the exec; its first
`GET /invocation/next` is the end of init. `invoke(event)` hands out one event and returns
when the process posts the response (or an invocation error), with the moment the event was
written to the process and the moment the answer arrived. Events go one at a time, as
Lambda sends them to one execution environment.
"""

import os
import queue
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"
INVOKE_TIMEOUT_S = 60
FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:selectpay-bench"


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that says nothing when a client it serves is killed."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class InvocationFailed(Exception):
    pass


class Invocation:
    """One event's timing: `handed` when the event was written, `answered` when the reply came."""

    def __init__(self, request_id, body):
        self.request_id, self.body = request_id, body
        self.handed = self.answered = None
        self.kind = self.reply = None
        self.done = threading.Event()

    @property
    def seconds(self):
        return self.answered - self.handed


class Function:
    def __init__(self, name, command, env, log_path, cwd=None):
        self.name, self.command, self.env, self.log_path, self.cwd = name, command, env, log_path, cwd
        self.started = self.init_done = None
        self.process = None
        self._events = queue.Queue()
        self._pending = {}
        self._init_error = None
        self._counter = 0
        self._server = QuietServer(("127.0.0.1", 0), self._handler_class())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def start(self):
        env = {"PATH": os.environ.get("PATH", ""), **self.env}
        env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{self._server.server_port}"
        self._log = open(self.log_path, "ab")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command, env=env, cwd=self.cwd, stdout=self._log, stderr=subprocess.STDOUT
        )
        return self

    def invoke(self, body):
        self._counter += 1
        invocation = Invocation(f"{self.name}-{self._counter}", body)
        self._pending[invocation.request_id] = invocation
        self._events.put(invocation)
        deadline = time.monotonic() + INVOKE_TIMEOUT_S
        while not invocation.done.wait(0.05):
            if self._init_error is not None:
                raise InvocationFailed(f"{self.name}: init error: {self._init_error[:300]}")
            if self.process.poll() is not None:
                raise InvocationFailed(f"{self.name} exited ({self.process.returncode}); see {self.log_path}")
            if time.monotonic() > deadline:
                raise InvocationFailed(f"{self.name}: no answer within {INVOKE_TIMEOUT_S} s")
        if invocation.kind != "response":
            raise InvocationFailed(f"{self.name}: invocation error: {invocation.reply[:300]!r}")
        return invocation

    def cpu_seconds(self):
        """User + system CPU time of the process so far (/proc/<pid>/stat, clock ticks)."""
        with open(f"/proc/{self.process.pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_kib(self):
        """VmHWM: the most resident memory the process has had."""
        with open(f"/proc/{self.process.pid}/status") as file:
            for line in file:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return None

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._server.shutdown()
        self._server.server_close()
        self._log.close()

    def _handler_class(self):
        function = self

        class Runtime(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes: without TCP_NODELAY, Nagle holds the
            # second for the client's delayed ACK, 40 ms on every keep-alive exchange.
            disable_nagle_algorithm = True

            def log_message(self, *_):
                pass

            def do_GET(self):
                if self.path != f"{PREFIX}/invocation/next":
                    return self.answer(404)
                if function.init_done is None:
                    function.init_done = time.perf_counter()
                invocation = function._events.get()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", invocation.request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 900_000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN)
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(invocation.body)))
                self.end_headers()
                # Stamped before the body goes out: the process cannot answer before it has it.
                invocation.handed = time.perf_counter()
                self.wfile.write(invocation.body)
                self.wfile.flush()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.perf_counter()
                parts = self.path[len(PREFIX):].strip("/").split("/")
                if parts[:2] == ["init", "error"]:
                    function._init_error = body.decode(errors="replace")
                elif len(parts) == 3 and parts[0] == "invocation" and parts[1] in function._pending:
                    invocation = function._pending.pop(parts[1])
                    invocation.answered, invocation.kind, invocation.reply = now, parts[2], body
                    invocation.done.set()
                self.answer(202)

            def answer(self, status):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Runtime

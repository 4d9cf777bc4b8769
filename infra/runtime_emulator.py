#!/usr/bin/env python3
"""A minimal Lambda runtime API, to prove a built `bootstrap` starts and serves events.

    runtime_emulator.py <bootstrap> <expect>:<event.json> [<expect>:<event.json> ...]

Starts the bootstrap with AWS_LAMBDA_RUNTIME_API pointing here (plus the settings every
function needs, and AWS endpoints that refuse connections so nothing leaves the machine),
hands it the events in order and checks how each invocation ended: `response` (any HTTP
status) or `error` (an invocation error, e.g. the functions' refusal of a body marked base64
that is not). An `error` followed by a `response` shows the runtime survived the
error. Exits non-zero, with the bootstrap's output, on an init error, a mismatch, the
process dying, or no answer within the timeout.
"""

import json
import os
import queue
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"
TIMEOUT_S = 60

# Settings the functions need at cold start; secrets given directly (no SSM), and every AWS
# endpoint on a closed port.
FUNCTION_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "selectpay-ci",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_LOG_STREAM_NAME": "ci",
    "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/selectpay-ci",
    "AWS_LAMBDA_LOG_FORMAT": "JSON",
    "AWS_LAMBDA_LOG_LEVEL": "INFO",
    "AWS_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "ci",
    "AWS_SECRET_ACCESS_KEY": "ci",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_MAX_ATTEMPTS": "1",
    "SELECTPAY_MODE": "test",
    "SELECTPAY_INSTALLATION_ID": "38290",
    "SELECTPAY_PUBLIC_BASE_URL": "https://shop.example",
    "SELECTPAY_MERCHANT_EMAIL": "merchant@shop.example",
    "SELECTPAY_SENDER_EMAIL": "orders@shop.example",
    "SELECTPAY_OPERATOR_EMAIL": "operator@shop.example",
    "SELECTPAY_CALLBACK_PASSWORD": "ci-callback-password",
    "SELECTPAY_API_KEY": "ci-api-key",
    "SELECTPAY_TABLE_NAME": "selectpay-ci",
}


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    bootstrap, plan = argv[1], [arg.split(":", 1) for arg in argv[2:]]
    events = queue.Queue()
    for index, (_, path) in enumerate(plan):
        with open(path, "rb") as file:
            events.put((f"req-{index}", file.read()))
    outcomes = queue.Queue()

    class Runtime(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def do_GET(self):
            if self.path != f"{PREFIX}/invocation/next":
                return self.answer(404)
            request_id, body = events.get()  # blocks once every event is handed out
            self.send_response(200)
            self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
            self.send_header("Lambda-Runtime-Deadline-Ms", "4102444800000")
            self.send_header(
                "Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:eu-west-1:123456789012:function:selectpay-ci",
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = self.path[len(PREFIX):].strip("/").split("/")
            if parts[:2] == ["init", "error"]:
                outcomes.put(("init", "error", body))
            elif len(parts) == 3 and parts[0] == "invocation":
                outcomes.put((parts[1], parts[2], body))
            self.answer(202)

        def answer(self, status):
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Runtime)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"PATH": os.environ.get("PATH", ""), **FUNCTION_ENV}
    env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{server.server_port}"
    log = open(os.devnull if os.environ.get("QUIET") else "/dev/stderr", "w")
    process = subprocess.Popen([bootstrap], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = []
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    failed = None
    try:
        for index, (expect, path) in enumerate(plan):
            try:
                request_id, kind, body = outcomes.get(timeout=TIMEOUT_S)
            except queue.Empty:
                failed = f"no outcome for {path} within {TIMEOUT_S} s (exit {process.poll()})"
                break
            if request_id == "init":
                failed = f"init error: {body.decode(errors='replace')}"
                break
            detail = body.decode(errors="replace")
            if kind == "response":
                detail = f"HTTP {json.loads(body).get('statusCode', '?')}"
            print(f"{os.path.basename(path)}: {kind} ({detail[:200]})", file=log, flush=True)
            if request_id != f"req-{index}" or kind != expect:
                failed = f"{path}: expected {expect}, got {kind}"
                break
        if failed is None and process.poll() is not None:
            failed = f"the bootstrap exited ({process.returncode}) after its events"
    finally:
        process.kill()
        process.wait()
        server.shutdown()
    if failed:
        sys.stderr.write(b"".join(output).decode(errors="replace"))
        sys.exit(f"runtime_emulator: {bootstrap}: {failed}")


if __name__ == "__main__":
    main(sys.argv)

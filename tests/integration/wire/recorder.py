"""The recording harness shared by `record_official.py` (inference) and `record_official_platform.py`.

A local HTTP server on 127.0.0.1 (an ephemeral port) records every request it gets and answers
with what the script's handler says; `record_cases` drives the official SDK through the cases one
by one, keeping the one request each sent; `write_fixture` writes the fixture; `run` does all of
it. What each script records of a request, its answers and its cases stay in the script.

Needs only the standard library and `friendli==0.16.5`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata

from friendli import SyncFriendli

SDK_VERSION = "0.16.5"
TOKEN = "flp_recorder_token"

RECORDED: list[dict] = []
LOCK = threading.Lock()


def output_path(file_name: str) -> str:
    """Where to write the fixture: the script's argument, else `file_name` in the fixtures folder."""
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", file_name)


def sse(events: list[tuple[str | None, object]]) -> bytes:
    """An event stream of `(event name or None, data)`; data that is not text is sent as JSON."""
    out = []
    for name, data in events:
        block = ""
        if name is not None:
            block += f"event: {name}\n"
        block += "data: " + (data if isinstance(data, str) else json.dumps(data)) + "\n\n"
        out.append(block)
    return "".join(out).encode()


class RecordingHandler(BaseHTTPRequestHandler):
    """Records each GET and POST (`record` says what of it, and the answer) in `RECORDED`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def record(self, raw: bytes) -> tuple[dict, tuple[str, bytes]]:
        """What to record of the request whose body is `raw`, and the answer: (content type, bytes)."""
        raise NotImplementedError

    def handle_any(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        record, (content_type, payload) = self.record(raw)
        with LOCK:
            RECORDED.append(record)
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def installed_version() -> str | None:
    """The installed version of `friendli`, or None (said on stderr) if it is not SDK_VERSION."""
    version = metadata.version("friendli")
    if version != SDK_VERSION:
        print(f"expected friendli {SDK_VERSION}, found {version}", file=sys.stderr)
        return None
    return version


def start_server(handler: type[RecordingHandler]) -> tuple[ThreadingHTTPServer, str]:
    """The recording server, serving in a thread, and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def official_client(base_url: str) -> SyncFriendli:
    """The official client of the recording server. No client-level team: 0.16.5 sends
    x_friendli_team only per call (its `Config` team, which logs a warning when unset, is used by
    the dataset helpers alone)."""
    logging.getLogger().setLevel(logging.ERROR)
    return SyncFriendli(token=TOKEN, server_url=base_url, timeout_ms=30_000)


def record_cases(cases: list[dict], call, describe=str, limit: int = 300) -> int:
    """Runs `call(case)` for each case and keeps the one request it sent as the case's `request`.
    Only the request matters: an exception of the SDK is noted on stderr (`describe(error)`, the
    note cut at `limit` characters). Returns how many cases did not send exactly one request."""
    failures = 0
    for case in cases:
        with LOCK:
            RECORDED.clear()
        try:
            call(case)
        except Exception as error:  # only the request matters
            print(f"note: {case['name']}: the SDK raised {type(error).__name__}: {describe(error)}"[:limit], file=sys.stderr)
        with LOCK:
            recorded = list(RECORDED)
        if len(recorded) != 1:
            print(f"error: {case['name']}: {len(recorded)} requests recorded", file=sys.stderr)
            failures += 1
            continue
        case["request"] = recorded[0]
    return failures


def write_fixture(output: str, comment: str, version: str, cases: list[dict], failures: int, **extra) -> int:
    """Writes the fixture (`extra` between the SDK's description and the cases); returns the exit
    status: 1 if some case failed to record."""
    fixture = {
        "comment": comment,
        "sdk": {"package": "friendli", "version": version, "client": "SyncFriendli"},
        "python": sys.version.split()[0],
        **extra,
        "cases": cases,
    }
    with open(output, "w", encoding="utf-8") as f:
        json.dump(fixture, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(cases) - failures} cases to {os.path.normpath(output)}", file=sys.stderr)
    return 1 if failures else 0


def run(file_name: str, handler: type[RecordingHandler], comment: str, prepare, describe=str, limit: int = 300) -> int:
    """Records a fixture, `file_name` in the fixtures folder unless the script was given a path:
    checks the SDK's version, starts the recording server (`handler`) and the official client of
    it, asks `prepare(client, base_url)` for the cases, how to call one (`call(case)`) and the
    fixture's members besides the cases, records the cases (`describe` and `limit` as in
    `record_cases`) and writes the fixture. Returns the exit status."""
    output = output_path(file_name)
    version = installed_version()
    if version is None:
        return 2
    server, base_url = start_server(handler)
    client = official_client(base_url)
    cases, call, extra = prepare(client, base_url)
    failures = record_cases(cases, call, describe, limit)
    server.shutdown()
    return write_fixture(output, comment, version, cases, failures, **extra)

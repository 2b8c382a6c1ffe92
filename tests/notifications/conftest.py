"""Real servers on loopback for the notification tests: an SMTP server (aiosmtpd) and a scripted HTTP receiver.

No mocks of our own code: the worker talks SMTP and HTTP to these servers over 127.0.0.1.
"""
import email
import email.policy
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.routing.conftest import world  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def catalogues():
    """Chinese texts need the compiled catalogue: compiled here (atomically) when missing or stale, as
    `make translations` does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=True)
        os.replace(tmp, mo_path)


class SmtpCollector:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def by_message_id(self):
        counts = {}
        for message in self.messages:
            counts[message["Message-ID"]] = counts.get(message["Message-ID"], 0) + 1
        return counts


class SmtpServer:
    """Not listening until start(): the worker meanwhile meets a closed port (connection refused)."""

    def __init__(self, port):
        self.port = port
        self.collector = SmtpCollector()
        self.controller = None

    def start(self, **options):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.collector.messages


@pytest.fixture
def smtp(app, free_port):
    """An SMTP server on a free loopback port the app is configured for (started by the test)."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port, SMTP_TLS=False, SMTP_USER=None)
    server = SmtpServer(free_port)
    yield server
    server.stop()


class Receiver:
    """An HTTP server whose answers are scripted: statuses are used in order, then 200 for ever."""

    def __init__(self):
        self.statuses = []
        self.requests = []  # (headers as a dict, body bytes)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 400 else b"receiver error")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tradesecret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self):
        return [json.loads(body) for _headers, body in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()

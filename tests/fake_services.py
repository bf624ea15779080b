"""A local HTTP server that answers like PDOK's OGC API Features and CBS's OData, for fetch tests.

Routes map a path to a function returning (status, headers, body); the server counts the
requests per path so tests can see retries and cache hits. It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[dict[str, list[str]], int], Answer]


class FakeServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.queries: list[dict[str, list[str]]] = []
        self.base_url = ""


def json_answer(document: object, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(document).encode()


@contextmanager
def fake_server() -> Iterator[FakeServer]:
    state = FakeServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            state.hits[parts.path] += 1
            state.queries.append(query)
            route = state.routes.get(parts.path)
            if route is None:
                self.send_error(404)
                return
            status, headers, body = route(query, state.hits[parts.path])
            declared = int(headers.pop("X-Declared-Length", len(body)))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(declared))
            self.end_headers()
            self.wfile.write(body)
            if declared != len(body):
                self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()

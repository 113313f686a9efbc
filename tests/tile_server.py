"""A real XYZ tile server on 127.0.0.1 for the tests (no tile server outside the machine).

Serves one generated 256 px PNG of one colour for every ``/{z}/{x}/{y}.png`` (404 for any
other path) and records each path asked for.
"""

from __future__ import annotations

import http.server
import io
import re
import socket
import threading

from PIL import Image


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tile_png(rgb: tuple[int, int, int]) -> bytes:
    """One 256 px PNG tile of colour ``rgb``."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), rgb).save(buffer, format="PNG")
    return buffer.getvalue()


class TileServer:
    """An XYZ tile server on 127.0.0.1 in a thread; ``served`` lists the paths asked for."""

    def __init__(self, rgb: tuple[int, int, int] = (205, 225, 240)) -> None:
        png = tile_png(rgb)
        served: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.append(self.path)
                if not re.fullmatch(r"/\d+/\d+/\d+\.png", self.path):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.served = served
        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        """The XYZ URL template of this server."""
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

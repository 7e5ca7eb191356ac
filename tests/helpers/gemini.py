"""A fake Gemini API on 127.0.0.1 speaking the generateContent REST wire format, for the nanobanana tests (no tests
here): it decodes the images sent, records every call with its arrival time, and answers from a script."""
from __future__ import annotations

import base64
import io
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from PIL import Image

MODEL_VERSION = "fake-pro-image-2026-11"
KEY = "test-key-Zx81-never-written"


@dataclass
class Call:
    """One request as the server saw it."""

    at: float
    path: str
    key: str | None
    body: dict[str, Any]
    images: list[tuple[str, bytes]] = field(default_factory=list)
    text: str = ""

    @property
    def generation(self) -> dict[str, Any]:
        return self.body.get("generationConfig", {})

    @property
    def image_config(self) -> dict[str, Any]:
        return self.generation.get("imageConfig", {})


#: An answer: "ok", "429", "503" (with a RetryInfo ``retry_delay`` when set), "safety" or "stall" (until close).
Answer = str


class FakeGemini:
    """The server: ``script`` answers in order (then "ok"); ``choose(call)`` may pick an answer by request."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.script: list[Answer] = []
        self.choose: Callable[[Call], Answer | None] = lambda call: None
        self.retry_delay: str | None = None
        self.released = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, call: Call) -> Answer:
        with self._lock:
            self.calls.append(call)
            chosen = self.choose(call)
            if chosen is not None:
                return chosen
            return self.script.pop(0) if self.script else "ok"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                at = time.monotonic()
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                call = Call(at, self.path, self.headers.get("x-goog-api-key"), body)
                for part in body["contents"][0]["parts"]:
                    data = part.get("inlineData") or part.get("inline_data")
                    if data:
                        mime = data.get("mimeType") or data.get("mime_type")
                        call.images.append((mime, base64.urlsafe_b64decode(data["data"])))
                    elif "text" in part:
                        call.text += part["text"]
                answer = fake._answer(call)
                if call.key != KEY:
                    return self._send(400, {"error": {"code": 400, "message": "API key not valid.",
                                                      "status": "INVALID_ARGUMENT"}})
                if answer == "stall":
                    fake.released.wait()
                    return None
                if answer in ("429", "503"):
                    status = {"429": "RESOURCE_EXHAUSTED", "503": "UNAVAILABLE"}[answer]
                    details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                "retryDelay": fake.retry_delay}] if fake.retry_delay else []
                    return self._send(int(answer), {"error": {"code": int(answer), "message": "slow down",
                                                              "status": status, "details": details}})
                if answer == "safety":
                    return self._send(200, {"candidates": [{"finishReason": "IMAGE_SAFETY", "index": 0}],
                                            "modelVersion": MODEL_VERSION})
                return self._send(200, {
                    "candidates": [{"content": {"role": "model", "parts": [
                        {"inlineData": {"mimeType": "image/png", "data": _image(call)}}]},
                        "finishReason": "STOP", "index": 0}],
                    "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 1290, "totalTokenCount": 1302},
                    "modelVersion": MODEL_VERSION, "responseId": f"resp-{len(fake.calls)}"})

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _image(call: Call) -> str:
    """A small PNG (128 px on its long side) in the asked aspect ratio: the backend fits it to the scene anyway."""
    width, height = (int(v) for v in call.image_config.get("aspectRatio", "1:1").split(":"))
    scale = 128 / max(width, height)
    image = Image.new("RGB", (round(width * scale), round(height * scale)), (40, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()

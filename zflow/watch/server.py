"""The live gallery's HTTP server (aiohttp, loopback only): the page, its state, pushes over SSE, picks, an image's
details, and the files of the project's output folder (nothing outside it)."""
from __future__ import annotations

import asyncio
import ipaddress
import json
import threading
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from aiohttp import web

from ..errors import UsageError
from ..graph.composition import LAYOUT_PICK
from ..graph.training import DROP_PICK
from .picking import drop_problem, pick_problem

#: Hosts the gallery may bind: loopback only, never a network interface.
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
ASSETS = {"gallery.js": "text/javascript", "gallery.css": "text/css", "index.html": "text/html"}
HEARTBEAT = 15.0


def check_host(host: str) -> str:
    """The loopback address to bind; UsageError for anything that would be reachable from the network."""
    if host in LOOPBACK:
        return "127.0.0.1" if host == "localhost" else host
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise UsageError(f"--host {host}: the gallery binds to a loopback address only (127.0.0.1 or ::1), "
                     "so that nothing outside this machine can reach the project")


class GalleryServer:
    """Serves one session's gallery from a thread of its own; ``publish`` may be called from any thread."""

    def __init__(self, out_dir: Callable[[], Path], state: Callable[[], dict[str, Any]],
                 pick: Callable[[str, int | None], None], host: str = "127.0.0.1", port: int = 0,
                 details: Callable[[str], dict[str, Any] | None] | None = None):
        self.out_dir = out_dir
        self.state = state
        self.pick = pick
        self.details = details
        self.host = check_host(host)
        self.port = port
        self.url = ""
        self._latest = (0, json.dumps(state()))
        self._clients: set[asyncio.Event] = set()
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    # lifecycle ---------------------------------------------------------------------------------------------------
    def start(self) -> str:
        """Bind and serve; returns the page's URL. UsageError when the port cannot be bound."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="zflow-gallery", daemon=True)
        self._thread.start()
        ready.wait()
        if self._failure is not None:
            raise UsageError(f"cannot serve the gallery on {self.host}:{self.port}: {self._failure}")
        return self.url

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._close)
            self._thread.join(timeout=10)

    def publish(self, state: dict[str, Any]) -> None:
        """Push a new state to every open page."""
        text = json.dumps(state, ensure_ascii=False)
        if self._loop is not None and not self._closing:
            self._loop.call_soon_threadsafe(self._set_latest, text)

    def _set_latest(self, text: str) -> None:
        self._latest = (self._latest[0] + 1, text)
        for client in self._clients:
            client.set()

    def _close(self) -> None:
        self._closing = True
        for client in self._clients:
            client.set()
        assert self._loop is not None
        self._loop.stop()

    def _serve(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._bind())
        except OSError as exc:
            self._failure = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            assert self._runner is not None
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

    async def _bind(self) -> None:
        app = web.Application(middlewares=[self._check_host_header])
        app.router.add_get("/", self._page)
        app.router.add_get("/assets/{name}", self._asset)
        app.router.add_get("/api/state", self._state)
        app.router.add_post("/api/pick", self._pick)
        app.router.add_get("/api/details", self._details)
        app.router.add_get("/events", self._events)
        app.router.add_get("/files/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{self.port}/"

    # handlers ----------------------------------------------------------------------------------------------------
    @web.middleware
    async def _check_host_header(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        """Refuse requests for other host names (a web page elsewhere cannot rebind its name to this server)."""
        allowed = {f"{h}:{self.port}" for h in ("127.0.0.1", "localhost", "[::1]")}
        if request.host not in allowed:
            return web.json_response({"error": f"unexpected Host {request.host!r}"}, status=403)
        return await handler(request)

    async def _page(self, request: web.Request) -> web.Response:
        return self._asset_response("index.html")

    async def _asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return self._asset_response(name)

    def _asset_response(self, name: str) -> web.Response:
        body = resources.files(__package__).joinpath("assets", name).read_bytes()
        return web.Response(body=body, content_type=ASSETS[name], charset="utf-8",
                            headers={"Cache-Control": "no-cache"})

    async def _state(self, request: web.Request) -> web.Response:
        return web.Response(text=self._latest[1], content_type="application/json",
                            headers={"Cache-Control": "no-store"})

    async def _pick(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return web.json_response({"error": "send the pick as application/json"}, status=415)
        try:
            body = await request.json()
            if isinstance(body, dict) and "sheet" in body:
                return self._drop(body["sheet"], body["drop"])
            what = "layout" if "layout" in body else "draft"
            scene, number = body["scene"], body[what]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": 'expected {"scene": "series/scene", "draft": n} (or "layout": n), '
                                               'or {"sheet": "characters/name/turnaround-NN", "drop": true}'},
                                     status=400)
        problem = pick_problem(self.state(), scene, number, what)
        if problem:
            return web.json_response({"error": problem}, status=400)
        self.pick(scene + LAYOUT_PICK if what == "layout" else scene, number)
        return web.json_response({"scene": scene, what: number}, status=202)

    def _drop(self, sheet: Any, drop: Any) -> web.Response:
        """Drop a turnaround sheet from its character's training set, or restore it."""
        problem = drop_problem(self.state(), sheet, drop)
        if problem:
            return web.json_response({"error": problem}, status=400)
        self.pick(sheet + DROP_PICK, 1 if drop else None)
        return web.json_response({"sheet": sheet, "drop": drop}, status=202)

    async def _details(self, request: web.Request) -> web.Response:
        """An image's prompt, seed, model, steps and key parts, from the store's index (``?task=series/scene/...``)."""
        task = request.query.get("task", "")
        if self.details is None or not task:
            return web.json_response({"error": "ask for ?task=<task id>"}, status=400)
        found = self.details(task)
        if found is None:
            return web.json_response({"error": f"{task} has not been built yet"}, status=404)
        return web.json_response(found, dumps=lambda data: json.dumps(data, ensure_ascii=False, default=str),
                                 headers={"Cache-Control": "no-store"})

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
        await response.prepare(request)
        wake = asyncio.Event()
        self._clients.add(wake)
        seen = -1
        try:
            while not self._closing:
                wake.clear()
                number, text = self._latest
                if number != seen:
                    seen = number
                    await response.write(f"event: state\ndata: {text}\n\n".encode())
                try:
                    await asyncio.wait_for(wake.wait(), HEARTBEAT)
                except asyncio.TimeoutError:
                    await response.write(b": still here\n\n")
        except ConnectionError:
            pass
        finally:
            self._clients.discard(wake)
        return response

    async def _file(self, request: web.Request) -> web.StreamResponse:
        target = resolve_output(self.out_dir(), request.match_info["path"])
        if target is None:
            raise web.HTTPNotFound()
        headers = {"Cache-Control": "public, max-age=31536000, immutable" if "v" in request.query else "no-cache"}
        return web.FileResponse(target, headers=headers)


def resolve_output(out_dir: Path, rel: str) -> Path | None:
    """The file ``rel`` names inside ``out_dir``; None for anything else (``..``, absolute paths, links leading
    out of the folder, folders, missing files)."""
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or "\\" in rel or any(p in ("..", ".") or "\x00" in p for p in parts):
        return None
    root = out_dir.resolve()
    target = (root / Path(*parts)).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


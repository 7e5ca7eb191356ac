"""The gallery server: loopback only, files of out/ and nothing else, state pushed over SSE, picks validated."""
from __future__ import annotations

import http.client
import json
import socket
import subprocess

import pytest

from helpers.ci import need_network_interface
from helpers.project import BASIC_RECIPE, ZFLOW, ProjectDir
from helpers.watch import TIMEOUT, ran, serve, started  # noqa: F401  (serve is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def serving(basic: ProjectDir, serve):
    """The basic project under `zflow watch --serve --port 0`: (project, process, port, first events)."""
    served = serve(basic)
    return basic, served.proc, served.port, served.first


def get(port: int, path: str, host: str | None = None) -> tuple[int, bytes, dict]:
    """A raw GET (the path is sent exactly as given)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{port}")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, dict(response.getheaders())


def post_pick(port: int, body: object, content_type: str = "application/json") -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    conn.request("POST", "/api/pick", json.dumps(body), {"Content-Type": content_type})
    response = conn.getresponse()
    result = response.status, json.loads(response.read() or b"{}")
    conn.close()
    return result


class Stream:
    """An open /events stream read event by event."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.conn.request("GET", "/events")
        self.response = self.conn.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def state(self) -> dict:
        data = []
        while True:
            line = self.response.fp.readline().decode().rstrip("\n")
            if line.startswith("data: "):
                data.append(line[6:])
            elif not line and data:
                return json.loads("".join(data))

    def close(self) -> None:
        self.conn.close()


def draft_url(state: dict, scene: int = 0, draft: int = 0) -> str:
    return state["series"][0]["scenes"][scene]["drafts"][draft]["url"]


def test_non_loopback_hosts_are_refused(basic: ProjectDir) -> None:
    for host in ("0.0.0.0", "192.0.2.7", "example.com", "::"):
        proc = subprocess.run([ZFLOW, "watch", "--serve", "--host", host], cwd=basic.root, capture_output=True,
                              text=True, timeout=TIMEOUT)
        assert proc.returncode == 2
        assert "loopback" in proc.stderr


def test_gallery_listens_on_loopback_only(serving) -> None:
    proj, proc, port, _ = serving
    address = need_network_interface()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, port), timeout=TIMEOUT)
    assert get(port, "/")[0] == 200


def test_path_traversal_is_refused(serving) -> None:
    proj, proc, port, _ = serving
    secret = "top secret token 42"
    proj.write("secret.txt", secret)
    (proj.root / "out" / "escape").symlink_to(proj.root / "secret.txt")
    (proj.root / "out" / "up").symlink_to(proj.root)
    for path in ("/files/../secret.txt", "/files/%2e%2e/secret.txt", "/files/..%2fsecret.txt",
                 "/files/%2e%2e%2fsecret.txt", "/files//etc/passwd", "/files/%2fetc%2fpasswd",
                 "/files/escape", "/files/up/secret.txt", "/files/up/.zflow/index.sqlite", "/files/s/..%5c..%5csecret.txt",
                 "/assets/../secret.txt", "/assets/..%2f..%2fsecret.txt", "/../secret.txt"):
        status, body, _ = get(port, path)
        assert status in (403, 404), path
        assert secret.encode() not in body and b"root:" not in body, path
    status, body, headers = get(port, "/files/s/a/draft-1.png")
    assert (status, headers["Content-Type"]) == (200, "image/png")
    assert body == (proj.root / "out/s/a/draft-1.png").read_bytes()


def test_requests_for_other_host_names_are_refused(serving) -> None:
    _, _, port, _ = serving
    assert get(port, "/api/state", host=f"attacker.example:{port}")[0] == 403
    assert get(port, "/api/state", host=f"localhost:{port}")[0] == 200


def test_saved_change_is_pushed_with_the_new_image(serving) -> None:
    proj, proc, port, _ = serving
    stream = Stream(port)
    try:
        state = stream.state()
        old = draft_url(state)
        assert old.startswith("/files/s/a/draft-1.png?v=")
        proj.write("recipes/basic.py", BASIC_RECIPE.replace("pours coffee", "pours tea"))
        while draft_url(state) == old:
            state = stream.state()
        status, body, _ = get(port, draft_url(state))
        assert status == 200 and body == (proj.root / "out/s/a/draft-1.png").read_bytes()
        proj.write("recipes/basic.py", BASIC_RECIPE + "oops = (\n")
        while not state["error"]:
            state = stream.state()
        assert (state["error"]["file"], state["error"]["line"]) == ("recipes/basic.py", 8)
        assert draft_url(state) != old
    finally:
        stream.close()


def test_pick_is_validated_then_rebuilds_only_that_scene(serving) -> None:
    proj, proc, port, first = serving
    assert post_pick(port, {"scene": "s/nope", "draft": 1})[0] == 400
    assert post_pick(port, {"scene": "s/a", "draft": 3})[0] == 400
    assert post_pick(port, {"scene": "s/a", "draft": "2"})[0] == 400
    assert post_pick(port, {"scene": "s/a", "draft": 2}, content_type="text/plain")[0] == 415
    assert post_pick(port, {"scene": "s/a", "layout": 1}) == (400, {"error": "scene s/a has no layouts"})
    assert post_pick(port, {"scene": "s/a", "layout": True}) == (400, {"error": "scene must be text and layout a "
                                                                                "whole number"})
    assert post_pick(port, {"scene": "s/a", "draft": 2}) == (202, {"scene": "s/a", "draft": 2})
    events = proc.rebuild()
    assert events[0] == {"event": "change", "files": ["pick s/a=2"]}
    assert ran(events) == {t for t in started(first) if t.startswith("s/a/") and "/draft-" not in t}
    assert json.loads((proj.root / "picks.json").read_text()) == {"s/a": 2}

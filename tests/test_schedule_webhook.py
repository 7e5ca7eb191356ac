"""The webhook plugin: a scheduled build's summary is posted to a local HTTP server; a dead URL never fails a build."""
from __future__ import annotations

import json
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers.schedule import calendar_project

pytestmark = [pytest.mark.e2e]

PLUGIN = Path(__file__).resolve().parent.parent / "plugins" / "zflow_webhook" / "__init__.py"


@pytest.fixture
def hook_server():
    """A real HTTP server on 127.0.0.1 that keeps every JSON body posted to it."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_scheduled_build_posts_its_summary_to_the_webhook(project, hook_server):
    url, received = hook_server
    calendar_project(project)
    result = project.zflow("schedule", "--once", "--at", "2026-11-30T09:30+09:00",
                           env={"ZFLOW_WEBHOOK_URL": url})
    assert result.code == 0, result.stderr
    assert len(received) == 1
    assert received[0]["summary"]["ran"] == 4 and received[0]["summary"]["failed"] == 0
    assert received[0]["text"].startswith("zflow build: 4 ran, 0 cached, 0 failed")


def test_a_copy_in_the_projects_plugins_folder_loads_under_its_own_name_and_posts(project, hook_server):
    """With the installed plugin blocked, the one post can only come from the project's local copy."""
    url, received = hook_server
    calendar_project(project)
    (project.root / "plugins").mkdir()
    shutil.copy(PLUGIN, project.root / "plugins" / "local_webhook.py")
    env = {"ZFLOW_WEBHOOK_URL": url, "ZFLOW_PLUGINS_BLOCK": "webhook"}
    listed = project.zflow("plugins", env=env)
    assert listed.code == 0, listed.stderr
    names = {line.split()[0] for line in listed.stdout.splitlines() if line and not line.endswith(":")}
    assert "local_webhook" in names and "webhook" not in names
    result = project.zflow("schedule", "--once", "--at", "2026-11-30T09:30+09:00", env=env)
    assert result.code == 0, result.stderr
    assert len(received) == 1
    assert received[0]["text"].startswith("zflow build: 4 ran, 0 cached, 0 failed")


def test_unreachable_webhook_is_logged_and_the_build_still_succeeds(project):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    calendar_project(project)
    result = project.zflow("schedule", "--once", "--at", "2026-11-30T09:30+09:00",
                           env={"ZFLOW_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook"})
    assert result.code == 0
    assert "posting the build summary" in result.stderr
    assert {name.split("/")[1] for name in project.out_files()} == {"ep1", "ep2"}

"""`make lab` opens JupyterLab on notebook 00, with the whole project in the file browser.

The server is started through the Makefile's own `lab` target (only `LAB_ARGS` is added: no
browser, a free loopback port, a token), so a change to the target that breaks the learner's
first screen fails here. `-o .venv/.installed` tells make not to rebuild the environment.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from suite import ROOT

START_TIMEOUT = 20.0  # seconds; JupyterLab starts in ~2 s on 2 cores
NOTEBOOK = "notebooks/00_start_here.ipynb"

pytestmark = pytest.mark.skipif(
    subprocess.run(["make", "--version"], capture_output=True).returncode != 0,
    reason="make is not installed",
)


class Lab:
    def __init__(self, port: int, token: str) -> None:
        self.base, self.token = f"http://127.0.0.1:{port}", token

    def get(self, path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.base + path, headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, path: str) -> dict:
        status, body = self.get(path)
        assert status == 200, f"GET {path} answered {status}: {body[:200]!r}"
        return json.loads(body)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path_factory.mktemp("jupyterlab") / "lab.log"
    lab_args = (
        f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
        f"--ServerApp.port_retries=0 --IdentityProvider.token={token}"
    )
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(log.parent)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "-o",
                ".venv/.installed",
                "lab",
                f"LAB_ARGS={lab_args}",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: make and jupyter stop together
        )
    server = Lab(port, token)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if server.get("/api/status")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, f"make lab exited early:\n{log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, (
                f"JupyterLab did not answer within {START_TIMEOUT} s:\n{log.read_text()[-2000:]}"
            )
            time.sleep(0.2)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def test_notebook_00_is_served_through_the_contents_api(lab: Lab) -> None:
    model = lab.json(f"/api/contents/{NOTEBOOK}")
    assert model["type"] == "notebook", model
    assert model["content"]["cells"], "notebook 00 came back without cells"


def test_the_file_browser_is_rooted_at_the_project(lab: Lab) -> None:
    root = {entry["name"] for entry in lab.json("/api/contents?content=1")["content"]}
    assert {"labs", "notebooks", "README.md"} <= root, (
        f"the file browser root shows {sorted(root)}; `make lab` must root it at the project "
        "(--ServerApp.root_dir), so a learner reaches labs/ and their READMEs"
    )
    assert lab.json("/api/contents/labs?content=0")["type"] == "directory"


def test_the_lab_page_opens_notebook_00(lab: Lab) -> None:
    status, page = lab.get("/lab")
    assert status == 200 and b"jupyter-config-data" in page, f"/lab answered {status}"
    status, page = lab.get(f"/lab/tree/{NOTEBOOK}")
    config = page.split(b'id="jupyter-config-data"', 1)[1].split(b">", 1)[1].split(b"</script>")[0]
    data = json.loads(config)
    assert status == 200 and data["treePath"] == NOTEBOOK, (status, data.get("treePath"))
    assert Path(data["serverRoot"]).resolve() == ROOT.resolve(), data["serverRoot"]


def test_no_jupyter_news_prompt(lab: Lab) -> None:
    settings = lab.json("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert settings["settings"].get("fetchNews") == "false", (
        f"notification settings {settings['settings']}: the 'Jupyter news' prompt would show; "
        "the project-level settings (.jupyter/lab/user-settings) set fetchNews to 'false'"
    )


def test_notebooks_name_the_kernel_the_server_offers(lab: Lab) -> None:
    specs = lab.json("/api/kernelspecs")
    default = specs["kernelspecs"][specs["default"]]["spec"]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        kernelspec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert (kernelspec["name"], kernelspec["display_name"]) == (
            specs["default"],
            default["display_name"],
        ), f"{path.name} would open as modified: its kernelspec is {kernelspec}"

"""Starting the real `wivcheck serve` on 127.0.0.1 for tests, and stopping it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time

import httpx

from conftest import ROOT, run_env, wivcheck_bin


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, *args: str, env: dict | None = None, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**run_env(), **(env or {})}
        # the service logs a line per request on stderr: to a file, which no pipe buffer can fill up
        self.stderr = tempfile.NamedTemporaryFile(prefix="wivcheck-serve-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([wivcheck_bin(), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                      *args], cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL,
                                     stderr=self.stderr, text=True, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.log_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start in 60 s")

    def log_text(self) -> str:
        """Everything the server wrote on stderr so far."""
        with open(self.stderr.name, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def kill(self) -> None:
        """SIGKILL the server and its workers: no shutdown, no flush."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.stderr.close()


def make_tokens(folder, names: dict[str, str] | None = None,
                roles: tuple[str, ...] = ("analyst", "gate", "policy", "auditor")) -> tuple:
    """A tokens file with one token per role of `roles` (`wivcheck tokens new`); `names` gives a
    role's holder a name (default `test-<role>`). Returns (path, {role: token})."""
    from conftest import wivcheck_bin
    out, lines = {}, []
    for role in roles:
        name = (names or {}).get(role, f"test-{role}")
        r = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", role, "--name", name],
                           capture_output=True, text=True, env=run_env(), check=True)
        out[role] = r.stdout.split("token: ")[1].split()[0]
        lines.append(r.stdout.split("entry for the tokens file:\n")[1])
    path = folder / "tokens.yaml"
    path.write_text("".join(lines))
    return path, out


def provision_json(name: str) -> dict:
    """An example provision as JSON data."""
    import json

    import yaml

    from conftest import EXAMPLES
    return json.loads(json.dumps(yaml.safe_load((EXAMPLES / name).read_text()), default=str))

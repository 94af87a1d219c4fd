"""Start the portal under gunicorn on loopback for the benchmark, and stop it cleanly.

Production settings (PORTAL_ENV=production) with mail that never leaves the machine: emails
would go to an SMTP port on 127.0.0.1, but delivery is left to the outbox worker, which the
benchmark does not run, so a page that queues an email only writes a row.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

#: sync, as production runs by default (gunicorn.conf.py): an idle worker takes the next
#: connection, so the load always spreads over both workers. gthread keeps connections open,
#: and with a few keep-alive connections one worker can win them all and leave the other idle
#: (seen here: all of the CPU on one worker in three runs out of six), so its figures depend
#: on luck. --worker-class gthread measures it all the same.
DEFAULT_WORKER_CLASS = "sync"
DEFAULT_THREADS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str, secret_key: str) -> dict[str, str]:
    """The portal's settings for a benchmark run: production, except that mail stays local."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MAIL_", "PORTAL_", "FLASK_", "REDIS_"))}
    env.update({
        "PORTAL_ENV": "production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "BASE_URL": "https://portal.bench.localhost",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": "2525",
        "MAIL_DELIVERY": "worker",
        "MAIL_DEFAULT_SENDER": "Mentoring portal <no-reply@portal.testborough.gov.uk>",
        "PORTAL_INSTANCE_PATH": str(OUT / "instance"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


class Server:
    """gunicorn serving bench.wsgi:app with ``workers`` workers on a free loopback port."""

    def __init__(self, database_url: str, *, workers: int = 2,
                 worker_class: str = DEFAULT_WORKER_CLASS, threads: int = DEFAULT_THREADS,
                 secret_key: str | None = None) -> None:
        self.database_url = database_url
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.secret_key = secret_key or secrets.token_urlsafe(32)
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "gunicorn", "bench.wsgi:app",
                   "--config", str(ROOT / "bench" / "gunicorn_conf.py"),
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                   "--worker-class", self.worker_class, "--chdir", str(ROOT),
                   "--graceful-timeout", "5", "--backlog", "512"]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        return command

    def start(self, timeout: float = 60.0) -> Server:
        OUT.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self._log = open(OUT / "gunicorn.log", "w")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=environment(self.database_url, self.secret_key),
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError("gunicorn stopped while starting:\n"
                                   + (OUT / "gunicorn.log").read_text()[-3000:])
            if self._healthy() and len(self.worker_pids()) >= self.workers:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the portal did not answer /health within {timeout:.0f} s")

    def _healthy(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/health")
            status = conn.getresponse().status
            conn.close()
            return status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        """The app worker processes: the gunicorn master's children."""
        if self.process is None:
            return []
        return children(self.process.pid)

    def peak_worker_rss_mb(self) -> float:
        """The largest peak resident memory (VmHWM) of one app worker, in MB."""
        peaks = [peak_rss_kb(pid) for pid in self.worker_pids()]
        return max((p for p in peaks if p), default=0) / 1024

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(p) for p in text.split()]
    except OSError:
        pass
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def peak_rss_kb(pid: int) -> int:
    """VmHWM (the peak resident set) of a process, in kB; 0 if it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0

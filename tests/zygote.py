"""`newsmine` runs as real processes without paying for start-up each time: a zygote.

``python tests/zygote.py`` imports newsmine, loads the shipped model and the place gazetteer once,
then forks one child per request; each child runs the command line (``pipeline.cli``) exactly as
``python -m pipeline.cli ARGS`` does, with the loaded model handed to it instead of loading it again
(about 2.5 s of CPU a run on the 2-core machine: imports, model, gazetteer). A child is an ordinary
process: it writes its own database, and SIGKILL ends it at once. Start-up writes nothing, so what a
kill can break is the same as in a process started from scratch.

Protocol (one JSON object per line): the client writes ``{"id", "argv", "stderr"}``; the zygote
answers ``{"id", "pid"}`` right after the fork and ``{"pid", "returncode", "cpu"}`` when it has reaped
the child (``-9`` for SIGKILL, as :mod:`subprocess` reports it; its CPU seconds). The zygote ends when its stdin closes.
:class:`Zygote` is the client; :class:`Forked` looks like a :class:`subprocess.Popen`.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_env() -> dict[str, str]:
    """The environment of runs that go side by side: one BLAS/OpenMP thread each (they must not starve
    each other), a fixed hash seed."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    return env


# --------------------------------------------------------------------------- the zygote process


def _child(request: dict) -> None:
    """In the forked child: stdout to /dev/null, stderr to the requested file, the command, then the
    interpreter's normal exit (closing databases, atexit handlers), as a process of its own ends."""
    code = 1
    try:
        from pipeline.cli import cli

        null = os.open(os.devnull, os.O_RDWR)
        err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(err, 2)
        try:
            cli.main(args=request["argv"], prog_name="newsmine", standalone_mode=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a traceback on stderr, as a real process would print it
        import traceback

        traceback.print_exc()
    raise SystemExit(code)  # nothing in serve() catches it: the child ends here


def serve() -> None:
    from pipeline import cli as cli_module
    from pipeline.nlp.model import load
    from pipeline.resolve import warm

    nlp = load()
    warm()
    load_model = cli_module._load_model
    cli_module._load_model = lambda model: nlp if model is None else load_model(model)

    def say(message: dict) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    say({"ready": True})
    stdin, pending = sys.stdin.fileno(), b""
    while True:
        readable, _, _ = select.select([stdin], [], [], 0.005)
        if readable:
            chunk = os.read(stdin, 65536)
            if not chunk:
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(request)
                say({"id": request["id"], "pid": pid})
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            say({"pid": pid, "returncode": code, "cpu": usage.ru_utime + usage.ru_stime})


# --------------------------------------------------------------------------- the client


class Forked:
    """A child of the zygote, with the parts of :class:`subprocess.Popen` the tests use."""

    def __init__(self, zygote: Zygote, pid: int, stderr: Path) -> None:
        self.zygote, self.pid, self.stderr_path = zygote, pid, stderr
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.returncodes.get(self.pid)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        with self.zygote.changed:
            if not self.zygote.changed.wait_for(lambda: self.pid in self.zygote.returncodes, timeout):
                raise subprocess.TimeoutExpired(f"newsmine (pid {self.pid})", timeout)
        return self.poll()

    def communicate(self, timeout: float | None = None) -> tuple[None, str]:
        """Wait for the end; (None, what it wrote to stderr)."""
        self.wait(timeout)
        return None, self.stderr_path.read_text(encoding="utf-8", errors="replace")


class Zygote:
    """Starts ``python tests/zygote.py`` with ``env`` and forks runs from it (thread-safe)."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve())], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        first = self.proc.stdout.readline()
        if not first or not json.loads(first).get("ready"):
            raise RuntimeError(f"the zygote did not start: {first!r}")
        self.returncodes: dict[int, int] = {}
        self.cpu: dict[int, float] = {}  # CPU seconds of each reaped child
        self.changed = threading.Condition()
        self._pids: dict[int, int] = {}
        self._ids = itertools.count()
        self._write = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            message = json.loads(line)
            with self.changed:
                if "id" in message:
                    self._pids[message["id"]] = message["pid"]
                else:
                    self.returncodes[message["pid"]] = message["returncode"]
                    self.cpu[message["pid"]] = message["cpu"]
                self.changed.notify_all()

    def start(self, argv: list[str], stderr: Path) -> Forked:
        """Fork ``newsmine ARGV`` (stderr to the file ``stderr``); returns once it runs."""
        request = {"id": next(self._ids), "argv": list(argv), "stderr": str(stderr)}
        with self._write:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        with self.changed:
            if not self.changed.wait_for(lambda: request["id"] in self._pids, 60):
                raise RuntimeError("the zygote did not fork")
            return Forked(self, self._pids.pop(request["id"]), Path(stderr))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


if __name__ == "__main__":
    serve()

"""Kernels that start with their libraries already loaded: a fork server for report kernels.

A fresh Jupyter kernel for a report costs about 2.5 s before the report's first line runs: a new
Python process, ipykernel and IPython, then the report's own imports (pandas, matplotlib,
statsmodels, scipy, evaluatie). By default (``evaluatie run``; ``--no-preload`` turns it off)
that work is done once, in a *zygote* process the runner starts next to it; every report kernel
is then a fork of the zygote (``os.fork``), so it starts with those modules in memory (the first
report's kernel with its own, see below). Each report still gets its own fresh process: a fork
never sees what another report did, only the state right after the zygote's imports.

What the kernel sees is what it would see when started normally: the same command-line
arguments (``-f <connection file>``), working directory, environment, stderr file and a new
session (process group); the global NumPy random state is reseeded from the OS (``random``
reseeds itself after a fork). A zygote serves only launches whose environment equals the one it
imported under, apart from the per-run variables in :data:`PER_RUN_ENV`; for another environment
a new zygote is started. If a library has started a thread by the end of the imports, the zygote
refuses to fork (a copied lock could hang the kernel). Then, and wherever ``os.fork`` or
``os.pidfd_open`` (Linux 5.3+) is missing, kernels start the normal way.

The zygote starts forking as soon as it has imported what the *first* report needs (the
statements up to ``first``, see :func:`configure`); it waits for that report's kernel, then imports
the rest while the first report runs, between requests: the first report does not wait for the
libraries of the others. A kernel forked before the zygote is done imports what its notebook
needs itself, as a normally started kernel does. If a later import leaves a thread running, the
zygote refuses every fork from then on.

A forked kernel ends when the zygote does (``PR_SET_PDEATHSIG``), and the zygote when the runner
does (the end of its stdin): a killed runner leaves no kernels behind. At a normal shutdown the
kernel waits for ipykernel's control thread before ipykernel's exit handler runs, which avoids a
race in ipykernel that otherwise leaves some kernels hanging until jupyter_client terminates them.

The zygote talks to the runner over its stdin and stdout, one JSON line per request; it reaps
its children itself, and the runner follows each kernel through a pidfd. What its imports print
goes to ``/dev/null``; the replies have a copy of stdout of their own. After each stage of
imports it freezes what they created (``gc.freeze``), so the kernels' garbage collector never walks
those objects and their memory pages stay shared. A zygote that ends (killed, out of memory) takes
its running kernels with it and is not started again: later kernels start the normal way.
"""

from __future__ import annotations

import ast
import atexit
import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterable, Mapping

__all__ = ["PER_RUN_ENV", "available", "preload_statements", "configure", "is_configured", "Zygote", "zygote_for",
           "prestart", "shutdown"]

# variables that may differ between the zygote's environment and a kernel's
PER_RUN_ENV = ("EVALUATIE_RUN_DIR", "JPY_PARENT_PID", "JPY_SESSION_NAME")


def available() -> bool:
    """Forked kernels need ``os.fork`` and ``os.pidfd_open`` (Linux 5.3 or later)."""
    if not hasattr(os, "fork") or not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


def preload_statements(notebooks: Iterable[str | Path]) -> list[str]:
    """The import statements of the notebooks' code cells (top level only), in order, once each."""
    seen: dict[str, None] = {}
    for path in notebooks:
        try:
            nb = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
                    seen.setdefault(ast.unparse(node), None)
    return list(seen)


class _ForkedProcess:
    """The part of :class:`subprocess.Popen` that jupyter_client's local provisioner uses, for a
    kernel that is the zygote's child, not ours: followed through a pidfd. The zygote reaps it,
    so its exit status is not known here; ``returncode`` is 0 once it has ended."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd: int | None = os.pidfd_open(pid)

    def _ended(self, timeout: float | None) -> bool:
        if self.returncode is not None:
            return True
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if ready:
            self.returncode = 0
            os.close(self._fd)
            self._fd = None
            return True
        return False

    def poll(self) -> int | None:
        return self.returncode if self._ended(0) else None

    def wait(self, timeout: float | None = None) -> int:
        if not self._ended(timeout):
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    """A process that imports ipykernel and the reports' libraries and forks kernels.
    It is started at once; :attr:`ready` waits until it has the first report's imports."""

    def __init__(self, statements: list[str], env: Mapping[str, str], cwd: str, first: int | None = None):
        self.statements = list(statements)
        self.first = len(self.statements) if first is None else max(0, min(first, len(self.statements)))
        self.env = dict(env)
        self.lock = threading.Lock()
        self.refused = False  # a later import left a thread running: no more forks
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "evaluatie.run.kernels", json.dumps(self.statements), str(self.first)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=self.env, cwd=cwd, start_new_session=True,
        )
        self._ready: bool | None = None

    @property
    def ready(self) -> bool:
        """Whether the zygote serves (waits until it has done the first report's imports)."""
        if self._ready is None:
            with self.lock:
                if self._ready is None:
                    self._ready = self.proc.stdout.readline().strip() == b"ready"
        return self._ready

    def serves(self, statements: list[str]) -> bool:
        """Whether it imports ``statements`` (in whatever order: that order only says which
        statements come before the first fork)."""
        return set(self.statements) == set(statements)

    def matches(self, env: Mapping[str, str]) -> bool:
        mine = {k: v for k, v in self.env.items() if k not in PER_RUN_ENV}
        theirs = {k: v for k, v in env.items() if k not in PER_RUN_ENV}
        return mine == theirs

    def alive(self) -> bool:
        """Whether it forks kernels: ready, still running, and not refusing."""
        return self.ready and not self.refused and self.proc.poll() is None

    def spawn(self, cmd: list[str], env: Mapping[str, str], cwd: str, stderr_path: str | None) -> _ForkedProcess:
        """Fork a kernel for ``cmd`` (its arguments after ``-m ipykernel_launcher``); ``OSError``
        when the zygote is gone."""
        request = {"argv": cmd[3:], "env": dict(env), "cwd": cwd, "stderr": stderr_path}
        with self.lock:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if line.strip() == b"threads":
            self.refused = True
            raise OSError("the kernel zygote no longer forks: an import left a thread running")
        if not line.strip().isdigit():
            raise OSError("the kernel zygote did not answer")
        return _ForkedProcess(int(line))

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


_ZYGOTE: Zygote | None = None
_STATEMENTS: list[str] = []
_FIRST: int | None = None


def configure(statements: list[str], first: int | None = None) -> None:
    """Use a zygote that runs ``statements`` (import lines) for the kernels this process starts.
    It forks once it has run the first ``first`` of them (all when ``None``): put the first
    report's imports first and pass their number."""
    global _STATEMENTS, _FIRST
    _STATEMENTS, _FIRST = list(statements), first


def is_configured() -> bool:
    return bool(_STATEMENTS)


def zygote_for(cmd: list[str], env: Mapping[str, str], cwd: str) -> Zygote | None:
    """The zygote for a kernel launched with ``cmd`` (``python -m ipykernel_launcher -f ...``)
    in ``env``, started on first use; ``None`` when a normal launch is needed."""
    global _ZYGOTE
    if not _STATEMENTS or not available():
        return None
    if cmd[:3] != [sys.executable, "-m", "ipykernel_launcher"]:
        return None
    # a new zygote for other statements or another environment; one that refused to serve
    # (threads running after its imports) or died is not started again for the same: a zygote
    # that ended while kernels ran would take the next ones with it too
    if _ZYGOTE is not None and (not _ZYGOTE.serves(_STATEMENTS) or not _ZYGOTE.matches(env)):
        _ZYGOTE.close()
        _ZYGOTE = None
    if _ZYGOTE is None:
        _ZYGOTE = Zygote(_STATEMENTS, env, cwd, _FIRST)
    return _ZYGOTE if _ZYGOTE.alive() else None


def prestart(env: Mapping[str, str], cwd: str) -> None:
    """Start the zygote for the configured statements now, in the background, for kernels that
    will be launched in ``env``: its imports then overlap with the runner's own start (importing
    papermill and nbconvert, about 1 s). If the first kernel's environment turns out different,
    :func:`zygote_for` starts another zygote for it."""
    global _ZYGOTE
    if _STATEMENTS and available() and _ZYGOTE is None:
        _ZYGOTE = Zygote(_STATEMENTS, env, cwd, _FIRST)


def shutdown() -> None:
    """Stop the zygote (its kernels have been shut down by then). Also runs at exit; without it
    the zygote would still stop, when it reads the end of its closed stdin."""
    global _ZYGOTE
    if _ZYGOTE is not None:
        _ZYGOTE.close()
        _ZYGOTE = None


atexit.register(shutdown)


# --------------------------------------------------------------------------- the zygote itself

# what ipykernel itself loads while a kernel starts (its debugger, debugpy, IPython extensions),
# loaded once in the zygote: a forked kernel initialises in 0.08 s instead of 0.25 s. Not the
# inline matplotlib backend: importing it hooks it into the running IPython, which only exists in
# the kernel.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
                  "IPython.extensions.storemagic", "IPython.core.completerlib")


def _run(stmt: str) -> None:
    try:
        exec(compile(stmt, "<preload>", "exec"), {})
    except BaseException:  # noqa: BLE001 - the kernel will raise it where the notebook imports it;
        pass  # a SystemExit here must not end the zygote, whose kernels die with it


def _freeze() -> None:
    import gc

    gc.collect()
    gc.freeze()  # what the imports made is never collected: kernels neither scan it nor copy its pages


def _serve(statements: list[str], first: int) -> None:
    import importlib

    # the replies go to the runner on a copy of stdout; stdout itself goes nowhere, so what an
    # import prints cannot be taken for a reply
    reply_fd = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    replies = os.fdopen(reply_fd, "wb")

    for name in KERNEL_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # another ipykernel: it loads what it needs itself
            pass

    for stmt in statements[:first]:
        _run(stmt)
    if threading.active_count() > 1:
        # a library started a thread while being imported: forking now could copy a held lock
        replies.write(b"threads\n")
        replies.flush()
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    _freeze()
    replies.write(b"ready\n")
    replies.flush()
    refuse, zygote = False, os.getpid()
    die_with = _death_signal()
    for line in _requests(sys.stdin.fileno(), list(statements[first:])):
        refuse = refuse or threading.active_count() > 1  # a later import left a thread running
        if refuse:
            replies.write(b"threads\n")
            replies.flush()
            continue
        req = json.loads(line)
        sync_r, sync_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(sync_r)
                replies.close()
                die_with()
                if os.getppid() != zygote:  # the zygote ended before the death signal was set
                    os._exit(1)
                _become_kernel(req, sync_w)
            except BaseException:  # noqa: BLE001 - into the kernel's stderr (kernel.log), then out
                import traceback

                traceback.print_exc()
                sys.stderr.flush()
            finally:
                os._exit(1)
        os.close(sync_w)
        os.read(sync_r, 1)  # the child is in its own session before anyone may signal its group
        os.close(sync_r)
        replies.write(f"{pid}\n".encode())
        replies.flush()


def _requests(fd: int, later: list[str]):
    """The request lines from ``fd`` until its end. After the first request (the first report's
    kernel, which waits for nothing else), while no request is waiting, the ``later`` statements
    are run one by one (the list empties as they are), then frozen like the first."""
    buf, served = b"", False
    while True:
        while b"\n" not in buf:
            if served and later and not select.select([fd], [], [], 0)[0]:
                # with the normal SIGCHLD handling an import's own subprocesses expect
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _run(later.pop(0))
                signal.signal(signal.SIGCHLD, signal.SIG_IGN)
                if not later and threading.active_count() == 1:
                    _freeze()
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        yield line
        served = True


def _death_signal():
    """A function that has the calling process killed when its parent ends (Linux
    ``PR_SET_PDEATHSIG``), looked up once in the zygote. ipykernel's own watch on its parent
    misses a parent that dies while the kernel is still starting: it then waits for the kernel to
    be adopted by process 1, which never happens under a subreaper (a container's init, a
    desktop session, a CI runner)."""
    prctl = ctypes.CDLL(None).prctl  # fork and pidfd_open exist (available()): this is Linux
    return lambda: prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _become_kernel(req: dict[str, Any], sync_w: int) -> None:
    os.setsid()
    os.write(sync_w, b"1")
    os.close(sync_w)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    if req.get("stderr"):
        err = os.open(req["stderr"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(err, 2)
        os.close(err)
    else:
        os.dup2(null, 2)
    os.close(null)
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    # jupyter_client's launcher names the kernel's parent in JPY_PARENT_PID; ours is the zygote.
    # ipykernel read that variable when the zygote imported it, so it is passed as an option too.
    # The kernel then exits when the zygote is gone, and the zygote when the runner is (end of
    # its stdin): a killed runner leaves no kernels behind.
    parent = str(os.getppid())
    os.environ["JPY_PARENT_PID"] = parent
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # as in a new process: the global state from the OS
    import ipykernel_launcher

    sys.argv = [ipykernel_launcher.__file__, *req["argv"], f"--IPKernelApp.parent_handle={parent}"]
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
    # A race in ipykernel (seen with 7.4; posit-dev/positron#7142): after answering a shutdown
    # request, its control thread flushes stdout through the IOPub thread, while this thread goes
    # on to ipykernel's exit handler, which stops the IOPub thread first. The flush then waits for
    # its 10 s timeout until the kernel is terminated (by jupyter_client after 2.5 s by default,
    # after 1 s by the runner): one kernel in four to six took that much longer to stop. Stopped
    # and joined before the exit handler runs, the control thread is done in milliseconds (it
    # stops after the message it is handling, as in ipykernel's own close()).
    control = getattr(kernelapp.IPKernelApp.instance(), "control_thread", None)
    if control is not None and control.is_alive():
        control.stop()
        control.join(timeout=2)
    import atexit

    atexit._run_exitfuncs()  # what the interpreter does at exit; os._exit skips it
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    _serve(json.loads(sys.argv[1]), int(sys.argv[2]))

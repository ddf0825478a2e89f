"""A report's kernel: started the normal way by jupyter_client, stopped in two steps.

The runner starts each report's kernel itself (:func:`start_kernel`) and hands it to papermill,
which passes it on to nbclient (``NotebookClient(km=...)``). That lets it start the next report's
kernel before the previous report is rendered, and ask a finished kernel to exit
(:func:`request_stop`) but wait for that only after the rendering (:func:`stop_kernel`), as
jupyter_client's ``shutdown_kernel`` does in one go.

Kernels listen on IPC sockets in a private temporary folder, not on TCP ports, so two kernels
starting at once cannot race for the same port (papermill issues #511 and #239).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import List

from evaluatie.core.paths import root
from evaluatie.run.locks import IPC_PREFIX, mark_owner

__all__ = ["KERNEL_NAME", "SHUTDOWN_WAIT", "ReportKernelManager", "start_kernel", "request_stop", "stop_kernel"]

KERNEL_NAME = "python3"  # the interpreter running evaluatie (jupyter_client maps it to sys.executable)
# jupyter_client waits half of this for a kernel to exit after the shutdown request, then
# terminates it (and kills it after the other half). A report's kernel has nothing left to do by
# then; a healthy one exits in 0.3-1 s (its interpreter's teardown; measured on a busy 2-core
# machine), but ipykernel now and then hangs at exit, which would cost 2.5 s with jupyter_client's
# default of 5 s. The runner waits for the exit only after it has rendered the report.
SHUTDOWN_WAIT = 2.0
# what nbclient gives an ipykernel it starts itself: no history database on disk
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


class ReportKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, remembering the clients it hands out.

    nbclient closes its kernel client only when it created the kernel manager itself; for a
    manager it was given, :func:`request_stop` and :func:`stop_kernel` close them."""

    clients = List(help="the kernel clients made by client()")

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        self.clients.append(kc)
        return kc


def kernel_env(run_dir: Path | str) -> dict[str, str]:
    """What the runner adds to the environment of a report's kernel. ``PYTHONSAFEPATH``: the
    kernel (``python -m ipykernel_launcher``, started in the project root) and IPython would
    otherwise put its working directory first on ``sys.path``, so that a ``pandas.py`` in a
    folder someone handed over would be imported instead of pandas."""
    return {"EVALUATIE_RUN_DIR": str(run_dir), "EVALUATIE_ROOT": str(root()),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONSAFEPATH": "1"}


def start_kernel(run_dir: Path, cwd: Path) -> ReportKernelManager:
    """Start a report's kernel: IPC sockets and connection file in a private temporary folder,
    working directory ``cwd``, :func:`kernel_env` added to this process's environment, and the
    kernel's own stderr (log lines such as 'KeyboardInterrupt caught in kernel') to
    ``run_dir/kernel.log``. Returns as soon as the process is started, before it is ready."""
    ipc = tempfile.mkdtemp(prefix=IPC_PREFIX)  # short: a Unix socket path is limited to ~107 characters
    mark_owner(ipc)  # so that a later run can remove the folder if this command is killed (locks.sweep)
    km = ReportKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(ipc, "k"),
                             connection_file=os.path.join(ipc, "kernel.json"), shutdown_wait_time=SHUTDOWN_WAIT)
    try:
        with open(Path(run_dir) / "kernel.log", "ab") as log:  # the kernel keeps its own copy
            run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=str(cwd),
                                      env={**os.environ, **kernel_env(run_dir)}, stderr=log)
    except BaseException:
        stop_kernel(km, now=True)
        raise
    return km


def _close_clients(km: ReportKernelManager) -> None:
    for kc in km.clients:
        kc.stop_channels()
    km.clients.clear()


def request_stop(km: ReportKernelManager) -> None:
    """Close the kernel's clients and ask it to exit (interrupt, then the shutdown request: the
    first half of ``shutdown_kernel``), without waiting for it."""
    _close_clients(km)
    if km.has_kernel:
        run_sync(km.interrupt_kernel)()
        run_sync(km.request_shutdown)()


def stop_kernel(km: ReportKernelManager, now: bool = False) -> None:
    """Wait for the kernel to exit (terminated ``SHUTDOWN_WAIT / 2`` s after this call, killed
    after ``SHUTDOWN_WAIT`` s), or kill it ``now``; free its sockets and files."""
    _close_clients(km)
    try:
        if km.has_kernel:
            if now:
                run_sync(km.shutdown_kernel)(now=True)
            else:
                run_sync(km.finish_shutdown)()
        run_sync(km.cleanup_resources)()
    finally:
        shutil.rmtree(os.path.dirname(km.connection_file), ignore_errors=True)

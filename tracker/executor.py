"""The executor for work spread over processes or machines: a Dask distributed cluster.

`cluster(workers=N)` starts a local cluster of N worker processes on this machine, listening on
127.0.0.1 only; `cluster(scheduler="tcp://host:8786")` joins any running Dask cluster (`dask scheduler`
and `dask worker` on several machines, Kubernetes, YARN) instead. Either way each worker has the models
loaded once, when it joins (`Warm`, a worker plugin; a local cluster's workers on Linux are forked from
a process that loaded them already, `_preload_forkserver`), and runs the same functions. `ordered` hands
out the work a bounded number of tasks ahead and gives the results back in the order the work was given,
so the one writer (the caller) stores them in an order that does not depend on which worker finished
first.

Used by `tracker backfill` (chunks of web archives) and `tracker extract --workers N` (stored articles).
"""

from __future__ import annotations

import logging
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import TrackerError

#: How long joining a cluster at --scheduler may take before it is an error, in seconds.
CONNECT_TIMEOUT = 30

#: What the forkserver of a local cluster imports before forking any worker (it loads the models).
PRELOAD = "tracker.warmup"


class ExecutorError(TrackerError):
    """The cluster cannot be started or reached, or its workers run another tracker."""


def _plugin_class():
    from distributed import WorkerPlugin

    class Warm(WorkerPlugin):
        """Loads the models in each worker as it joins, so no task pays for them (and memory is known)."""

        name = "tracker-warm"

        def __init__(self, scan: bool):
            self.scan = scan

        def setup(self, worker: Any) -> None:
            from .backfill.work import warm

            warm(scan=self.scan)

    return Warm


@contextmanager
def cluster(workers: int = 1, scheduler: str | None = None, *, scan: bool = True) -> Iterator[Any]:
    """A Dask client: on a local cluster of `workers` processes, or on the cluster at `scheduler`.

    `scan`: the workers also build the backfill's scan automaton when they start."""
    import dask
    from distributed import Client, LocalCluster

    local = None
    # nothing of Dask's own looks beyond this machine: no dashboard, no outside address lookups
    with dask.config.set({"distributed.scheduler.work-stealing": True,
                          "distributed.worker.profile.enabled": False,
                          "distributed.worker.multiprocessing-method": _start_method()}):
        try:
            if scheduler:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            else:
                _preload_forkserver()
                local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None, silence_logs=logging.ERROR)
                client = Client(local, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            if local is not None:
                local.close()
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise ExecutorError(f"cannot reach {where}: {exc}") from None
        try:
            if not client.scheduler_info().get("workers"):
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            client.register_plugin(_plugin_class()(scan))
            yield client
        except TimeoutError:
            raise ExecutorError(f"the Dask scheduler at {scheduler} has no worker") from None
        finally:
            client.close()
            if local is not None:
                local.close()


def _start_method() -> str:
    """How a local cluster starts its worker processes: from a forkserver on Linux, else by spawning each."""
    return "forkserver" if sys.platform.startswith("linux") else "spawn"


def _preload_forkserver() -> None:
    """Have the forkserver load the models (PRELOAD) before it forks the first worker.

    Spawned, each worker loads the models itself (about 11 s of one core, and 1 GB): N workers starting
    together share the cores and take longer than one. Forked from a process that loaded them once, they
    start in a fraction of a second, whatever N. The forkserver is itself a fresh single-threaded process
    (unlike this one, which runs Dask's event loop in a thread), started with the environment Dask sets for
    workers (one BLAS thread each), so forking it is safe. Applies to the forkserver this process starts
    first; later clusters fork from the same one."""
    if _start_method() != "forkserver":
        return
    from distributed.utils import get_mp_context

    ctx = get_mp_context()  # Dask names what it preloads here, the first time; what we name replaces it
    ctx.set_forkserver_preload(["distributed", PRELOAD])


def worker_count(client: Any) -> int:
    return len(client.scheduler_info().get("workers", {})) or 1


def check_versions(client: Any, version: str) -> None:
    """Every worker must read with the extractor this process stores under (same package, same model)."""
    from .events.extraction import default_extractor

    found = client.run(lambda: default_extractor()[1])
    other = {addr: v for addr, v in found.items() if v != version}
    if other:
        addr, v = next(iter(sorted(other.items())))
        raise ExecutorError(f"worker {addr} reads with extractor {v}, this tracker with {version}: "
                            "install the same tracker on every worker")


def ordered(client: Any, fn: Callable, items: Iterable, *args: Any, ahead: int | None = None
            ) -> Iterator[tuple[Any, Any, BaseException | None]]:
    """(item, result, None) or (item, None, error) for each item of `items`, in their order.

    At most `ahead` tasks (default: twice the workers, plus one) are out at once, and the next one is
    handed out before a result is given back, so the workers keep busy while the caller stores it."""
    ahead = ahead or 2 * worker_count(client) + 1
    source = iter(items)
    out: deque = deque()

    def submit() -> bool:
        for item in source:
            out.append((item, client.submit(fn, item, *args, pure=False, retries=1)))
            return True
        return False

    while len(out) < ahead and submit():
        pass
    while out:
        item, future = out.popleft()
        try:
            result, error = future.result(), None
        except Exception as exc:  # noqa: BLE001 - a failed task is the caller's to count, never the end of the run
            result, error = None, exc
        future.release()
        submit()
        yield item, result, error

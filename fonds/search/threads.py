"""Worker threads that a search hands its counting to, safe across fork.

Both engines count facets on other threads while the searching thread ranks the page. A
web server may fork its workers after a warm-up search: the threads of the parent's pool
do not exist in the child, whose counts would wait on them for ever. So the pool is made
on first use, and made again in a process that is not the one that made it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class ForkSafeThreads:
    """A thread pool of `workers` threads, made on first use in each process."""

    def __init__(self, workers: int, name: str) -> None:
        self.workers = workers
        self.name = name
        self._pool: ThreadPoolExecutor | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix=self.name)
                self._pid = os.getpid()
            return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self) -> None:
        """Wait for what was submitted and let the threads go (a new submit makes more)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None and self._pid == os.getpid():
            pool.shutdown(wait=True)

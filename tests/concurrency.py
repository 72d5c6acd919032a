"""The same work started at the same moment in several threads, as two tabs, a double click or two
agents do: what the PostgreSQL row-lock tests run."""

import threading

from django.db import connections


def run_at_once(*calls) -> list:
    """Call each of `calls` in a thread of its own, all released together, each thread on its own
    database connection (closed when it ends). Returns, in the order of `calls`, what each returned or
    the exception it raised."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - returned for the test to look at
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results

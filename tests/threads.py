"""Running a test's work in parallel threads released together, with failures reported in the test."""
import threading


def run_together(work, workers):
    """Run ``work(arg, barrier)`` in one thread per item of ``workers``, all sharing one barrier.

    An exception in a thread aborts the barrier (so no thread waits for ever) and fails the test with
    the exception's text; every thread must end within two minutes.
    """
    barrier = threading.Barrier(len(workers))
    failures = []

    def run(arg):
        try:
            work(arg, barrier)
        except Exception as exc:  # reported in the main thread
            failures.append(repr(exc))
            barrier.abort()

    threads = [threading.Thread(target=run, args=(arg,)) for arg in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads)

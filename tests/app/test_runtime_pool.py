"""The pool for work after an ack holds a bounded queue: under overload, whoever hands on work waits."""

import threading

from app.runtime import AFTER_ACK_QUEUE, AFTER_ACK_THREADS, Runtime


def test_after_ack_queue_is_bounded(runtime: Runtime):
    release = threading.Event()
    for _ in range(AFTER_ACK_THREADS + AFTER_ACK_QUEUE):
        runtime.after_ack.submit(release.wait)
    one_more = threading.Thread(target=runtime.after_ack.submit, args=(lambda: None,), daemon=True)
    one_more.start()
    one_more.join(0.5)
    assert one_more.is_alive(), "a full pool took more work instead of making its caller wait"
    release.set()
    one_more.join(5)
    assert not one_more.is_alive()

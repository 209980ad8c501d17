"""The pool for work after an ack holds a bounded queue: when it is full, whoever hands on work does it."""

import threading

from app.platform.runtime import AFTER_ACK_QUEUE, AFTER_ACK_THREADS, Runtime


def test_a_full_after_ack_queue_makes_the_caller_do_the_work(runtime: Runtime):
    release = threading.Event()
    waiting = [runtime.after_ack.submit(release.wait) for _ in range(AFTER_ACK_THREADS + AFTER_ACK_QUEUE)]
    ran_in = []
    runtime.after_ack.submit(lambda: ran_in.append(threading.current_thread()))
    assert ran_in == [threading.current_thread()], "a full pool queued more work instead of handing it back"
    assert runtime.after_ack._work_queue.qsize() == AFTER_ACK_QUEUE
    release.set()
    for future in waiting:
        future.result(5)
    runtime.after_ack.submit(lambda: ran_in.append(threading.current_thread())).result(5)
    assert ran_in[-1] is not threading.current_thread()  # room again: back on the pool

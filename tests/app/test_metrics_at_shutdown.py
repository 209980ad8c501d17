"""A metric written after gunicorn's master removed the multiprocess directory (a job finishing while
`serve` stops) is dropped quietly: the job it measures does not fail and nothing logs a traceback."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import shutil, tempfile
from app.platform.observability import record_api_error, record_sweep, share_metrics_between_processes
folder = tempfile.mkdtemp()
share_metrics_between_processes(folder)
shutil.rmtree(folder)
record_sweep(0.5, 1, 0, 0, 0)
record_api_error("chat.postMessage", "ratelimited")
print("finished")
"""


def test_metrics_written_after_the_directory_went_are_dropped():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "finished", "")

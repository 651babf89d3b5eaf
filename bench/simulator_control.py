"""Start the billing/OSS simulator for a benchmark and turn its knobs."""

import contextlib
import socket
import subprocess
import sys
import time

import requests
from common import REPO_ROOT


@contextlib.contextmanager
def simulator(url):
    """The simulator at ``url``, or a fresh one started on a free port."""
    if url:
        yield url.rstrip("/")
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/api/v1/health", timeout=1).ok:
                    break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def knobs(url, **values):
    """Set the simulator's knobs: ``values``, every other one back to normal."""
    base = {
        "latency_ms": 0,
        "latency_jitter_ms": 0,
        "error_rate": 0.0,
        "outage": False,
        "malformed_rate": 0.0,
        "oversized": False,
        "xml_bomb": False,
    }
    requests.post(
        f"{url}/__admin/config", json={**base, **values}, timeout=10
    ).raise_for_status()

"""Benchmark: the chat server under load — 50 concurrent and 200 sequential ``/chat`` calls.

Starts ``citechat chat`` in its own process on a temporary store (the bundled article), then calls its
``/chat`` endpoint with gradio_client: 50 clients at once, then 200 calls one after another. Prints latency
p50 / p95, how many answers were right, and the server's resident memory before and after.

    python bench/load.py [--concurrent 50] [--sequential 200]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [("Quels cadeaux Kim a-t-il reçus ?", "drones explosifs"),
             ("How far is the cosmodrome from Moscow?", "8 000 kilomètres"),
             ("Qui est Kozlov ?", "Kozlov"),
             ("Quand la tournée de Kim a-t-elle débuté ?", "mardi")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--sequential", type=int, default=200)
    args = parser.parse_args()
    from gradio_client import Client

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CITECHAT_STORE__PATH": str(Path(tmp) / "chroma"), "HF_HUB_OFFLINE": "1"}
        citechat = Path(sys.executable).with_name("citechat")
        subprocess.run([str(citechat), "ingest"], env=env, check=True, capture_output=True)
        server = subprocess.Popen([str(citechat), "chat", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 180
            while True:
                try:
                    client = Client(url, verbose=False)
                    break
                except Exception:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the chat server did not start") from None
                    time.sleep(1)

            def call(number: int) -> tuple[float, bool]:
                question, expected = QUESTIONS[number % len(QUESTIONS)]
                started = time.perf_counter()
                result = Client(url, verbose=False).predict(message=question, api_name="/chat")
                return time.perf_counter() - started, expected in result["text"]

            call(0)  # warm
            before = rss_mb(server.pid)
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrent) as pool:
                concurrent = list(pool.map(call, range(args.concurrent)))
            wall = time.perf_counter() - started
            sequential = []
            for number in range(args.sequential):
                question, expected = QUESTIONS[number % len(QUESTIONS)]
                t = time.perf_counter()
                result = client.predict(message=question, api_name="/chat")
                sequential.append((time.perf_counter() - t, expected in result["text"]))
            after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)

    for label, rows, extra in (("concurrent", concurrent, f"wall {wall:.1f} s"), ("sequential", sequential, "")):
        seconds = [s for s, _ in rows]
        right = sum(ok for _, ok in rows)
        print(f"{label:11} {len(rows):4} calls  p50 {statistics.median(seconds) * 1000:7.0f} ms  "
              f"p95 {percentile(seconds, 0.95) * 1000:7.0f} ms  right {right}/{len(rows)}  {extra}")
    print(f"server memory  {before:.0f} MB before, {after:.0f} MB after ({after - before:+.0f} MB)")


if __name__ == "__main__":
    main()

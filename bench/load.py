"""Load on a real `talkrag serve` over loopback: latency p50/p95, errors, server memory over time.

    python -m bench.load [--db DIR] [--requests 300] [--concurrency 20]

Without --db it ingests transcripts/ into a temporary index first. The mix is the API's
three answer routes: /v1/ask, /v1/chat (streamed) and /v1/chat/completions.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = (
    "Why did sharding by document id make queries slow?",
    "What is the first trap when people evaluate retrieval?",
    "How does prompt caching change costs?",
    "What happens to tools that write or delete data?",
    "How should GPU inference requests be batched?",
    "When is fine-tuning a small model worth it?",
)


@dataclass
class LoadReport:
    """What one run measured."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: list[str] = field(default_factory=list)
    rss_kib: list[tuple[float, int]] = field(default_factory=list)  # (seconds in, RSS)
    seconds: float = 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return 1000 * ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_kib(pid: int) -> int:
    """A process's resident memory in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def devset_questions() -> tuple[str, ...]:
    """The development set's questions (evals/datasets/dev.jsonl), for an index of its talks."""
    lines = (REPO / "evals" / "datasets" / "dev.jsonl").read_text().splitlines()
    return tuple(json.loads(line)["question"] for line in lines if line.strip())


def _one(client: httpx.Client, i: int, questions: tuple[str, ...]) -> None:
    """One request of the mix; raises on anything but a complete, successful answer."""
    question = questions[i % len(questions)]
    kind = i % 6
    if kind == 4:
        body = {"messages": [{"role": "user", "content": question}]}
        with client.stream("POST", "/v1/chat", json=body) as r:
            text = r.read().decode()
            r.raise_for_status()
        if "event: done" not in text:
            raise RuntimeError("stream ended early")
    elif kind == 5:
        body = {"model": "talkrag", "messages": [{"role": "user", "content": question}]}
        r = client.post("/v1/chat/completions", json=body)
        r.raise_for_status()
        r.json()["choices"][0]["message"]["content"]
    else:
        r = client.post("/v1/ask", json={"question": question})
        r.raise_for_status()


def run_load(
    url: str,
    requests: int,
    concurrency: int,
    pid: int | None = None,
    questions: tuple[str, ...] = QUESTIONS,
) -> LoadReport:
    """Send `requests` requests, `concurrency` at a time; sample the server's RSS meanwhile."""
    report, done = LoadReport(), threading.Event()
    began = time.perf_counter()

    def sample() -> None:
        while pid and not done.is_set():
            report.rss_kib.append((time.perf_counter() - began, rss_kib(pid)))
            done.wait(0.5)

    def timed(client: httpx.Client, i: int) -> None:
        start = time.perf_counter()
        try:
            _one(client, i, questions)
        except (httpx.HTTPError, RuntimeError, KeyError, ValueError) as exc:
            report.errors.append(f"{type(exc).__name__}: {exc}")
            return
        report.latencies.append(time.perf_counter() - start)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    limits = httpx.Limits(max_connections=concurrency)
    with (
        httpx.Client(base_url=url, timeout=300, limits=limits) as client,
        ThreadPoolExecutor(concurrency) as pool,
    ):
        list(pool.map(lambda i: timed(client, i), range(requests)))
    report.seconds = time.perf_counter() - began
    done.set()
    sampler.join()
    if pid:
        report.rss_kib.append((report.seconds, rss_kib(pid)))
    return report


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [sys.executable, "-m", "talkrag", "serve", "--db", str(db), "--port", str(port)]
    proc = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def _print(report: LoadReport, requests: int, concurrency: int) -> None:
    ok = len(report.latencies)
    print(f"{requests} requests, {concurrency} concurrent: {ok} ok, {len(report.errors)} errors")
    print(f"throughput {ok / report.seconds:.1f} req/s over {report.seconds:.1f} s")
    print(
        "latency ms: "
        + ", ".join(f"p{p} {report.percentile(p):.0f}" for p in (50, 95, 99))
        + f", max {1000 * max(report.latencies, default=0):.0f}"
    )
    rss = report.rss_kib
    if rss:
        marks = [rss[0], rss[len(rss) // 4], rss[len(rss) // 2], rss[3 * len(rss) // 4], rss[-1]]
        print("server RSS MiB: " + ", ".join(f"{t:.0f}s {kib / 1024:.0f}" for t, kib in marks))
    for error in report.errors[:5]:
        print("error:", error)


def main() -> None:
    """Build (or take) an index, serve it, warm up, load it, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing index (default: ingest transcripts/)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--devset", action="store_true", help="ask the dev set's questions (index its talks)"
    )
    args = parser.parse_args()
    questions = devset_questions() if args.devset else QUESTIONS
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "db"
        if args.db is None:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "talkrag",
                    "ingest",
                    str(REPO / "transcripts"),
                    "--db",
                    str(db),
                ],
                check=True,
                capture_output=True,
            )
        proc, url = _serve(db, Path(tmp) / "server.log")
        try:
            run_load(url, 2 * args.concurrency, args.concurrency)  # warm-up: not measured
            _print(
                run_load(url, args.requests, args.concurrency, proc.pid, questions),
                args.requests,
                args.concurrency,
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()

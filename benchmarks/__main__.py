"""bin/bench NAME [--data DIR]: benchmarks that print figures and ratios."""
from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.common import TEAM_DATA

BENCHES = {
    "import": "benchmarks.import_bench",
    "processors": "benchmarks.processors_bench",
    "chain": "benchmarks.chain_bench",
    "worker": "benchmarks.worker_bench",
    "faults": "benchmarks.faults_bench",
    "load": "benchmarks.load_bench",
    "console": "benchmarks.console_bench",
    "features": "benchmarks.feature_experiments",
    "tuning": "benchmarks.tuning",
    "feeds": "benchmarks.feeds_bench",
    "availability": "benchmarks.availability_bench",
    "call-margin": "benchmarks.call_margin",
    "news": "benchmarks.news_bench",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="bin/bench", description=__doc__)
    parser.add_argument("name", choices=sorted(BENCHES))
    parser.add_argument("--data", type=Path, default=TEAM_DATA, help="folder with player_logs/ (team data)")
    args = parser.parse_args()
    module = __import__(BENCHES[args.name], fromlist=["run"])
    module.run(args.data)


if __name__ == "__main__":
    main()

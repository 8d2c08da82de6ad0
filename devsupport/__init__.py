"""What tests and benchmarks both use (emulators, free ports, the fault harness), so that
neither imports the other. Never imported by the services or the CLI."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

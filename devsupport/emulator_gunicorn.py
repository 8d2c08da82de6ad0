"""gunicorn config for the emulator topology only (tests and the README's manual run)."""
import devsupport.emulator_patch  # noqa: F401

workers = 1
threads = 8
timeout = 0

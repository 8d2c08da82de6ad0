"""Model registry on the object store and native model formats (never pickle)."""
from pathlib import Path

# the fallback models shipped with every image: {prop}_{system}/ as the registry lays out a version
BUNDLED = Path(__file__).resolve().parent / "bundled"

"""Model registry on the object store and native model formats (never pickle)."""

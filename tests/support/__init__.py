"""What tests of several components share: builders and helpers that are plain functions or
classes (fixtures live in tests/conftest.py). A test imports these from here, never from
another package's conftest or test module."""

"""Lazy, verified, hot-swappable model loading.

On first use a model is read from the registry (latest.json -> version -> bytes), its
sha256 checked against the pointer and its schema against the feature store's version.
It is cached per instance; ``refresh`` polls latest.json and swaps in a new champion
atomically. When the registry is unreachable or invalid, the bundled model shipped in
shared/models/bundled/ is used and every row says so (model_source = "bundled")."""
from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import catboost  # noqa: F401 - imported at boot, so a cold worker's first request does not pay for it
import xgboost  # noqa: F401

from shared import documents
from shared.features import FEATURE_VERSION, VECTORS
from shared.models import BUNDLED, native
from shared.models.registry import Registry
from shared.models.weights import EnsembleWeights

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Loaded:
    name: str
    version: str
    source: str          # registry | bundled
    model: Any           # a native.Model; for a blend (``ModelProvider.weights``) its weights document
    schema: dict
    sha256: str
    valid_mae: float | None = None


class ModelUnavailable(RuntimeError):
    """Neither the registry nor the bundle has a usable model of that name."""


def _check_schema(schema: dict, name: str) -> None:
    known = VECTORS.get(str(schema.get("feature_version")))
    if known is None or schema.get("features") != list(known):
        raise native.InvalidModel(f"{name}: schema is for feature version {schema.get('feature_version')!r}, "
                                  f"the workers serve {' or '.join(map(repr, VECTORS))} (now {FEATURE_VERSION!r})")


class ModelProvider:
    def __init__(self, registry: Registry | None, bundled_dir: Path = BUNDLED, poll_seconds: float = 300.0,
                 clock=time.monotonic, compile_trees: bool = True):
        self.registry = registry
        self.bundled_dir = Path(bundled_dir)
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._models: dict[str, Loaded | None] = {}   # None: "no challenger", cached like a model
        self._checked: dict[str, float] = {}
        self._errors: dict[str, str] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        # one thread compiles models' trees (shared/models/compiled.py) off the request path
        self._compiler = ThreadPoolExecutor(1, thread_name_prefix="compile") if compile_trees else None

    def _lock_for(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def get(self, name: str, kind: str) -> Loaded:
        current = self._models.get(name)
        due = current is None or self.clock() - self._checked.get(name, 0) >= self.poll_seconds
        if due:
            with self._lock_for(name):
                current = self._models.get(name)
                if current is None or self.clock() - self._checked.get(name, 0) >= self.poll_seconds:
                    self._models[name] = current = self._load(name, kind, current)
                    self._checked[name] = self.clock()
        assert current is not None   # a model's load falls back to the bundle or raises
        return current

    def challenger(self, name: str, kind: str) -> Loaded | None:
        """The challenger, when the registry names one; never a fallback (shadow rows are optional)."""
        key = f"{name}#challenger"
        current = self._models.get(key)
        # "no challenger" is an answer too, cached for the poll interval like a model
        if key not in self._models or self.clock() - self._checked.get(key, 0) >= self.poll_seconds:
            with self._lock_for(key):
                try:
                    loaded = self._from_registry(name, kind, current, which="challenger")
                except Exception as exc:
                    if not isinstance(exc, ModelUnavailable):
                        log.error("challenger %s unusable: %s", name, exc, extra={"model": name})
                    loaded = None
                self._models[key], self._checked[key] = loaded, self.clock()
                current = loaded
        return current

    def weights(self, name: str) -> Loaded:
        """A blend's weights (``model`` is the weights document): the registry's champion when
        there is one, else the bundled copy; polled like the models."""
        key = f"{name}#weights"
        current = self._models.get(key)
        if current is None or self.clock() - self._checked.get(key, 0) >= self.poll_seconds:
            with self._lock_for(key):
                try:
                    current = self._weights_from_registry(name, current)
                except ModelUnavailable:
                    current = current if current is not None and current.source == "bundled" else None
                except Exception as exc:
                    log.error("weights %s: registry unusable, using the bundled weights: %s", name, exc,
                              extra={"model": name, "alert": "model_fallback"})
                    current = None
                if current is None:
                    path = self.bundled_dir / name / "weights.json"
                    doc = documents.parse(EnsembleWeights, str(path), path.read_bytes())
                    current = Loaded(name, f"bundled-{doc.version}", "bundled", doc, {}, "", doc.valid_mae)
                self._models[key], self._checked[key] = current, self.clock()
        return current

    def _weights_from_registry(self, name: str, current: Loaded | None) -> Loaded:
        if self.registry is None or (pointer := self.registry.pointer(name)) is None:
            raise ModelUnavailable(f"{name}: no latest.json in the registry")
        if current is not None and current.source == "registry" and current.version == str(pointer.version):
            return current
        data = self.registry.store.read(f"models/{name}/v{pointer.version}/weights.json").data
        if native.sha256(data) != pointer.sha256:
            raise native.InvalidModel(f"{name} v{pointer.version}: sha256 does not match latest.json")
        doc = documents.parse(EnsembleWeights, f"models/{name}/v{pointer.version}/weights.json", data)
        return Loaded(name, str(pointer.version), "registry", doc, {}, pointer.sha256, doc.valid_mae)

    def prefetch(self, wanted: list[tuple[str, str]], threads: int = 4) -> None:
        """Load the (name, kind) models not loaded yet side by side: a cold worker's first request
        needs all ten, and reading, checking and parsing them overlap well."""
        missing = [nk for nk in wanted if nk[0] not in self._models]
        if len(missing) < 2:
            return

        def load(name_kind: tuple[str, str]) -> None:
            try:
                self.get(*name_kind)
            except Exception:   # noqa: BLE001 - the request's own call raises it, with its context
                return

        with ThreadPoolExecutor(min(threads, len(missing)), thread_name_prefix="prefetch") as pool:
            list(pool.map(load, missing))

    def _compiling(self, model: native.Model) -> native.Model:
        """Compile the model's trees in the background once it serves small calls (native.Model)."""
        compiler = self._compiler
        if compiler is not None:
            model.when_small = lambda m: compiler.submit(m.compile)
        return model

    def compiled(self, timeout: float = 60) -> None:
        """Wait until every compile asked for so far has finished (benchmarks and tests)."""
        if self._compiler is not None:
            self._compiler.submit(lambda: None).result(timeout=timeout)

    def refresh(self) -> None:
        """Poll every cached model's pointer now (tests, and the retrain hand-off)."""
        for name in list(self._models):
            self._checked[name] = float("-inf")

    def _load(self, name: str, kind: str, current: Loaded | None) -> Loaded:
        try:
            return self._from_registry(name, kind, current)
        except ModelUnavailable as exc:   # nothing registered yet: expected on a fresh install
            self._errors[name] = f"{type(exc).__name__}: {exc}"
            log.warning("model %s: no champion in the registry, using the bundled model: %s", name, exc,
                        extra={"model": name, "notice": "bundled_model"})
        except Exception as exc:  # any other registry failure falls back; the reason is kept for /health/deep
            self._errors[name] = f"{type(exc).__name__}: {exc}"
            log.error("model %s: registry unusable, using the bundled model: %s", name, exc,
                      extra={"model": name, "alert": "model_fallback"})
        if current is not None and current.source == "bundled":
            return current
        return self._from_bundle(name, kind)

    def _from_registry(self, name: str, kind: str, current: Loaded | None, which: str = "latest") -> Loaded:
        if self.registry is None:
            raise ModelUnavailable("no registry configured")
        pointer = self.registry.pointer(name, which)
        if pointer is None:
            raise ModelUnavailable(f"{name}: no {which}.json in the registry")
        if current is not None and current.source == "registry" and current.version == str(pointer.version):
            return current
        data = self.registry.read_model(name, pointer.version, kind)
        if native.sha256(data) != pointer.sha256:
            raise native.InvalidModel(f"{name} v{pointer.version}: sha256 does not match latest.json")
        schema = self.registry.read_json(name, pointer.version, "schema.json")
        _check_schema(schema, name)
        model = self._compiling(native.load(kind, data, schema["features"]))
        if which == "latest":
            self._errors.pop(name, None)
        if current is not None:
            log.info("model %s swapped to v%s", name, pointer.version, extra={"model": name})
        try:
            valid_mae = self.registry.read_json(name, pointer.version, "metrics.json")["valid"]["mae"]
        except (KeyError, ValueError, TypeError):
            valid_mae = None
        return Loaded(name, str(pointer.version), "registry", model, schema, pointer.sha256, valid_mae)

    def _from_bundle(self, name: str, kind: str) -> Loaded:
        loaded = load_bundled(self.bundled_dir, name, kind)
        self._compiling(loaded.model)
        return loaded

    def status(self) -> dict:
        return {name: {"version": m.version, "source": m.source, "error": self._errors.get(name),
                       "valid_mae": m.valid_mae, "prop": m.schema.get("prop"), "system": m.schema.get("system")}
                for name, m in self._models.items() if m is not None and "#" not in name}


def load_bundled(bundled_dir: Path, name: str, kind: str) -> Loaded:
    """The bundled copy of a model, checked as the worker checks it before serving it.
    ModelUnavailable when there is none or it fails its checksum; InvalidModel when its
    schema is not the feature store's."""
    folder = Path(bundled_dir) / name
    try:
        schema = json.loads((folder / "schema.json").read_text())
        data = (folder / f"model.{native.FORMATS[kind]}").read_bytes()
    except FileNotFoundError:
        raise ModelUnavailable(f"{name}: not in the registry and no bundled copy in {folder}") from None
    if native.sha256(data) != schema.get("sha256"):
        raise ModelUnavailable(f"{name}: bundled model fails its sha256 check")
    _check_schema(schema, name)
    try:
        valid_mae = json.loads((folder / "metrics.json").read_text())["valid"]["mae"]
    except (FileNotFoundError, KeyError, ValueError):
        valid_mae = None
    return Loaded(name, f"bundled-v{schema.get('version', 0)}", "bundled",
                  native.load(kind, data, schema["features"]), schema, schema["sha256"], valid_mae)

"""The model registry in the object store.

models/{name}/v{N}/model.{ubj|cbm}, metrics.json, schema.json
models/{name}/latest.json     {version, sha256, updated_at}   the champion
models/{name}/registry_log/…  one entry per registration decision

Versions are claimed create-only (``v{N}/claim.json`` with if_generation_match=0), so
concurrent training runs never share a version; the champion pointer moves by CAS.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.catalogue import MODEL_NAMES, WEIGHTS_NAMES
from shared.models.native import FORMATS, InvalidModel, sha256
from shared.ports import NotFound, ObjectStore, PreconditionFailed

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_VERSION = re.compile(r"^[vV]?([0-9]{1,6})$")


def parse_version(text: str) -> int:
    """A version as the tools print it ("v3") or as a number ("3")."""
    m = _VERSION.match(str(text).strip())
    if not m or int(m.group(1)) == 0:
        raise ValueError(f"version {str(text)[:20]!r}: a registered version such as v3 (or 3)")
    return int(m.group(1))


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"model name {name!r}: lowercase letters, digits and _ only")
    return name


@dataclass(frozen=True)
class Pointer:
    version: int
    sha256: str
    updated_at: str
    generation: int


class Registry:
    def __init__(self, store: ObjectStore):
        self.store = store

    def _key(self, name: str, rest: str) -> str:
        return f"models/{check_name(name)}/{rest}"

    def versions(self, name: str) -> list[int]:
        found = set()
        for key in self.store.list(self._key(name, "v")):
            m = re.match(rf"models/{name}/v(\d+)/", key)
            if m:
                found.add(int(m.group(1)))
        return sorted(found)

    def claim_version(self, name: str) -> int:
        version = (max(self.versions(name)) if self.versions(name) else 0) + 1
        while True:
            try:
                self.store.write(self._key(name, f"v{version}/claim.json"),
                                 json.dumps({"claimed_at": _now()}).encode(), if_generation_match=0)
                return version
            except PreconditionFailed:
                version += 1

    def put(self, name: str, version: int, kind: str, model: bytes, metrics: dict, schema: dict) -> str:
        digest = sha256(model)
        self.store.write(self._key(name, f"v{version}/model.{FORMATS[kind]}"), model)
        self.store.write(self._key(name, f"v{version}/metrics.json"), json.dumps(metrics, indent=1).encode())
        self.store.write(self._key(name, f"v{version}/schema.json"),
                         json.dumps({**schema, "sha256": digest}, indent=1).encode())
        return digest

    def read_json(self, name: str, version: int, file: str) -> dict:
        return json.loads(self.store.read(self._key(name, f"v{version}/{file}")).data)

    def read_model(self, name: str, version: int, kind: str) -> bytes:
        key = self._key(name, f"v{version}/model.{FORMATS[kind]}")
        try:
            return self.store.read(key).data
        except NotFound:
            raise InvalidModel(f"{name} v{version}: the pointer names it but {key} is missing") from None

    def pointer(self, name: str, which: str = "latest") -> Pointer | None:
        try:
            blob = self.store.read(self._key(name, f"{which}.json"))
        except NotFound:
            return None
        doc = json.loads(blob.data)
        return Pointer(int(doc["version"]), doc["sha256"], doc["updated_at"], blob.generation)

    def set_pointer(self, name: str, version: int, digest: str, expected: Pointer | None, which: str = "latest",
                    extra: dict | None = None) -> None:
        """Move the pointer only if nobody moved it since ``expected`` was read."""
        doc = {"version": version, "sha256": digest, "updated_at": _now(), **(extra or {})}
        self.store.write(self._key(name, f"{which}.json"), json.dumps(doc).encode(),
                         if_generation_match=expected.generation if expected else 0)

    def log(self, name: str, entry: dict) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        self.store.write(self._key(name, f"registry_log/{stamp}.json"), json.dumps(entry).encode())

    def promote(self, name: str, version: int, reason: str, by: str, challenger: bool = False) -> dict:
        """Move the champion (or challenger) pointer to a registered version and log who, when
        and why; rolling back is promoting an older version. ValueError names what is wrong;
        PreconditionFailed means the pointer moved meanwhile (try again)."""
        from shared.models.native import sha256

        if name not in MODEL_NAMES + WEIGHTS_NAMES:
            raise ValueError(f"model {name[:80]!r} is unknown: one of {', '.join(MODEL_NAMES + WEIGHTS_NAMES)}")
        if not reason.strip():
            raise ValueError("reason: say why (it is kept in the registry log)")
        try:
            if name in WEIGHTS_NAMES:
                data = self.store.read(self._key(name, f"v{version}/weights.json")).data
            else:
                schema = self.read_json(name, version, "schema.json")
                data = self.read_model(name, version, schema["system"])
        except (NotFound, InvalidModel, KeyError, ValueError) as exc:
            registered = ", ".join(f"v{v}" for v in self.versions(name)) or "none yet (`bin/pipeline train` adds one)"
            raise ValueError(f"{name} v{version} is not in the registry ({exc}); registered versions: "
                             f"{registered}") from None
        which = "challenger" if challenger else "latest"
        current = self.pointer(name, which)
        self.set_pointer(name, version, sha256(data), expected=current, which=which)
        entry = {"version": version, "decision": f"promoted_{'challenger' if challenger else 'champion'}",
                 "reason": reason, "by": by, "previous_version": current.version if current else None, "at": _now()}
        self.log(name, entry)
        return entry

    def history(self, name: str) -> list[dict]:
        return [json.loads(self.store.read(k).data) for k in self.store.list(self._key(name, "registry_log/"))]


def _now() -> str:
    return datetime.now(UTC).isoformat()

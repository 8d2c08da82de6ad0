"""An ensemble's weights document (``models/{prop}_ensemble/v{N}/weights.json`` in the
registry, ``shared/models/bundled/{prop}_ensemble/weights.json`` bundled): modeling/ensemble.py
fits and writes it, the worker blends with it, calibration refits its distribution, the CLI
and the console show it. Here in shared because the worker and modeling both read it."""
from __future__ import annotations

import json
from typing import Any

from shared.documents import Document


class EnsembleWeights(Document):
    version: str                           # ens-{fitted at}
    prop: str
    weights: dict[str, float]              # member system -> weight; they sum to one
    valid_mae: float
    members_valid_mae: dict[str, float]
    # which versions the weights were fitted for: a member's new champion wants the weights refitted
    member_versions: dict[str, str]
    windows: dict[str, str]                # train_start, train_end, valid_start, valid_end (YYYY-MM-DD)
    rows: int
    registry_version: int | None = None    # set once registered; the registry's copy leaves it out
    # the blend's own predictive distribution, fitted on its validation rows (shared/models/intervals.py)
    interval: dict[str, Any] | None = None

    def served(self) -> dict[str, float]:
        """The members that carry weight: the blend reads only these outputs."""
        return {system: w for system, w in self.weights.items() if w > 0}

    def encoded(self, registered: bool = True) -> bytes:
        """The document as written (indented, in field order); ``registered=False`` leaves out
        ``registry_version``, which the registry's copy cannot know before it is written."""
        doc = self.as_json()
        if not registered:
            doc.pop("registry_version", None)
        return json.dumps(doc, indent=1).encode()

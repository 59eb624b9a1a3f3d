"""The calibrated answerability score: fitted weights per embedding model, read and applied (pure numpy).

``bench/calibrate.py`` (``make calibrate``) fits a logistic regression on the fit part of the public
question-answering data (SQuAD 2.0 and PIAF, ``tests/data/external``) and writes ``<model>.json`` here:
the probability that a candidate sentence holds the answer, and the thresholds under which the best
candidate is not trusted (chosen for at most 5 % of answerable fit questions withheld: one per language the fit
part has, and the lowest of them for every other language and for questions in another language than the document).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

logger = logging.getLogger(__name__)

DEFAULT_KEY = "embeddinggemma-300m"


@dataclass(frozen=True)
class LinearModel:
    """A standardised logistic regression: ``sigmoid(((x - mean) / scale) · coef + intercept)``."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept
        for name, mean, scale, coef in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += (values[name] - mean) / scale * coef
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    @classmethod
    def from_dict(cls, data: dict) -> LinearModel:
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]),
                   float(data["intercept"]))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept}


@dataclass(frozen=True)
class Calibration:
    """The fitted scores for one embedding model and the thresholds chosen with them.

    ``same_language`` / ``cross_lingual`` rank candidate sentences (probability that the sentence holds the
    answer); ``answerable`` / ``answerable_cross`` score the question from its best candidate (probability that
    the document answers it), compared with ``threshold``.
    """

    model: str
    same_language: LinearModel
    cross_lingual: LinearModel
    answerable: LinearModel
    answerable_cross: LinearModel
    threshold: float
    related: float
    several: float
    support: float = 0.6
    source: str = ""
    # Per-language thresholds: (language, threshold) pairs. The score of answerable questions sits higher where
    # the model is stronger (English), so one threshold for all is set by the weakest language and withholds
    # less than it could elsewhere.
    thresholds: tuple[tuple[str, float], ...] = ()

    def threshold_for(self, language: str | None) -> float:
        """The threshold for a question and document in ``language`` (None: they differ)."""
        return dict(self.thresholds).get(language, self.threshold) if language else self.threshold

    def probability(self, values: dict[str, float], *, same_language: bool) -> float:
        """Probability that a candidate sentence holds the answer."""
        return (self.same_language if same_language else self.cross_lingual).probability(values)

    def answerability(self, values: dict[str, float], *, same_language: bool) -> float:
        """Probability that the question is answered by the document, from its best candidate."""
        return (self.answerable if same_language else self.answerable_cross).probability(values)

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "") -> Calibration:
        return cls(
            model=data["model"], same_language=LinearModel.from_dict(data["same_language"]),
            cross_lingual=LinearModel.from_dict(data["cross_lingual"]),
            answerable=LinearModel.from_dict(data["answerable"]),
            answerable_cross=LinearModel.from_dict(data["answerable_cross"]), threshold=float(data["threshold"]),
            related=float(data["related"]), several=float(data["several"]),
            support=float(data.get("support", 0.6)), source=source,
            thresholds=tuple(sorted((k, float(v)) for k, v in data.get("thresholds", {}).items())),
        )


def model_key(model_name: str) -> str:
    """The calibration file's key for a recorded model name (``embeddinggemma-300m@…`` -> ``embeddinggemma-300m``)."""
    base = model_name.split("@")[0]
    return base.rsplit("/", 1)[-1]


@lru_cache(maxsize=8)
def load(model_name: str) -> Calibration:
    """The calibration fitted for ``model_name``, or the default model's (with a warning) for other models."""
    key = model_key(model_name)
    folder = resources.files("assistant.calibration")
    path = folder / f"{key}.json"
    if not path.is_file():
        logger.warning("no calibration fitted for %s; using %s's (run `make calibrate`)", key, DEFAULT_KEY)
        path = folder / f"{DEFAULT_KEY}.json"
    return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")), source=str(path))


def available() -> Sequence[str]:
    """Keys of the models with a fitted calibration."""
    return sorted(p.name[: -len(".json")] for p in resources.files("assistant.calibration").iterdir()
                  if p.name.endswith(".json"))

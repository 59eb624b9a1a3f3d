"""`make calibrate-check`: a refit counts as the committed calibration only within the stated tolerances."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("calibrate_bench", ROOT / "bench" / "calibrate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
COMMITTED = json.loads((ROOT / "assistant" / "calibration" / "embeddinggemma-300m.json").read_text(encoding="utf-8"))


def test_the_committed_file_matches_itself():
    assert BENCH.differences(COMMITTED, copy.deepcopy(COMMITTED)) == []


def test_floating_point_noise_is_the_same_calibration():
    refit = copy.deepcopy(COMMITTED)
    refit["same_language"]["coef"] = [c + BENCH.SAME_WEIGHT / 10 for c in refit["same_language"]["coef"]]
    refit["thresholds"]["en"] += BENCH.SAME_LEVEL / 2
    assert BENCH.differences(COMMITTED, refit) == []


def test_a_moved_threshold_weight_or_figure_is_reported():
    refit = copy.deepcopy(COMMITTED)
    refit["thresholds"]["en"] -= 0.002  # what the evaluation store's contents moved it by on a new machine
    refit["answerable"]["intercept"] += 0.01
    refit["test_figures"]["squad2-test"]["abstention"] += 0.01
    found = BENCH.differences(COMMITTED, refit)
    assert [line.split(":")[0] for line in found] == [
        "answerable.intercept", "thresholds.en", "test_figures.squad2-test.abstention"]

"""The hazard log (docs/safety/hazard-log.md) names, for every control, the test that
proves it: each of those tests must exist, so the log cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]
LOG = SRC.parents[1] / "docs" / "safety" / "hazard-log.md"


def test_every_test_the_hazard_log_names_exists():
    named = re.findall(r"`([\w/]+/tests/[\w]+\.py)(?:::(\w+))?`(?:, `::(\w+)`)*", LOG.read_text())
    cited = re.findall(r"`((?:[\w/]+/tests/[\w]+\.py)?)::(\w+)`", LOG.read_text())
    assert len(named) >= 15
    current = ""
    checked = 0
    for path, test in cited:
        current = path or current
        source = (SRC / current).read_text()
        assert f"def {test}(" in source, f"{current}::{test}"
        checked += 1
    for path, *_ in named:
        assert (SRC / path).exists(), path
    assert checked >= 25

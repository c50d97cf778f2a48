"""The charts in docs/charts are what the code draws now (scripts/gen_charts.py --check)."""

from __future__ import annotations

import builtins
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ROOT / "docs" / "charts"


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_charts", ROOT / "scripts" / "gen_charts.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():
    return _load_generator()


@pytest.fixture
def copy_of_the_charts(tmp_path):
    directory = tmp_path / "charts"
    shutil.copytree(CHARTS, directory)
    return directory


def _new_problems(generator, directory, before):
    """What the check finds in ``directory`` beyond ``before`` (the committed charts' own
    drift, reported by the first test alone)."""
    return [problem for problem in generator.drifted(directory) if problem not in before]


def test_every_chart_in_the_docs_is_the_spec_the_code_builds_and_its_svg_was_rendered_from_it(
    generator,
):
    drifted = generator.drifted(CHARTS)

    assert drifted == [], "run: python scripts/gen_charts.py (drifted: " + "; ".join(drifted) + ")"


def test_the_check_names_a_spec_that_differs_from_the_code(generator, copy_of_the_charts):
    path = copy_of_the_charts / "funnel.vl.json"
    current = generator.specs()["funnel"]
    path.write_text(current)
    before = generator.drifted(copy_of_the_charts)
    spec = json.loads(current)
    spec["data"]["values"][0]["reached"] += 1
    path.write_text(generator.spec_text(spec))

    drifted = _new_problems(generator, copy_of_the_charts, before)

    assert drifted == ["docs/charts/funnel.vl.json: differs from the spec the code builds"]


def test_the_check_names_an_svg_rendered_from_another_spec(generator, copy_of_the_charts):
    path = copy_of_the_charts / "MANIFEST.json"
    manifest = json.loads(path.read_text())
    entry = manifest["monthly_revenue.svg"]
    entry["spec_sha256"] = generator.digest(generator.specs()["monthly_revenue"])
    path.write_text(json.dumps(manifest))
    before = generator.drifted(copy_of_the_charts)
    entry["spec_sha256"] = generator.digest("an older spec\n")
    path.write_text(json.dumps(manifest))

    drifted = _new_problems(generator, copy_of_the_charts, before)

    assert drifted == [
        "docs/charts/monthly_revenue.svg: rendered from another spec than the current one"
    ]


def test_the_check_names_missing_and_unexpected_files(generator, copy_of_the_charts):
    before = generator.drifted(copy_of_the_charts)
    (copy_of_the_charts / "time_in_status.svg").unlink()
    (copy_of_the_charts / "cohort_retention.vl.json").unlink()
    (copy_of_the_charts / "old_chart.svg").write_text("<svg/>")

    drifted = _new_problems(generator, copy_of_the_charts, before)

    assert drifted == [
        "docs/charts/cohort_retention.vl.json: missing",
        "docs/charts/time_in_status.svg: missing",
        "docs/charts/old_chart.svg: not a chart of scripts/gen_charts.py",
    ]


def test_each_charted_table_has_a_chart_in_the_docs(generator):
    manifest = json.loads((CHARTS / "MANIFEST.json").read_text())

    assert sorted(manifest) == sorted(f"{name}.svg" for name in generator.CHARTS)
    assert set(generator.CHARTS) == {
        "cohort_retention",
        "funnel",
        "time_in_status",
        "time_in_lead_stages",
        "monthly_revenue",
        "holdout_check",
        "alive_matrix",
        "rfm_segments",
    }


def test_the_check_needs_no_vl_convert(generator, monkeypatch):
    real_import = builtins.__import__

    def no_vl_convert(name, *args, **kwargs):
        if name.split(".")[0] == "vl_convert":
            raise ImportError("No module named 'vl_convert'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_vl_convert)

    expected = 1 if generator.drifted(CHARTS) else 0
    assert generator.main(["--check"]) == expected
    with pytest.raises(ImportError, match="vl_convert"):
        generator.render(generator.specs()["funnel"])


def test_the_example_data_is_the_same_on_every_build(generator):
    first, second = generator.specs(), _load_generator().specs()

    assert first == second
    assert all(text.endswith("}\n") for text in first.values())

"""The package stands on its own: a wheel carries its knowledge (models/ as tracker.models) and an installed
tracker finds it without the checkout."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "tracker").rglob("__init__.py")}
    assert found | {"tracker.models"} == listed


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_environment_annotates(tmp_path):
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    top = {".git", ".venv", "db", "corpus", "tests", "bench", "docs", "build", "tracker.egg-info"}
    shutil.copytree(ROOT, source, ignore=lambda folder, names: [
        n for n in names if n == "__pycache__" or (Path(folder) == ROOT and n in top)])
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(source)], check=True, timeout=600)
    (wheel,) = wheels.glob("tracker-*.whl")
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True, timeout=120)
    python = fresh / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # the dependencies come from the project's environment, as plain path entries (its .pth files, such as the
    # editable install of this checkout, are not run); tracker itself only from the wheel
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, timeout=600)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "in.jsonl").write_text(json.dumps({
        "id": "a1", "published": "2024-03-12",
        "text": "Authorities in Turkey blocked Instagram on Friday, citing national security."}) + "\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no TRACKER_* or HF_* settings: the package's own
    probe = "import tracker, tracker.paths as p; print(tracker.__file__); print(p.models_dir())"
    where = subprocess.run([str(python), "-c", probe], cwd=work, env=env, check=True, capture_output=True,
                           text=True).stdout.split()
    assert all(w.startswith(str(site)) for w in where), where
    subprocess.run([str(python), "-m", "tracker.cli", "annotate", "in.jsonl", "-o", "out.jsonl"], cwd=work,
                   env=env, check=True, capture_output=True, text=True, timeout=600)
    (out,) = [json.loads(line) for line in (work / "out.jsonl").read_text().splitlines()]
    assert [(e["country"], e["platform"]) for e in out["events"]] == [("TR", "Instagram")]

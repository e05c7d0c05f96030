"""Packaging: what the package reads at run time (prompts/) ships inside it, and a real (not editable)
install works on its own, away from the repository.

The slow test builds the wheel with pip (``--no-deps --target``: the project's dependencies are the
venv's, already installed) into a temporary folder, then runs that copy from a temporary working
directory with the folder first on the path, and proves the copy it ran is the installed one.
"""
from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _prompt_files(base: Path) -> set[str]:
    return {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


# ------------------------------------------------------------------ fast checks of the configuration
def test_every_subpackage_is_listed_and_prompts_map_into_the_package():
    from setuptools import find_packages

    found = set(find_packages(str(ROOT), include=["assistant*"]))
    listed = set(SETUPTOOLS["packages"])
    assert found == listed - {"assistant.prompts"}, "pyproject [tool.setuptools] packages must list every sub-package"
    assert SETUPTOOLS["package-dir"] == {"assistant.prompts": "prompts"}


def test_package_data_globs_cover_every_prompts_file():
    globs = SETUPTOOLS["package-data"]["assistant.prompts"]
    files = _prompt_files(ROOT / "prompts")
    assert files
    missed = [f for f in files if not any(fnmatch.fnmatch(f, g) or fnmatch.fnmatch(f, g.removeprefix("**/"))
                                          for g in globs)]
    assert not missed, f"add their type to package-data in pyproject.toml: {missed}"


def test_license_is_an_spdx_string():
    assert PYPROJECT["project"]["license"] == "Apache-2.0"


def test_prompts_dir_is_the_source_trees_in_a_checkout():
    from assistant import messages
    from assistant.resources import prompts_dir

    assert prompts_dir() == ROOT / "prompts" and messages.PROMPTS_DIR == prompts_dir()


def test_no_module_computes_the_prompts_path_itself():
    """Only assistant/resources.py knows where prompts/ is (the installed and the source layouts differ)."""
    pattern = re.compile(r"""/\s*["']prompts["']|["']prompts/|parent\s*/\s*["']prompts""")
    offenders = []
    for path in (ROOT / "assistant").rglob("*.py"):
        if path.name == "resources.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if pattern.search(code) and not code.lstrip().startswith(('"', "'", "raise")):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "use assistant.resources.prompts_dir():\n" + "\n".join(offenders)


# ------------------------------------------------------------------ a real install
DOC = """QUYẾT ĐỊNH
Về việc ban hành Quy chế thử nghiệm tiếp nhận hồ sơ (tài liệu huấn luyện, không phải văn bản thật)

Điều 1. Thời hạn tiếp nhận hồ sơ
Bộ phận một cửa tiếp nhận hồ sơ đăng ký hộ kinh doanh và trả lời người nộp trong thời hạn 03 ngày làm việc kể từ
ngày nhận đủ hồ sơ hợp lệ.

Điều 2. Trách nhiệm thi hành
Văn phòng Ủy ban nhân dân phường chịu trách nhiệm hướng dẫn công chức thực hiện Quy chế này.
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(site folder, environment) of a non-editable install of the working tree."""
    base = tmp_path_factory.mktemp("pkg")
    src = base / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in ("assistant", "prompts"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    site = base / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                        "--no-build-isolation", "--target", str(site), str(src)],
                       capture_output=True, text=True, timeout=300, cwd=base)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not (site / "prompts").exists(), "prompts/ must be installed inside the package, not at the top level"
    cwd = base / "cwd"  # no prompts/ or assistant/ here to be found by accident
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") and k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(site), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               ASSISTANT_STORE_DIR=str(base / "store"), ASSISTANT_DATA_DIR=str(base / "data"),
               ASSISTANT_CORPUS_DIR=str(base / "corpus"))
    (base / "corpus").mkdir()
    (base / "corpus" / "quy-che-thu-nghiem.md").write_text(DOC, encoding="utf-8")
    return site, cwd, env


def _py(installed, code: str) -> subprocess.CompletedProcess:
    site, cwd, env = installed
    # -P: no script/current folder on the path; PYTHONPATH puts the install before the editable finder
    return subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300)


def _cli(installed, *args) -> subprocess.CompletedProcess:
    site, cwd, env = installed
    script = site / "bin" / "assistant"  # the console script pip wrote
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


@pytest.mark.slow
def test_installed_copy_carries_every_prompts_file_and_runs_from_it(installed):
    site, _, _ = installed
    assert _prompt_files(site / "assistant" / "prompts") == _prompt_files(ROOT / "prompts")
    r = _py(installed, "import assistant, assistant.messages as m, assistant.ui.i18n as i, assistant.ui.exercises as e,"
                       " assistant.guard.injection as g; print(assistant.__file__); print(m.PROMPTS_DIR);"
                       " print(i.UI_DIR); print(e.EXERCISES_DIR); print(g.BANK_PATH)")
    assert r.returncode == 0, r.stderr
    paths = [Path(p) for p in r.stdout.split()]
    assert all(p.is_relative_to(site) for p in paths), paths
    assert all(p.exists() for p in paths[1:]), paths


@pytest.mark.slow
def test_installed_command_indexes_and_answers_with_a_citation(installed):
    site, _, _ = installed
    r = _cli(installed, "--help")
    assert r.returncode == 0 and "COMMAND" in r.stdout, r.stderr
    r = _cli(installed, "index", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1])["indexed"] == 1
    r = _cli(installed, "ask", "Thời hạn tiếp nhận hồ sơ đăng ký hộ kinh doanh là bao nhiêu ngày?", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert "03 ngày" in out["answer"], out
    assert out["citations"] and out["citations"][0]["source"] == "quy-che-thu-nghiem.md", out
    assert any(str(c.get("article")).removeprefix("Điều ").strip() == "1" for c in out["citations"]), out
    # the wording came from the installed catalogue, and a bad setting is still a clear error there
    r = _cli(installed, "search", "x", "--lang", "fr")
    assert r.returncode == 2 and "Traceback" not in r.stderr


@pytest.mark.slow
def test_installed_app_builds_with_its_own_prompts(installed):
    site, _, _ = installed
    r = _py(installed, "\n".join([
        "import assistant.ui.shell as shell",
        "from assistant.config import load_settings",
        "from assistant.ui.i18n import catalogue",
        "demo = shell.build_app(load_settings(env_file=None))",
        "print(type(demo).__name__, len(catalogue()), shell.__file__)",
    ]))
    assert r.returncode == 0, r.stderr
    kind, n_labels, where = r.stdout.split()[-3:]
    assert kind == "Blocks" and int(n_labels) > 50 and Path(where).is_relative_to(site)


@pytest.mark.slow
def test_app_py_starts_on_the_installed_package(installed):
    import socket
    import time
    import urllib.request

    site, cwd, env = installed
    shutil.copy2(ROOT / "app.py", cwd / "app.py")  # the launcher alone, without the repository beside it
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(env, ASSISTANT_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline, page = time.monotonic() + 180, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                    page = resp.read().decode("utf-8", "replace")
                break
            except OSError:
                time.sleep(1)
        assert page is not None, proc.stdout.read() if proc.poll() is not None else "the app did not answer in time"
        assert "Trợ lý thực hành AI" in page
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

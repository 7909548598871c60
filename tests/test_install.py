"""The package as a user installs it: a wheel built from the clone, installed in a new virtual
environment (its dependencies from PyPI or pip's cache), runs the demo from a directory that
is not the clone, and its archive opens in plain Datasette with the plugin's views."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import DEMO_BLOG, EXAMPLE, EXAMPLE_TITLE, ROOT, rows

DATASETTE_FILES = ROOT / "archiver" / "datasette"
# Building, installing a wheel's dependencies and the demo's crawl each take a while on a
# loaded machine; none takes minutes unless something is stuck.
INSTALL_TIMEOUT = 600


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`args` run to their end in `cwd`, output as text, with no PYTHONPATH that could lead the
    installed package back to the clone."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=INSTALL_TIMEOUT)


def succeeded(done: subprocess.CompletedProcess[str]) -> str:
    """What the process printed on stdout; it must have exited 0."""
    assert done.returncode == 0, f"{done.args}\n{done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from the clone."""
    folder = tmp_path_factory.mktemp("wheel")
    succeeded(run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", folder, ROOT,
                  cwd=folder))
    (built,) = folder.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """The bin folder of a new virtual environment with the wheel installed."""
    venv = tmp_path_factory.mktemp("venv")
    succeeded(run(sys.executable, "-m", "venv", venv, cwd=venv))
    succeeded(run(venv / "bin" / "python", "-m", "pip", "install", wheel, cwd=venv))
    return venv / "bin"


def test_the_wheel_holds_the_demo_blog_and_the_datasette_files(wheel):
    with zipfile.ZipFile(wheel) as archive:
        packaged = set(archive.namelist())
    demo_blog = {f"archiver/demo_blog/{path.relative_to(DEMO_BLOG).as_posix()}"
                 for path in DEMO_BLOG.rglob("*") if path.is_file()}
    datasette = {path.relative_to(ROOT).as_posix() for path in DATASETTE_FILES.rglob("*")
                 if path.is_file() and "__pycache__" not in path.parts}
    assert "archiver/demo_blog/manifest.json" in demo_blog
    assert {"archiver/datasette/metadata.yml", "archiver/datasette/templates/thread.html",
            "archiver/datasette/static/archive.css"} <= datasette
    assert demo_blog - packaged == set()
    assert datasette - packaged == set()


def test_an_installed_wheel_runs_the_demo_from_anywhere(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    db = tmp_path / "demo.db"
    printed = succeeded(run(installed / "archiver", "demo", "--db", db, "--port", 0,
                            cwd=elsewhere))
    assert re.fullmatch(
        rf"Demo blog served at http://127\.0\.0\.1:\d+/; archiving it into {re.escape(str(db))}\n"
        rf"Archive {re.escape(str(db))}: 7 posts, 58 comments \(52 comment, 6 pingback\), "
        r"57 links, 27 pages, 1 crawls\n"
        rf"\nBrowse it:  archiver serve --db {re.escape(str(db))}\n", printed), printed
    assert rows(db, "SELECT count(*) FROM posts") == [(7,)]
    assert rows(db, "SELECT count(*) FROM comments") == [(58,)]
    assert list(elsewhere.iterdir()) == []

    # Plain `datasette`, no flags: the entry point loads the plugin, its templates included.
    ((example,),) = rows(db, "SELECT url FROM posts WHERE url LIKE ?", f"%/{EXAMPLE}")
    thread_view = succeeded(run(installed / "datasette", db, "--get",
                                f"/demo/-/thread/{example.split('://', 1)[1]}", cwd=elsewhere))
    assert EXAMPLE_TITLE in thread_view

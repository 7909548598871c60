"""The README documents every command and every column (the sqlite-utils test_docs pattern)."""

import re
from pathlib import Path

import pytest

from archiver import storage
from archiver.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def documented_columns(table):
    section = README.split(f"### {table}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    names = set()
    for cell in re.findall(r"^\| ([^|]+) \|", section, re.M):
        names.update(name.strip() for name in cell.split(","))
    return names - {"column"}


@pytest.mark.parametrize("table", sorted(storage.TABLES))
def test_every_column_is_documented(table):
    assert documented_columns(table) == set(storage.TABLES[table]["columns"])


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented_and_has_help(command):
    assert f"archiver {command}" in README
    assert cli.commands[command].help

"""The README documents every command and every column (the sqlite-utils test_docs pattern)."""

import pytest

from archiver import storage
from archiver.cli import cli
from tests.helpers import ROOT, readme_columns

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table", sorted(storage.TABLES))
def test_every_column_is_documented(table):
    assert set(readme_columns(table)) == set(storage.TABLES[table]["columns"])


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented_and_has_help(command):
    assert f"archiver {command}" in README
    assert cli.commands[command].help

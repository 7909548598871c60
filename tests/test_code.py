"""The limits the code keeps, checked as ruff and mypy check the rest: short functions, modules
of one subject, and type hints on the public functions of the modules others build on (mypy
checks the bodies of annotated functions only)."""

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

SOURCES = sorted(path for folder in ("archiver", "spiders", "bench", "tests")
                 for path in (ROOT / folder).rglob("*.py"))
MODULE_LINES = 400
FUNCTION_LINES = 60
TYPED = ("archiver/storage", "archiver/extractors", "archiver/ingest.py", "archiver/dates.py",
         "archiver/plain_dates.py", "archiver/clean.py", "archiver/urls.py", "archiver/page.py")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [node for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def public_functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions and the methods of module-level classes whose names do not
    start with an underscore (`__init__` included: it is how a class is called)."""
    found = []
    for node in tree.body:
        members = node.body if isinstance(node, ast.ClassDef) and node.name[0] != "_" else [node]
        found += [member for member in members
                  if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef))
                  and (member.name[0] != "_" or member.name == "__init__")]
    return found


def unannotated(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    arguments = [argument for argument in (*function.args.posonlyargs, *function.args.args,
                                           *function.args.kwonlyargs)
                 if argument.arg not in ("self", "cls")]
    return (any(argument.annotation is None for argument in arguments)
            or function.returns is None and function.name != "__init__")


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_modules_and_functions_are_short(path):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MODULE_LINES
    assert [(function.name, function.end_lineno - function.lineno + 1)
            for function in functions(ast.parse(source))
            if function.end_lineno - function.lineno + 1 > FUNCTION_LINES] == []


@pytest.mark.parametrize("path", [path for path in SOURCES if relative(path).startswith(TYPED)],
                         ids=relative)
def test_public_functions_have_type_hints(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [function.name for function in public_functions(tree) if unannotated(function)] == []

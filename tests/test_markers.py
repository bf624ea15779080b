"""What ``make test-quick`` leaves out it finds by marker: a test that asks for a shared build of the whole pipeline
is marked ``e2e`` by the name of that build's fixture (``labs.WHOLE_BUILDS``; ``conftest.py`` marks them)."""

from __future__ import annotations

import ast
from pathlib import Path

from .labs import WHOLE_BUILDS

TESTS = Path(__file__).resolve().parent


def fixtures_defined() -> set[str]:
    """The names of the functions under tests/ decorated with ``pytest.fixture`` (with or without arguments)."""
    names = set()
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any("fixture" in ast.unparse(d) for d in node.decorator_list):
                names.add(node.name)
    return names


def test_every_shared_build_named_for_the_mark_is_a_fixture():
    assert WHOLE_BUILDS <= fixtures_defined()  # a renamed fixture would otherwise drop its tests' mark


def test_a_test_that_asks_for_a_shared_build_is_marked_e2e(request):
    """Of the tests collected in this run (all of them under ``make test``)."""
    asking = [item for item in request.session.items if WHOLE_BUILDS.intersection(item.fixturenames)]
    assert [item.nodeid for item in asking if item.get_closest_marker("e2e") is None] == []

"""The accuracy pages and API only parse, authorise, delegate and respond: reads are selectors, writes services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import reports

HERE = Path(reports.__file__).parent
VIEWS = [HERE / "api.py", HERE / "views.py"]


def _direct_data_access(path: Path) -> list[str]:
    """Where a module queries a model, imports one, or opens a transaction itself."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"{path.name}:{node.lineno} .objects")
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(".models"):
            found.append(f"{path.name}:{node.lineno} imports {node.module}")
        if isinstance(node, ast.alias) and node.name in ("transaction", "get_object_or_404", "get_list_or_404"):
            found.append(f"{path.name}:{node.lineno} imports {node.name}")
    return found


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: path.name)
def test_accuracy_views_leave_queries_to_selectors_and_transactions_to_services(path):
    assert _direct_data_access(path) == []

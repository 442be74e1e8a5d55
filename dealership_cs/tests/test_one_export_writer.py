"""Every .xlsx the project writes goes through the one export writer.

openpyxl stores any text starting with "=" as a formula; only `dealership_cs/spreadsheets/writer.py`
keeps text as text. So nothing else may build a workbook itself: this scans the project's code
(not its tests, benchmarks or virtual environment) for openpyxl's writing classes.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
WRITER = Path("dealership_cs/spreadsheets/writer.py")
WRITING_NAMES = frozenset({"Workbook", "WriteOnlyCell"})
SKIPPED_DIRS = frozenset({"venv", "node_modules", "bench", "tests", "__pycache__", "data", "static", "staticfiles"})


def writing_uses(source: str, name: str = "<source>") -> list[str]:
    """Where `source` imports or names openpyxl's Workbook or WriteOnlyCell (load_workbook reads and is fine)."""
    tree = ast.parse(source)
    aliases = {"openpyxl"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update(a.asname or a.name for a in node.names if a.name.split(".")[0] == "openpyxl")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "openpyxl":
            found += [f"{name}:{node.lineno} imports {a.name}" for a in node.names if a.name in WRITING_NAMES]
        elif isinstance(node, ast.Attribute) and node.attr in WRITING_NAMES:
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases:
                found.append(f"{name}:{node.lineno} uses {ast.unparse(node)}")
    return found


def project_sources() -> list[Path]:
    """The project's own modules, relative to its root (the skipped directories are never walked)."""
    sources = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_DIRS and not name.startswith(".")]
        for name in files:
            if name.endswith(".py") and not name.startswith("test_") and name != "conftest.py":
                sources.append((Path(folder) / name).relative_to(ROOT))
    return sources


def test_only_the_export_writer_builds_workbooks():
    sources = project_sources()
    assert WRITER in sources and Path("surveys/imports/template.py") in sources  # the scan sees the project
    offenders = [
        use
        for relative in sources
        if relative != WRITER
        for use in writing_uses((ROOT / relative).read_text(encoding="utf-8"), str(relative))
    ]
    assert offenders == [], "build .xlsx files with dealership_cs.spreadsheets.writer.ExportWorkbook"


def test_the_scan_recognises_each_way_of_reaching_the_writing_classes():
    assert writing_uses("from openpyxl import Workbook")
    assert writing_uses("from openpyxl.cell import WriteOnlyCell")
    assert writing_uses("import openpyxl\nbook = openpyxl.Workbook()")
    assert writing_uses("import openpyxl.workbook as wb\nbook = wb.Workbook()")
    assert writing_uses("def f():\n    from openpyxl import Workbook as W\n    return W()")
    assert not writing_uses("from openpyxl import load_workbook\nbook = load_workbook(path)")
    assert writing_uses((ROOT / WRITER).read_text(encoding="utf-8"))  # the writer itself is the one that may

"""`make run` serves where it is told: `make run ADDR=0.0.0.0:8000` reaches runstack and runserver."""

from __future__ import annotations

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from dealership_cs.management.commands import runstack

ROOT = Path(settings.BASE_DIR)


def make_run(*args: str) -> str:
    """The commands `make run` would execute (dry run: nothing is installed or started)."""
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_passes_addr_to_runstack():
    assert "manage.py runstack 0.0.0.0:8000" in make_run("ADDR=0.0.0.0:8000")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_on_localhost_by_default():
    assert "manage.py runstack 127.0.0.1:8000" in make_run()


class FinishedProcess:
    """A stand-in for Popen whose process has already exited, so runstack stops at once."""

    started: list[list[str]] = []

    def __init__(self, command, *args, **kwargs):
        self.command = command
        self.returncode = 0
        FinishedProcess.started.append(command)

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def started(monkeypatch):
    FinishedProcess.started = []
    monkeypatch.setattr(runstack.subprocess, "Popen", FinishedProcess)
    monkeypatch.setattr(runstack.signal, "signal", lambda *args: None)
    return FinishedProcess.started


@pytest.mark.parametrize(
    ("given", "served"),
    [("0.0.0.0:8000", "0.0.0.0:8000"), ("8001", "127.0.0.1:8001"), ("[::1]:8000", "[::1]:8000")],
)
def test_runstack_hands_the_address_to_runserver(started, given, served):
    out = StringIO()
    call_command("runstack", given, stdout=out, stderr=StringIO())

    [web] = [command for command in started if "runserver" in command]
    assert web[web.index("runserver") + 1] == served
    assert f"http://{served}/" in out.getvalue()


def test_runstack_on_every_interface_says_that_allowed_hosts_decides_who_gets_in(started):
    out = StringIO()
    call_command("runstack", "0.0.0.0:8000", stdout=out, stderr=StringIO())

    assert "ALLOWED_HOSTS" in out.getvalue()


@pytest.mark.parametrize("bad", ["0.0.0.0", "localhost:http", "127.0.0.1:80:80"])
def test_a_bad_address_stops_runstack_before_anything_starts(started, bad):
    with pytest.raises(CommandError, match="is not an address to listen on"):
        call_command("runstack", bad)

    assert started == []

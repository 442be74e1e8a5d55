"""Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

For the embedded default (`make run`). Production runs them as separate services instead.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.runserver import naiveip_re

DEFAULT_ADDRPORT = "127.0.0.1:8000"


def parse_addrport(addrport: str) -> str:
    """The address and port as ``host:port`` (a bare port listens on 127.0.0.1), or CommandError."""
    match = naiveip_re.match(addrport)
    if match is None:
        raise CommandError(
            f"“{addrport}” is not an address to listen on: give a port (8000) or an address and a port "
            "(0.0.0.0:8000 for every network interface)."
        )
    return f"{match['addr'] or '127.0.0.1'}:{match['port']}"


class Command(BaseCommand):
    help = "Run runserver + celery worker + celery beat in one terminal (development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport",
            nargs="?",
            default=DEFAULT_ADDRPORT,
            help=f"address and port of the web server (default {DEFAULT_ADDRPORT}; `make run ADDR=0.0.0.0:8000`)",
        )

    def handle(self, *args, addrport: str, **options):
        # Checked before anything starts, so a typo does not leave a worker and beat running alone.
        addrport = parse_addrport(addrport)
        python = sys.executable
        beat_schedule = settings.CELERY_BEAT_SCHEDULE_FILENAME
        commands = {
            "web": [python, "manage.py", "runserver", addrport, "--noreload"],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "dealership_cs",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "--without-mingle",
                "--without-gossip",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "dealership_cs",
                "beat",
                "--loglevel=INFO",
                f"--schedule={beat_schedule}",
            ],
        }
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        self.stdout.write(
            self.style.SUCCESS(
                f"Running on http://{addrport}/ with a Celery worker and beat. Press Ctrl-C to stop all of them."
            )
        )
        if not addrport.startswith(("127.0.0.1:", "localhost:", "[::1]:")):
            self.stdout.write(
                "Other computers reach it only by a host name or address listed in ALLOWED_HOSTS "
                f"(now: {', '.join(settings.ALLOWED_HOSTS)})."
            )
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in processes.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with status {proc.returncode}; stopping the others.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in processes.values():
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 10
            for proc in processes.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()

"""The stage commands' launcher: each command a forked process of its own, its log, exit code and CPU time, killed
alone; a launcher that dies fails what waits on it. The launchers here preload only the CLI (no torch): fast."""

from __future__ import annotations

import os
import time

import pytest

from hub_tools.release.launcher import Launcher, LauncherError


CLI_ONLY = ("hub_tools.cli",)


@pytest.fixture
def launcher():
    launcher = Launcher.start(dict(os.environ), preload=CLI_ONLY)
    yield launcher
    launcher.close()


def test_a_command_runs_in_a_process_of_its_own_with_its_output_in_its_log(launcher, tmp_path):
    log = tmp_path / "help.log"
    command = launcher.spawn(["--help"], log=log)
    assert command.wait(60) == 0
    assert command.pid not in (os.getpid(), launcher.proc.pid)
    assert "usage: gaokerena <command>" in log.read_text(encoding="utf-8")
    assert command.cpu_seconds >= 0


def test_exit_codes_are_the_commands_own(launcher, tmp_path):
    unknown = launcher.spawn(["no-such-command"], log=tmp_path / "unknown.log")
    bad_option = launcher.spawn(["data", "build", "no-such-dataset", "--out", str(tmp_path / "x")],
                                log=tmp_path / "bad.log")  # fmt: skip
    assert unknown.wait(60) == 2
    assert bad_option.wait(60) == 2
    assert "no-such-dataset" in (tmp_path / "bad.log").read_text(encoding="utf-8")


def test_commands_run_side_by_side_and_one_is_killed_alone(launcher, tmp_path):
    server = launcher.spawn(["hub", "serve", "--root", str(tmp_path / "hub"), "--port", "0"], log=tmp_path / "hub.log")
    quick = launcher.spawn(["--help"], log=tmp_path / "help.log")
    assert quick.wait(60) == 0
    assert server.poll() is None  # still serving
    server.kill()
    assert server.wait(30) == -9
    assert launcher.run(["--help"], log=tmp_path / "again.log") == 0  # the launcher goes on


def test_close_kills_what_still_runs(tmp_path):
    launcher = Launcher.start(dict(os.environ), preload=CLI_ONLY)
    server = launcher.spawn(["hub", "serve", "--root", str(tmp_path / "hub"), "--port", "0"], log=tmp_path / "hub.log")
    launcher.close()
    assert launcher.proc.returncode == 0
    with pytest.raises(ProcessLookupError):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            os.kill(server.pid, 0)
            time.sleep(0.1)


def test_a_launcher_that_dies_fails_its_commands_and_refuses_new_ones(tmp_path):
    launcher = Launcher.start(dict(os.environ), preload=CLI_ONLY)
    try:
        server = launcher.spawn(["hub", "serve", "--root", str(tmp_path / "hub"), "--port", "0"],
                                log=tmp_path / "hub.log")  # fmt: skip
        launcher.proc.kill()
        assert server.wait(30) == -1
        with pytest.raises(LauncherError, match="launcher ended"):
            launcher.spawn(["--help"])
        with pytest.raises(ProcessLookupError):  # the command it left behind was killed (init reaps it)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                os.kill(server.pid, 0)
                time.sleep(0.1)
    finally:
        launcher.close()


def test_a_preload_that_fails_is_reported(tmp_path):
    launcher = Launcher.start(dict(os.environ), preload=("hub_tools.no_such_module",), log=tmp_path / "launcher.log")
    try:
        with pytest.raises(LauncherError, match="launcher ended"):
            launcher.spawn(["--help"])
    finally:
        launcher.close()
    assert "No module named 'hub_tools.no_such_module'" in (tmp_path / "launcher.log").read_text(encoding="utf-8")

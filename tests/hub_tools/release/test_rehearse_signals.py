"""`gaokerena rehearse` stopped by SIGTERM (a plain `kill`) or SIGINT (Ctrl-C) stops every child: the local Hub and
a running stage command both stop listening."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from hub_tools.release.rehearse import free_port


DRIVER = textwrap.dedent(
    """
    import sys
    from hub_tools.release import rehearse
    from hub_tools.release.stages import Command, Stage

    def stages(r):  # one long stage command with a port of its own, like a training run or the Space
        serve = Command(("hub", "serve", "--root", r.workdir / "child-hub", "--port", sys.argv[3]),
                        "hub_tools.localhub.cli")
        return [Stage("long", "a long command", (serve,))]

    rehearse.rehearsal_stages = stages
    sys.exit(rehearse.main(["--workdir", sys.argv[1], "--port", sys.argv[2]]))
    """
)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_rehearsal_and_every_child(tmp_path, signum):
    hub_port, child_port = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(tmp_path / "work"), str(hub_port), str(child_port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (listening(hub_port) and listening(child_port)):
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the rehearsal did not start its children"
            time.sleep(0.2)
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 15
    while (listening(hub_port) or listening(child_port)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not listening(hub_port), "the local Hub is still serving"
    assert not listening(child_port), "the stage's child process is still serving"
    assert "interrupted; stopping every child process" in proc.stdout.read()

"""The stage commands' launcher: one process imports the heavy libraries once, then forks each command from there.

Every stage command of ``gaokerena release run`` and ``gaokerena rehearse`` is ``gaokerena ARGS`` in a process of its
own. Started cold, each such process spends seconds importing torch, transformers, datasets, peft and trl before it
does anything; the rehearsal runs 18 of them, most on its critical path. The launcher pays that once:

    launcher = Launcher.start(env)             # python -m hub_tools.release.launcher, PRELOAD imported
    command = launcher.spawn(["train", "sft", ...], log=path)   # a fork of it runs `gaokerena train sft ...`
    command.wait()                             # its exit code (command.cpu_seconds: its user + system CPU)
    launcher.close()

Each command is still its own process: a fork of the launcher, its output in ``log`` (or the launcher's own output,
the terminal, without one), its exit status and CPU time read by ``wait4``, killed on its own by ``kill()``. The fork
returns out of the launcher's loop before the command runs, so the command starts from a clean stack; it ends as
``python -m hub_tools.cli ARGS`` would (its exit code, an uncaught error's traceback, its threads joined, the ``atexit``
handlers run, its output flushed) except for the teardown of every imported module, which the process exit makes moot
and which costs seconds of CPU with torch loaded.

The launcher is started with the environment every command gets (HF_ENDPOINT and HF_HOME are read at import) and is
never handed work before its imports are done; nothing it imports may start a thread or touch a GPU (CUDA is
initialised by the command, after the fork). It talks to its parent over a socket inherited as a file descriptor,
one JSON object a line: ``{"argv": [...], "log": path|null}`` in, ``{"pid": N}`` once the fork is made and
``{"pid": N, "exit": code, "cpu": seconds}`` once it ended out.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path


REPO_ROOT = Path(__file__).resolve().parents[2]
# What the stage commands import: loaded once in the launcher, before it forks any of them.
PRELOAD = ("torch", "datasets", "transformers", "peft", "trl", "hub_tools.cli")


class LauncherError(RuntimeError):
    """The launcher did not start, or ended while commands were running."""


# -------------------------------------------------------------------------------------------------- the parent's side
@dataclass
class Command:
    """One command forked by the launcher: ``poll()`` is None while it runs, then its exit code."""

    argv: list[str]
    pid: int
    returncode: int | None = None
    cpu_seconds: float = 0.0
    ended: threading.Event = field(default_factory=threading.Event)

    def poll(self) -> int | None:
        return self.returncode if self.ended.is_set() else None

    def wait(self, timeout: float | None = None) -> int:
        if not self.ended.wait(timeout):
            raise TimeoutError(f"`gaokerena {' '.join(self.argv)}` still runs after {timeout} s")
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        """SIGKILL, unless it has ended (its pid may then belong to another process)."""
        if not self.ended.is_set():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Launcher:
    """The parent's handle on a running launcher process; safe to use from several threads."""

    def __init__(self, proc: subprocess.Popen, channel: socket.socket) -> None:
        self.proc, self.channel = proc, channel
        self.reader, self.writer = channel.makefile("r", encoding="utf-8"), channel.makefile("w", encoding="utf-8")
        self.lock = threading.Lock()  # one request at a time: a request's first answer is its pid
        self.started: list[int] = []
        self.commands: dict[int, Command] = {}
        self.first_answer = threading.Condition()
        self.failure: str | None = None
        self.listener = threading.Thread(target=self._listen, name="launcher-listener", daemon=True)

    @classmethod
    def start(cls, env: dict[str, str], *, preload: tuple[str, ...] = PRELOAD, log: Path | None = None) -> Launcher:
        """Start ``python -m hub_tools.release.launcher`` with ``env``; it imports ``preload`` and then waits. Its own
        output (and that of commands spawned without a log) goes to ``log``, or to this process's output."""
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "hub_tools.release.launcher", "--fd", str(theirs.fileno()),
                   "--preload", ",".join(preload)]  # fmt: skip
        output = log.open("a", encoding="utf-8") if log is not None else None
        try:
            proc = subprocess.Popen(command, env=env, cwd=REPO_ROOT, pass_fds=(theirs.fileno(),), stdout=output,
                                    stderr=subprocess.STDOUT if output is not None else None)  # fmt: skip
        finally:
            theirs.close()
            if output is not None:
                output.close()
        launcher = cls(proc, ours)
        launcher.listener.start()
        return launcher

    def spawn(self, argv: list[str], *, log: Path | None = None) -> Command:
        """Fork ``gaokerena ARGV``, its output appended to ``log`` (the launcher's own output without one)."""
        with self.lock:
            self._send({"argv": argv, "log": str(log) if log is not None else None})
            with self.first_answer:
                while not self.started and self.failure is None:
                    self.first_answer.wait(1.0)
                if self.failure is not None:
                    raise LauncherError(self.failure)
                command = Command(argv, self.started.pop(0))
                self.commands[command.pid] = command
        return command

    def run(self, argv: list[str], *, log: Path | None = None) -> int:
        """``spawn`` and ``wait``; the command is killed if this thread is interrupted."""
        command = self.spawn(argv, log=log)
        try:
            return command.wait()
        finally:
            command.kill()

    def close(self) -> None:
        """Kill the commands still running, end the launcher (its input closed) and reap it."""
        for command in list(self.commands.values()):
            command.kill()
        try:
            self.writer.close()
            self.channel.shutdown(socket.SHUT_WR)  # the launcher reads the end of its requests and exits
        except OSError:
            pass  # it has ended already
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.listener.join(10)
        self.reader.close()
        self.channel.close()

    def _send(self, message: dict) -> None:
        if self.failure is not None:
            raise LauncherError(self.failure)
        try:
            self.writer.write(json.dumps(message) + "\n")
            self.writer.flush()
        except OSError as error:
            raise LauncherError(f"the command launcher is gone ({error.strerror}); exit code {self.proc.poll()}") \
                from None

    def _listen(self) -> None:
        """Read the launcher's answers: a pid for each fork, then each command's end."""
        try:
            for line in self.reader:
                self._answer(json.loads(line))
        except ValueError as error:
            self._fail(f"the command launcher answered what is not JSON: {error}")
            return
        except OSError:  # the connection reset: the launcher ended, as at the end of its answers
            pass
        self._fail(f"the command launcher ended (exit code {self.proc.wait()}; its output says why)")

    def _answer(self, message: dict) -> None:
        if "exit" not in message:
            with self.first_answer:
                self.started.append(message["pid"])
                self.first_answer.notify_all()
            return
        command = self.commands.pop(message["pid"], None)
        if command is not None:
            command.returncode, command.cpu_seconds = message["exit"], message["cpu"]
            command.ended.set()

    def _fail(self, reason: str) -> None:
        """The launcher is gone: every command it left running is killed and ends with -1; later requests raise."""
        with self.first_answer:
            self.failure = reason
            self.first_answer.notify_all()
        for command in list(self.commands.values()):
            command.kill()
            command.returncode = -1
            command.ended.set()


# ------------------------------------------------------------------------------------------------ the launcher's side
@dataclass
class Request:
    argv: list[str]
    log: str | None


def serve(channel: socket.socket) -> Request | None:
    """Answer requests until the parent closes the channel (returns None, after killing what still runs). In a forked
    child it returns that child's request instead, out of this loop and its state."""
    reader, writer = channel.makefile("r", encoding="utf-8"), channel.makefile("w", encoding="utf-8")
    children: set[int] = set()
    selector = selectors.DefaultSelector()
    selector.register(channel, selectors.EVENT_READ)
    while True:
        _report_ended(children, writer)
        if not selector.select(timeout=0.05):
            continue
        line = reader.readline()
        if not line:
            _kill_all(children)
            return None
        message = json.loads(line)
        request = Request(argv=[str(a) for a in message["argv"]], log=message.get("log"))
        writer.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            selector.close()
            channel.close()
            return request
        children.add(pid)
        writer.write(json.dumps({"pid": pid}) + "\n")
        writer.flush()  # the parent sends its next request only after this answer: no line waits in a buffer


def _report_ended(children: set[int], writer) -> None:
    for pid in list(children):
        ended, status, usage = os.wait4(pid, os.WNOHANG)
        if ended == 0:
            continue
        children.discard(pid)
        cpu = usage.ru_utime + usage.ru_stime
        writer.write(json.dumps({"pid": pid, "exit": os.waitstatus_to_exitcode(status), "cpu": round(cpu, 3)}) + "\n")
        writer.flush()


def _kill_all(children: set[int]) -> None:
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        os.waitpid(pid, 0)


def run_command(request: Request) -> int:
    """In the forked child: output to the request's log, then ``gaokerena ARGV`` as ``python -m hub_tools.cli`` runs."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if request.log is not None:
        log = os.open(request.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
    from hub_tools.cli import main

    sys.argv = ["gaokerena", *request.argv]
    return main(request.argv)


def run_forked(request: Request) -> None:
    """The forked child's whole life: the command, then the exit described in the module's docstring."""
    try:
        code = run_command(request)
    except SystemExit as stop:
        code = _exit_code(stop)
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # noqa: BLE001 - reported as the interpreter reports an uncaught error, exit code 1
        sys.excepthook(*sys.exc_info())
        code = 1
    for thread in threading.enumerate():  # the interpreter's exit waits for non-daemon threads too
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def _exit_code(stop: SystemExit) -> int:
    """The exit code the interpreter gives ``raise SystemExit(value)``: None is 0, a non-number is printed and 1."""
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code
    print(stop.code, file=sys.stderr)
    return 1


def preload(modules: list[str]) -> None:
    for name in modules:
        importlib.import_module(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub_tools.release.launcher", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fd", type=int, required=True, help="the socket to the parent (inherited)")
    parser.add_argument("--preload", default=",".join(PRELOAD), help="modules to import before the first fork")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which closes the channel
    preload([m for m in args.preload.split(",") if m])
    request = serve(socket.socket(fileno=args.fd))
    if request is not None:
        run_forked(request)  # never returns
    return 0


if __name__ == "__main__":
    sys.exit(main())

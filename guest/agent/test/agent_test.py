#!/usr/bin/env python3
"""Protocol tests for ember-agent.

  agent_test.py BUILD/ember-agent      runs the agent on this host with --connect (no PID 1 duties)
  agent_test.py --socket VM/agent.sock [--console VM/console.log]
                                       drives an agent that is PID 1 in a running guest

Every check goes through the protocol (exec, stat, ...) so the same tests run in both modes.
"""
import argparse
import faulthandler
import hashlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emberproto import *  # noqa: E402,F403
from pty_tests import PTY_MALFORMED, PTY_TESTS  # noqa: E402
from tcp_tests import LOCAL_ONLY_MALFORMED, TCP_MALFORMED, TCP_TESTS  # noqa: E402
from meta_tests import META_MALFORMED, META_TESTS  # noqa: E402

ENOENT, EACCES, EEXIST, ENOTDIR, EISDIR, EINVAL, EAGAIN, ENOTEMPTY, EPERM = 2, 13, 17, 20, 21, 22, 11, 39, 1


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_error(errno, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except AgentError as e:
        check(e.errno == errno, f"expected errno {errno}, got {e.errno} ({e.message})")
        return e
    raise AssertionError(f"expected errno {errno}, call succeeded")


# Users for the USER tests: the local agent reads them with --etc; in a VM they replace /etc/passwd and
# /etc/group for the duration of the test.
PASSWD = """root:x:0:0:root:/root:/bin/sh
# a comment
alice:x:1000:1000:Alice:/home/alice:/bin/sh
bob:x:1001:1001::/home/bob:/bin/sh
broken:x:notanumber:1:::
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
"""
GROUP = """root:x:0:
alice:x:1000:
bob:x:1001:
audio:x:29:alice,bob
video:x:44:bob
staff:x:50:alice
nogroup:x:65534:
"""


def seq_bytes(a, b):
    return "".join(f"{i}\n" for i in range(a, b + 1)).encode()


class LocalTarget:
    """Runs the agent binary here, connected to a socket this test listens on."""

    mode = "local"

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="ember-agent-test-")
        os.chmod(self.dir, 0o755)  # USER tests run processes as other users in here
        self.base = os.path.join(self.dir, "fs")
        os.mkdir(self.base)
        self.workspace = os.path.join(self.dir, "ws")
        os.mkdir(self.workspace)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.metadata_port = probe.getsockname()[1]  # the metadata endpoint (--metadata-port)
        probe.close()
        self.etc = os.path.join(self.dir, "etc")  # the agent's users (--etc), never the host's
        os.mkdir(self.etc)
        for name, text in (("passwd", PASSWD), ("group", GROUP)):
            with open(os.path.join(self.etc, name), "w") as f:
                f.write(text)

    def start(self):
        path = os.path.join(self.dir, "agent.sock")
        if os.path.exists(path):
            os.unlink(path)
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(path)
        lsock.listen(1)
        lsock.settimeout(10)
        proc = subprocess.Popen([self.binary, "--connect", path, "--workspace", self.workspace, "--etc", self.etc,
                                 "--metadata-port", str(self.metadata_port)],
                                stderr=subprocess.PIPE)
        conn, _ = lsock.accept()
        lsock.close()
        return Client(conn), proc

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class VmTarget:
    """An agent that is PID 1 in a guest; its channel is the socket QEMU listens on."""

    mode = "vm"

    def __init__(self, sock_path, console=None):
        self.sock_path = sock_path
        self.console = console  # the guest's console log, where the agent reports violations
        self.violations_seen = 0
        if console:
            with open(console, errors="replace") as f:
                self.violations_seen = f.read().count("protocol violation")
        self.base = "/tmp/ember-agent-test"
        self.workspace = "/workspace"

    def start(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.sock_path)
        return Client(s), None

    def cleanup(self):
        pass


class Ctx:
    def __init__(self, target):
        self.t = target
        self.c, self.proc = target.start()
        self.base = target.base
        self.agent_pid = self.proc.pid if self.proc else 1

    def p(self, *parts):
        return os.path.join(self.base, *parts)

    def sh(self, script, **kw):
        return self.c.run(["sh", "-c", script], **kw)


# ---------------------------------------------------------------- tests


def test_hello(x):
    f = x.c.hello()
    check(f[VERSION] == 2, f"version {f}")
    check(f[AGENT] == "ember-agent 0.1.0", f"agent {f}")
    check(f[KERNEL] == os.uname().release or x.t.mode == "vm", f"kernel {f}")
    check(f[HOSTNAME], "hostname empty")
    return f"kernel {f[KERNEL]}, hostname {f[HOSTNAME]}"


def test_hello_byte_by_byte(x):
    for b in frame(0, HELLO):
        x.c.send_raw(bytes([b]))
        time.sleep(0.002)
    check(x.c.next(0).type == HELLO_OK, "no HELLO_OK")


def test_exit_codes(x):
    for argv, code in ((["true"], 0), (["false"], 1), (["sh", "-c", "exit 42"], 42)):
        _, _, e = x.c.run(argv)
        check(e[CODE] == code and e[SIGNO] == 0 and e[TIMED_OUT] == 0, f"{argv}: {e}")


def test_killed_by_signal(x):
    _, _, e = x.sh("kill -9 $$")
    check(e[CODE] == -1 and e[SIGNO] == 9 and e[TIMED_OUT] == 0, f"{e}")


def test_signal_frame(x):
    sid, _ = x.c.exec_start(["sleep", "30"])
    x.c.send(sid, SIGNAL, f_int(SIGNO, 15))
    _, _, e = x.c.collect(sid, timeout=10)
    check(e[CODE] == -1 and e[SIGNO] == 15, f"{e}")


def test_stdout_stderr(x):
    out, err, e = x.sh("echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 3")
    check(out == b"out1\nout2\n", f"stdout {out!r}")
    check(err == b"err1\nerr2\n", f"stderr {err!r}")
    check(e[CODE] == 3, f"{e}")


def test_env_cwd_path(x):
    out, _, _ = x.c.run(["sh", "-c", 'echo "$FOO|$HOME|$(pwd)"'],
                        env={"PATH": TEST_PATH, "FOO": "bar baz"}, cwd="/")
    check(out == b"bar baz||/\n", f"{out!r}")
    out, _, _ = x.c.run(["pwd"])
    check(out.decode().strip() == x.t.workspace, f"default cwd {out!r}")
    out, _, _ = x.c.run(["env"], env={"PATH": TEST_PATH, "A": "1"})
    check(sorted(out.decode().split()) == sorted(["PATH=" + TEST_PATH, "A=1"]), f"env {out!r}")


def test_exec_errors(x):
    expect_error(ENOENT, x.c.exec_start, ["no-such-command-xyz"])
    expect_error(ENOENT, x.c.exec_start, ["ls"], env={"PATH": "/nonexistent"})
    expect_error(ENOENT, x.c.exec_start, ["true"], cwd=x.p("missing-dir"))
    expect_error(EINVAL, x.c.exec_start, ["true"], cwd="relative")
    x.c.write_file(x.p("noexec.sh"), b"#!/bin/sh\necho hi\n", mode=0o644)
    expect_error(EACCES, x.c.exec_start, [x.p("noexec.sh")])
    sid = x.c.new_stream()  # EXEC without ARG
    x.c.send(sid, EXEC, f_int(STDIN_F, 0))
    ev = x.c.next(sid)
    check(ev.type == ERROR and ev.fields[ERRNO] == EINVAL, f"{ev}")


def test_big_exec_frame(x):
    env = {"PATH": TEST_PATH}
    for k in "ABCDE":
        env[k] = k * 120000
    out, _, e = x.c.run(["sh", "-c", 'echo ${#A}${#E}'], env=env)
    check(out == b"120000120000\n" and e[CODE] == 0, f"{out!r} {e}")


def test_window_strict(x):
    """Without grants the agent sends exactly WINDOW bytes, then nothing."""
    sid, _ = x.c.exec_start(["seq", "1", "300000"])
    got = bytearray()
    while len(got) < WINDOW:
        ev = x.c.next(sid, 30)
        check(ev.type == STDOUT, f"{ev}")
        got += ev.payload
    check(len(got) == WINDOW, f"received {len(got)} > window")
    check(x.c.quiet(sid, 0.7), "agent sent beyond its window")
    x.c.grant(sid, len(got))
    out, err, e = x.c.collect(sid)
    got += out
    check(bytes(got) == seq_bytes(1, 300000) and e[CODE] == 0, "content mismatch")
    check(x.c.max_outstanding[sid] <= WINDOW, "outstanding above window")


def test_10mb_slow_grants(x):
    """10 MB of output while the host hands back credit late and in small pieces."""
    n = 1400000
    sid, _ = x.c.exec_start(["seq", "1", str(n)])
    got, owed, t0 = bytearray(), 0, time.monotonic()
    while True:
        ev = x.c.next(sid, 60)
        if ev.type == EXIT:
            break
        check(ev.type == STDOUT, f"{ev}")
        got += ev.payload
        owed += len(ev.payload)
        while owed >= 16384:  # slow host: 16 KiB at a time, a pause every 256 KiB
            x.c.grant(sid, 16384)
            owed -= 16384
            time.sleep(0.001)
        if owed:
            x.c.grant(sid, owed)
            owed = 0
    dt = time.monotonic() - t0
    check(bytes(got) == seq_bytes(1, n), "content mismatch")
    check(ev.fields[CODE] == 0, f"{ev}")
    check(x.c.max_outstanding[sid] <= WINDOW, "outstanding above window")
    check(not x.c.violations, f"{x.c.violations}")
    return f"{len(got) / 1e6:.1f} MB in {dt:.2f}s, max outstanding {x.c.max_outstanding[sid]}"


def test_10mb_fast(x):
    """Throughput of exec output with a producer that costs next to nothing."""
    n = 10 * 1024 * 1024
    t0 = time.monotonic()
    out, _, e = x.c.run(["dd", "if=/dev/zero", "bs=65536", f"count={n // 65536}"])
    dt = time.monotonic() - t0
    check(out == bytes(n) and e[CODE] == 0, f"{len(out)} bytes")
    return f"{len(out) / dt / 1e6:.1f} MB/s"


def test_concurrent_execs(x):
    streams = {}
    for k in range(4):
        a, b = k * 100000 + 1, k * 100000 + 60000 + k * 10000
        sid, _ = x.c.exec_start(["sh", "-c", f"seq {a} {b}; seq {b} {b + 5000} >&2; exit {k}"])
        streams[sid] = (k, a, b, bytearray(), bytearray())
    done = {}
    while len(done) < 4:
        ev = x.c.next(None, 60)
        k, a, b, out, err = streams[ev.stream]
        if ev.type in (STDOUT, STDERR):
            (out if ev.type == STDOUT else err).extend(ev.payload)
            x.c.grant(ev.stream, len(ev.payload))
        else:
            check(ev.type == EXIT, f"{ev}")
            done[ev.stream] = ev.fields
    for sid, (k, a, b, out, err) in streams.items():
        check(bytes(out) == seq_bytes(a, b), f"stream {sid} stdout")
        check(bytes(err) == seq_bytes(b, b + 5000), f"stream {sid} stderr")
        check(done[sid][CODE] == k, f"stream {sid} exit {done[sid]}")


def _feed(c, sid, data, close=True):
    def run():
        c.send_data(sid, STDIN, data)
        if close:
            c.send(sid, STDIN)
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th


def test_stdin(x):
    data = os.urandom(3 * 1024 * 1024 + 123)
    sid, _ = x.c.exec_start(["cat"], stdin=True)
    th = _feed(x.c, sid, data)
    out, _, e = x.c.collect(sid)
    th.join(10)
    check(out == data and e[CODE] == 0, f"cat echoed {len(out)} of {len(data)} bytes")
    sid, _ = x.c.exec_start(["wc", "-c"], stdin=True)
    _feed(x.c, sid, b"x" * 100000).join(10)
    out, _, e = x.c.collect(sid)
    check(out.strip() == b"100000", f"wc {out!r}")
    out, _, e = x.c.run(["cat"])  # stdin = /dev/null
    check(out == b"" and e[CODE] == 0, "cat without stdin")


def test_stdin_not_read(x):
    """A process that never reads stdin exits; the host is never left without credit."""
    sid, _ = x.c.exec_start(["sh", "-c", "exec 0<&-; sleep 0.3"], stdin=True)
    th = _feed(x.c, sid, b"y" * (2 * 1024 * 1024))
    _, _, e = x.c.collect(sid)
    th.join(10)
    check(not th.is_alive() and e[CODE] == 0, f"{e}")


def test_timeout(x):
    t0 = time.monotonic()
    _, _, e = x.c.run(["sleep", "30"], timeout_ms=400)
    check(e[TIMED_OUT] == 1 and e[SIGNO] == 9 and e[CODE] == -1, f"{e}")
    t1 = time.monotonic()
    _, _, e = x.sh("sleep 30 & sleep 30", timeout_ms=400)  # the whole group goes
    check(e[TIMED_OUT] == 1 and e[SIGNO] == 9, f"{e}")
    return f"{t1 - t0:.2f}s, group {time.monotonic() - t1:.2f}s"


def test_grandchild_holds_pipe(x):
    t0 = time.monotonic()
    out, _, e = x.sh("(sleep 0.3; echo late) & echo early")  # within the grace: its output is kept
    check(out == b"early\nlate\n", f"{out!r}")
    check(e[CODE] == 0 and time.monotonic() - t0 >= 0.25, f"{e}")


def test_detached_child_does_not_hold_stream(x):
    # The process left behind keeps both pipes open; EXIT comes a grace (1 s) after the shell is reaped.
    t0 = time.monotonic()
    out, _, e = x.sh("setsid sleep 4 & echo started")
    took = time.monotonic() - t0
    check(out == b"started\n" and e[CODE] == 0 and e[TIMED_OUT] == 0, f"{out!r} {e}")
    check(0.9 <= took < 3, f"EXIT after {took:.2f}s")
    # At the timeout: the group is killed, the detached child is not, and the stream still ends.
    t1 = time.monotonic()
    out, _, e = x.sh("setsid sleep 4 & echo started; sleep 30", timeout_ms=500)
    took2 = time.monotonic() - t1
    check(out == b"started\n" and e[TIMED_OUT] == 1 and e[SIGNO] == 9, f"{out!r} {e}")
    check(took2 < 3, f"EXIT after {took2:.2f}s")
    # A writer that never stops: cut at the grace too (it then dies of SIGPIPE); what the pipe held is still sent.
    t2 = time.monotonic()
    out, _, e = x.sh("echo started; setsid yes &")
    check(out.startswith(b"started\ny\n") and e[CODE] == 0 and time.monotonic() - t2 < 4, f"{len(out)} {e}")
    return f"{took:.2f}s, at the timeout {took2:.2f}s"


def test_orphans_reaped(x):
    x.sh("for i in 1 2 3 4 5; do (sleep 0.1 </dev/null >/dev/null 2>&1 &) ; done")
    time.sleep(1)
    out, _, _ = x.sh("cat /proc/[0-9]*/stat 2>/dev/null")
    zombies = [l for l in out.decode(errors="replace").splitlines()
               if re.match(r"^\d+ \(.*\) Z (\d+) ", l) and
               int(re.match(r"^\d+ \(.*\) Z (\d+) ", l).group(1)) == x.agent_pid]
    check(not zombies, f"zombies: {zombies}")


def test_cancel_exec(x):
    sid, pid = x.c.exec_start(["sleep", "30"])
    x.c.send(sid, CANCEL)
    check(x.c.quiet(sid, 0.5), "frames after CANCEL")
    _, _, e = x.sh(f"kill -0 {pid} 2>/dev/null")
    check(e[CODE] != 0, f"process {pid} still alive")


def test_unknown_stream_frames_ignored(x):
    x.c.send(9999, WINDOW_T, f_int(N, 100))
    x.c.send(9999, STDIN, b"abc")
    x.c.send(9999, CANCEL)
    x.c.send(9999, FILE_DATA, b"abc")
    x.c.hello()


def test_file_roundtrip_20mb(x):
    data = random.Random(7).randbytes(20 * 1024 * 1024 + 17)
    path = x.p("big.bin")
    t0 = time.monotonic()
    x.c.write_file(path, data, mode=0o600)
    t1 = time.monotonic()
    size, back = x.c.read_file(path)
    t2 = time.monotonic()
    check(size == len(data), f"FILE_INFO size {size}")
    check(hashlib.sha256(back).digest() == hashlib.sha256(data).digest(), "checksum mismatch")
    st = x.c.stat(path)
    check(st[TYPE] == "file" and st[SIZE] == len(data) and st[MODE] == 0o600, f"{st}")
    out, _, _ = x.c.run(["sha256sum", path])
    check(out.split()[0].decode() == hashlib.sha256(data).hexdigest(), "guest checksum mismatch")
    x.c.remove(path)
    mb = len(data) / 1e6
    return f"write {mb / (t1 - t0):.1f} MB/s, read {mb / (t2 - t1):.1f} MB/s"


def test_file_write_atomic_and_cancel(x):
    path = x.p("partial.bin")
    sid = x.c.new_stream()
    x.c.send(sid, FILE_WRITE, f_str(PATH, path) + f_int(MODE, 0o644))
    x.c.send_data(sid, FILE_DATA, b"z" * 100000)
    x.c.hello()  # a round trip: the data has been processed
    expect_error(ENOENT, x.c.stat, path)
    check(x.c.stat(f"{path}.ember-tmp-{sid}")[SIZE] == 100000, "temp file")
    x.c.send(sid, CANCEL)
    x.c.hello()
    expect_error(ENOENT, x.c.stat, f"{path}.ember-tmp-{sid}")
    expect_error(ENOENT, x.c.stat, path)
    check(x.c.quiet(sid, 0.3), "frames after CANCEL")
    x.c.write_file(path, b"first")
    x.c.write_file(path, b"second")  # replaces
    check(x.c.read_file(path) == (6, b"second"), "overwrite")
    x.c.write_file(x.p("empty"), b"")
    check(x.c.read_file(x.p("empty")) == (0, b""), "empty file")


def test_file_errors(x):
    expect_error(ENOENT, x.c.write_file, x.p("no", "such", "dir", "f"), b"data")
    x.c.mkdir(x.p("adir"), parents=True)
    expect_error(EISDIR, x.c.write_file, x.p("adir"), b"data")
    expect_error(EISDIR, x.c.read_file, x.p("adir"))
    expect_error(EINVAL, x.c.read_file, "/dev/null")
    expect_error(ENOENT, x.c.read_file, x.p("missing"))
    expect_error(EINVAL, x.c.read_file, "relative/path")
    expect_error(ENOENT, x.c.stat, "")
    expect_error(EINVAL, x.c.stat, "nope")


def test_file_read_window(x):
    data = random.Random(3).randbytes(1024 * 1024)
    path = x.p("win.bin")
    x.c.write_file(path, data)
    sid = x.c.new_stream()
    x.c.send(sid, FILE_READ, f_str(PATH, path))
    check(x.c.next(sid).fields[SIZE] == len(data), "size")
    got = bytearray()
    while len(got) < WINDOW:
        got += x.c.next(sid).payload
    check(len(got) == WINDOW and x.c.quiet(sid, 0.7), "read beyond window")
    x.c.send(sid, CANCEL)
    check(x.c.quiet(sid, 0.3), "frames after CANCEL")
    check(got == data[:WINDOW], "content")


def test_stat_list(x):
    d = x.p("listme")
    x.c.mkdir(d)
    x.c.write_file(os.path.join(d, "a.txt"), b"hello", mode=0o640)
    x.c.mkdir(os.path.join(d, "sub"), mode=0o700)
    x.c.run(["ln", "-s", "/etc", os.path.join(d, "link")])
    entries = x.c.list(d)
    check(sorted(entries) == ["a.txt", "link", "sub"], f"{sorted(entries)}")
    a = entries["a.txt"]
    check(a[TYPE] == "file" and a[SIZE] == 5 and a[MODE] == 0o640, f"{a}")
    check(abs(a[MTIME_MS] / 1000 - time.time()) < 300, f"mtime {a[MTIME_MS]}")
    check(entries["sub"][TYPE] == "directory" and entries["sub"][MODE] == 0o700, f"{entries['sub']}")
    check(entries["link"][TYPE] == "symlink", f"{entries['link']}")
    check(x.c.stat(os.path.join(d, "link"))[TYPE] == "symlink", "stat follows symlink")
    check(x.c.stat(d)[TYPE] == "directory", "stat dir")
    check(x.c.stat("/dev/null")[TYPE] == "other", "stat /dev/null")
    expect_error(ENOENT, x.c.stat, x.p("missing"))
    expect_error(ENOTDIR, x.c.list, os.path.join(d, "a.txt"))
    expect_error(ENOENT, x.c.list, x.p("missing"))
    many = x.p("many")
    x.c.mkdir(many)
    x.c.run(["sh", "-c", "i=0; while [ $i -lt 600 ]; do : > f$i; i=$((i+1)); done"], cwd=many)
    check(len(x.c.list(many)) == 600, "600 entries")


def test_mkdir_remove(x):
    d = x.p("mk")
    x.c.mkdir(d, mode=0o750)
    check(x.c.stat(d)[MODE] == 0o750, "mode")
    expect_error(EEXIST, x.c.mkdir, d)
    x.c.mkdir(d, parents=True)
    x.c.mkdir(x.p("mk", "a", "b", "c"), parents=True)
    check(x.c.stat(x.p("mk", "a", "b", "c"))[TYPE] == "directory", "nested")
    expect_error(ENOENT, x.c.mkdir, x.p("mk", "x", "y"))
    x.c.write_file(x.p("mk", "file"), b"f")
    expect_error(EEXIST, x.c.mkdir, x.p("mk", "file"), parents=True)
    expect_error(ENOTDIR, x.c.mkdir, x.p("mk", "file", "sub"), parents=True)
    # a symlink to a directory outside: removed, never followed
    outside = x.p("outside")
    x.c.mkdir(outside)
    x.c.write_file(os.path.join(outside, "keep"), b"keep")
    x.c.run(["ln", "-s", outside, x.p("mk", "a", "escape")])
    expect_error(ENOTEMPTY, x.c.remove, d)
    x.c.remove(d, recursive=True)
    expect_error(ENOENT, x.c.stat, d)
    check(x.c.read_file(os.path.join(outside, "keep")) == (4, b"keep"), "followed a symlink")
    x.c.remove(os.path.join(outside, "keep"))
    x.c.remove(outside)
    expect_error(ENOENT, x.c.remove, outside)
    expect_error(EINVAL, x.c.remove, x.p(".."), recursive=True)
    expect_error(EBUSY_OR_PERM, x.c.remove, "/", recursive=True)


EBUSY_OR_PERM = 16


def test_stream_limit(x):
    d = x.p("limit")
    x.c.mkdir(d)
    sids = []
    for i in range(256):
        sid = x.c.new_stream()
        x.c.send(sid, FILE_WRITE, f_str(PATH, os.path.join(d, f"f{i}")) + f_int(MODE, 0o644))
        sids.append(sid)
    sid = x.c.new_stream()
    x.c.send(sid, STAT, f_str(PATH, d))
    ev = x.c.next(sid)
    check(ev.type == ERROR and ev.fields[ERRNO] == EAGAIN, f"257th stream: {ev}")
    for s in sids:
        x.c.send(s, CANCEL)
    check(x.c.list(d) == {}, "temp files left after CANCEL")
    x.c.remove(d)


def test_memory_after_streaming(x):
    """Run before test_big_exec_frame: peak after 10 MB of output, 20 MB of file in and out."""
    return test_memory(x)


def test_memory(x):
    out, _, _ = x.c.run(["cat", f"/proc/{x.agent_pid}/status"])
    st = dict(l.split(":", 1) for l in out.decode().splitlines() if ":" in l)
    return f"VmRSS {st['VmRSS'].strip()}, VmHWM {st['VmHWM'].strip()}"


def test_pid1_duties(x):
    """VM mode only: what the agent sets up as PID 1."""
    out, _, _ = x.c.run(["cat", "/proc/mounts"])
    mounts = {l.split()[1]: l.split()[2] for l in out.decode().splitlines()}
    for point, fs in (("/proc", "proc"), ("/sys", "sysfs"), ("/dev", "devtmpfs"), ("/dev/pts", "devpts"),
                      ("/dev/shm", "tmpfs"), ("/tmp", "tmpfs"), ("/run", "tmpfs")):
        check(mounts.get(point) == fs, f"{point}: {mounts.get(point)}")
    hostname = x.c.hello()[HOSTNAME]
    out, _, _ = x.c.run(["hostname"])
    check(out.decode().strip() == hostname, f"hostname {out!r} vs {hostname}")
    out, _, _ = x.c.run(["cat", "/sys/class/net/lo/flags"])
    check(int(out, 16) & 1, f"lo not up: {out!r}")
    check(x.c.stat("/workspace")[TYPE] == "directory", "/workspace")
    out, _, e = x.c.run(["sh", "-c", "kill -TERM 1; kill -INT 1; kill -HUP 1; sleep 0.2; echo alive"])
    check(out == b"alive\n", f"{out!r}")
    x.c.hello()  # still there
    out, _, _ = x.c.run(["sh", "-c", "echo hi > /dev/stderr; ls /dev/fd/ >/dev/null && echo fd"])
    check(out == b"fd\n", f"/dev/fd {out!r}")
    out, _, _ = x.c.run(["cat", "/proc/1/status"])
    threads = [l for l in out.decode().splitlines() if l.startswith("SigIgn") or l.startswith("SigBlk")]
    return ", ".join(threads)


def test_reconnect_keeps_processes(x):
    """VM mode only: a host that goes away abandons its streams, not the guest's processes."""
    marker = x.p("marker")
    sid, pid = x.c.exec_start(["sh", "-c", f"sleep 1; seq 1 100000; echo done > {marker}"])
    fw = x.c.new_stream()
    x.c.send(fw, FILE_WRITE, f_str(PATH, x.p("half")) + f_int(MODE, 0o644))
    x.c.send(fw, FILE_DATA, b"half a file")
    x.c.close()
    time.sleep(0.5)
    x.c, _ = x.t.start()
    x.c.hello()
    time.sleep(1.5)
    check(x.c.read_file(marker) == (5, b"done\n"), "the process died with the connection")
    check(x.c.list(x.base).keys().isdisjoint({"half", f"half.ember-tmp-{fw}"}), "file write left behind")
    check(x.c.quiet(sid, 0.2) and x.c.quiet(fw, 0.1), "frames of the old connection")
    _, _, e = x.sh(f"kill -0 {pid} 2>/dev/null")
    check(e[CODE] != 0, "not reaped")


def with_users(x, fn):
    """Runs fn with the test users in place (a VM's own files are put back afterwards)."""
    if x.t.mode == "local":
        return fn()
    saved = {f: x.c.read_file(f)[1] for f in ("/etc/passwd", "/etc/group")}
    try:
        x.c.write_file("/etc/passwd", PASSWD.encode())
        x.c.write_file("/etc/group", GROUP.encode())
        return fn()
    finally:
        for f, data in saved.items():
            x.c.write_file(f, data)


def ids(x, user, **kw):
    out, err, e = x.c.run(["sh", "-c", "echo $(id -u) $(id -g) $(id -G)"], user=user, **kw)
    check(e[CODE] == 0, f"id as {user}: {err!r}")
    u, g, *groups = out.decode().split()
    return int(u), int(g), sorted(int(v) for v in groups)


def test_user(x):
    def body():
        check(ids(x, "alice") == (1000, 1000, [29, 50, 1000]), f"alice {ids(x, 'alice')}")
        check(ids(x, "1001") == (1001, 1001, [29, 44, 1001]), f"1001 {ids(x, '1001')}")
        check(ids(x, "alice:video") == (1000, 44, [44]), f"alice:video {ids(x, 'alice:video')}")
        check(ids(x, "alice:7") == (1000, 7, [7]), f"alice:7 {ids(x, 'alice:7')}")
        check(ids(x, "bob:44") == (1001, 44, [44]), "bob:44")
        check(ids(x, "4242") == (4242, 0, [0]), f"4242 {ids(x, '4242')}")  # Docker: unknown uid, gid 0
        check(ids(x, "4242:4243") == (4242, 4243, [4243]), "4242:4243")
        check(ids(x, "root") == (0, 0, [0]), "root")
        e = expect_error(ENOENT, x.c.exec_start, ["true"], user="nosuch")
        check("unknown user 'nosuch'" in e.message, e.message)
        e = expect_error(ENOENT, x.c.exec_start, ["true"], user="alice:nosuchgroup")
        check("unknown group 'nosuchgroup'" in e.message, e.message)
        expect_error(ENOENT, x.c.exec_start, ["true"], user="broken")  # its uid is not a number
        for bad in ("", "alice:", ":video", "x" * 200, "99999999999"):
            expect_error(ENOENT if bad == "99999999999" else EINVAL, x.c.exec_start, ["true"], user=bad)
        # the directory is entered as the user: a root-only one is refused
        x.c.mkdir(x.p("private"), mode=0o700)
        expect_error(EACCES, x.c.exec_start, ["true"], user="alice", cwd=x.p("private"))
        _, _, e = x.c.run(["true"], user="root", cwd=x.p("private"))
        check(e[CODE] == 0, "root in a root-only directory")
        # the environment stays the host's: no HOME from passwd
        out, _, _ = x.c.run(["sh", "-c", 'echo "[$HOME]"'], user="alice", cwd="/")
        check(out == b"[]\n", f"HOME {out!r}")
    with_users(x, body)


def _alive(x, pid):
    _, _, e = x.sh(f"kill -0 {pid} 2>/dev/null")
    return e[CODE] == 0


def _wait_file(x, path, want, seconds=10):
    deadline = time.monotonic() + seconds
    data = b""
    while time.monotonic() < deadline:
        try:
            data = x.c.read_file(path)[1]
        except AgentError:
            data = b""
        if want in data:
            return data
        time.sleep(0.05)
    raise AssertionError(f"{path} never held {want!r}: {data!r}")


def test_spawn(x):
    log = x.p("spawn.log")
    sid, pid = x.c.spawn(["sh", "-c", "echo out; echo err >&2; read line; echo \"stdin:[$line]\"; exec sleep 60"],
                         log=log, cwd="/")
    check(x.c.quiet(sid, 0.3), "frames after STARTED on a SPAWN stream")
    data = _wait_file(x, log, b"stdin:[]")
    check(data == b"out\nerr\nstdin:[]\n", f"log {data!r}")
    check(x.c.stat(log)[MODE] & 0o777 == 0o600, f"log mode {x.c.stat(log)[MODE]:o}")
    out, _, _ = x.c.run(["cat", f"/proc/{pid}/stat"])
    fields = out.decode().rsplit(")", 1)[1].split()
    check(int(fields[3]) == pid, f"not a session leader: sid {fields[3]} for pid {pid}")
    check(_alive(x, pid), "spawned process is gone")
    _, spid2 = x.c.spawn(["sh", "-c", "echo again"], log=log)  # appends
    _wait_file(x, log, b"again\n")
    check(x.c.read_file(log)[1].startswith(b"out\nerr\n"), "log truncated by a second SPAWN")
    _, pnull = x.c.spawn(["sleep", "0.1"])  # no log: /dev/null
    check(pnull > 0, "pid")
    x.c.run(["kill", str(pid)])
    deadline = time.monotonic() + 10
    while _alive(x, pid) and time.monotonic() < deadline:  # reaped by the agent: kill -0 fails
        time.sleep(0.05)
    check(not _alive(x, pid), "the spawned process was not reaped")

    def as_user():
        ulog = x.p("user.log")
        _, upid = x.c.spawn(["sh", "-c", "echo $(id -u):$(id -g)"], log=ulog, user="bob:video", cwd="/")
        check(_wait_file(x, ulog, b"\n") == b"1001:44\n", "spawn as bob:video")
        expect_error(ENOENT, x.c.spawn, ["true"], user="nosuch")
    with_users(x, as_user)
    expect_error(EINVAL, x.c.spawn, ["true"], log="relative.log")
    expect_error(ENOENT, x.c.spawn, ["true"], log=x.p("no-dir", "x.log"))
    expect_error(ENOENT, x.c.spawn, ["no-such-command-xyz"])
    expect_error(EINVAL, x.c.spawn, ["sleep", "1"], extra=f_int(TIMEOUT_MS, 1000))
    expect_error(EINVAL, x.c.spawn, ["cat"], extra=f_int(STDIN_F, 1))
    return f"pid {pid}"


def test_spawn_outlives_host(x):
    """A spawned process survives the host's connection (and, on the host, the agent itself)."""
    if x.t.mode == "local":
        c, proc = x.t.start()
        c.hello()
        _, pid = c.spawn(["sleep", "60"])
        c.close()
        check(proc.wait(timeout=10) == 0, "agent exit code after EOF")
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            raise AssertionError("the spawned process died with the agent")
        os.kill(pid, 9)
        return f"pid {pid} outlived its agent"
    _, pid = x.c.spawn(["sleep", "60"])
    x.c.close()
    time.sleep(0.5)
    x.c, _ = x.t.start()
    x.c.hello()
    check(_alive(x, pid), "the spawned process died with the connection")
    x.c.run(["kill", str(pid)])
    return f"pid {pid} outlived the connection"


def test_restored_validation(x):
    """Bad RESTORED fields are refused; on the host (--connect) a valid one is refused and changes nothing."""
    now = time.time_ns()  # even if a guard failed, the clock would not move
    ent = os.urandom(32)
    expect_error(EINVAL, x.c.restored, entropy=ent)
    expect_error(EINVAL, x.c.restored, time_ns=0, entropy=ent)
    expect_error(EINVAL, x.c.restored, time_ns=now)
    expect_error(EINVAL, x.c.restored, time_ns=now, entropy=os.urandom(31))
    expect_error(EINVAL, x.c.restored, time_ns=now, entropy=os.urandom(257))
    for bad in ("bad_name", "-x", "x-", "a..b", "", "a" * 65, "sp ace"):
        expect_error(EINVAL, x.c.restored, time_ns=now, entropy=ent, hostname=bad)
    expect_error(EINVAL, x.c.restored, time_ns=now, entropy=ent, new_identity=2)
    for bad in ("10.0.0.2/30,10.0.0.1,10.0.0.1", "10.0.0.2/30,10.0.0.1,10.0.0.1,02:00:00:00:00:01,x",
                "10.0.0.2/32,10.0.0.1,10.0.0.1,02:00:00:00:00:01", "10.0.0.2/0,10.0.0.1,10.0.0.1,02:00:00:00:00:01",
                "10.0.0.2/3x,10.0.0.1,10.0.0.1,02:00:00:00:00:01", "10.0.0.256/30,10.0.0.1,10.0.0.1,02:00:00:00:00:01",
                "10.0.0.2/30,10.0.0.1,10.0.0.1,01:00:00:00:00:01", "10.0.0.2/30,10.0.0.1,10.0.0.1,00:00:00:00:00:00",
                "10.0.0.2/30,10.0.0.1,10.0.0.1,02:00:00:00:00:0g", "10.0.0.2/30,10.0.0.1,10.0.0.1,02-00-00-00-00-01",
                "10.0.0.2,10.0.0.1/30,10.0.0.1,02:00:00:00:00:01", "", "x" * 200):
        expect_error(EINVAL, x.c.restored, time_ns=now, entropy=ent, net=bad)
    if x.t.mode != "local":
        return "validation only"
    before = socket.gethostname()
    e = expect_error(EPERM, x.c.restored, time_ns=now, entropy=os.urandom(256), hostname="ember-must-not-set",
                     new_identity=1, net="198.51.100.2/30,198.51.100.1,198.51.100.1,02:eb:00:00:00:01")
    check("host" in e.message, e.message)
    check(socket.gethostname() == before, "the host's hostname changed")
    check(abs(time.time_ns() - now) < 60 * 10**9, "the host's clock moved")
    return e.message


def test_restored_guest(x):
    """VM mode only: RESTORED sets the clock and hostname and renews /etc/machine-id."""
    old_host = x.c.hello()[HOSTNAME]
    x.c.write_file("/etc/machine-id", b"0" * 32 + b"\n")
    x.c.run(["date", "-s", "@1000000000"])  # 2001: a stale clock
    t0 = time.monotonic()
    x.c.restored(time_ns=time.time_ns(), entropy=os.urandom(64), hostname="restored-name", new_identity=1)
    rtt = (time.monotonic() - t0) * 1000
    out, _, _ = x.c.run(["date", "+%s"])
    check(abs(int(out) - time.time()) < 30, f"guest clock {out!r}")
    out, _, _ = x.c.run(["hostname"])
    check(out == b"restored-name\n", f"hostname {out!r}")
    mid = x.c.read_file("/etc/machine-id")[1]
    check(re.fullmatch(rb"[0-9a-f]{32}\n", mid) and mid != b"0" * 32 + b"\n", f"machine-id {mid!r}")
    x.c.restored(time_ns=time.time_ns(), entropy=os.urandom(32), hostname=old_host)
    x.c.remove("/etc/machine-id")
    return f"round trip {rtt:.1f} ms"


VM_TESTS = [test_pid1_duties, test_restored_guest, test_reconnect_keeps_processes]

MAIN_TESTS = [test_hello, test_hello_byte_by_byte, test_exit_codes, test_killed_by_signal,
              test_signal_frame, test_stdout_stderr, test_env_cwd_path, test_exec_errors,
              test_window_strict, test_10mb_slow_grants, test_10mb_fast,
              test_concurrent_execs, test_stdin, test_stdin_not_read, test_timeout,
              test_grandchild_holds_pipe, test_detached_child_does_not_hold_stream, test_orphans_reaped, test_cancel_exec,
              test_unknown_stream_frames_ignored, test_file_roundtrip_20mb,
              test_file_write_atomic_and_cancel, test_file_errors, test_file_read_window,
              test_stat_list, test_mkdir_remove, test_stream_limit, test_memory_after_streaming,
              test_big_exec_frame, test_user, test_spawn, test_spawn_outlives_host, test_restored_validation,
              *PTY_TESTS, test_memory]

# ---------------------------------------------------------------- malformed frames


def _exec_payload(argv, stdin):
    return b"".join(f_str(ARG, a) for a in argv) + f_str(ENV, "PATH=" + TEST_PATH) + f_int(STDIN_F, stdin)


def _stdin_overrun(c):
    c.send(1, EXEC, _exec_payload(["sleep", "30"], 1))
    check(c.next(1).type == STARTED, "started")
    try:
        for _ in range(16):
            c.send(1, STDIN, b"q" * MAX_CHUNK)
    except OSError:
        pass  # the agent hung up on us: that is the point


def _reopen(c):
    c.send(1, FILE_WRITE, f_str(PATH, "/tmp/ember-agent-test-x") + f_int(MODE, 0o644))
    c.send(1, FILE_WRITE, f_str(PATH, "/tmp/ember-agent-test-y") + f_int(MODE, 0o644))


MALFORMED = {
    "length above MAX_FRAME": lambda c: c.send_raw(struct.pack(">IIBxxx", MAX_FRAME + 1, 0, HELLO)),
    "nonzero reserved byte": lambda c: c.send_raw(frame(0, HELLO, reserved=b"\0\1\0")),
    "unknown type": lambda c: c.send(0, 0x42),
    "guest-only type from host": lambda c: c.send(0, HELLO_OK),
    "field overruns payload": lambda c: c.send(7, STAT, struct.pack(">BI", PATH, 100) + b"/tmp"),
    "truncated field header": lambda c: c.send(7, STAT, b"\x07\x00"),
    "int field not 8 bytes": lambda c: c.send(7, SIGNAL, struct.pack(">BIi", SIGNO, 4, 9)),
    "request on stream 0": lambda c: c.send(0, STAT, f_str(PATH, "/")),
    "HELLO on a stream": lambda c: c.send(5, HELLO),
    "chunk above MAX_CHUNK": lambda c: c.send(3, STDIN, b"x" * (MAX_CHUNK + 1)),
    "WINDOW of 0": lambda c: c.send(3, WINDOW_T, f_int(N, 0)),
    "STDIN beyond the window": _stdin_overrun,
    "request on an open stream": _reopen,
    **TCP_MALFORMED,
    **PTY_MALFORMED,
    **META_MALFORMED,
}


def run_malformed(target, results):
    for name, fn in MALFORMED.items():
        if target.mode == "vm" and name in LOCAL_ONLY_MALFORMED:
            continue
        t0 = time.monotonic()
        try:
            c, proc = target.start()
            c.hello()
            fn(c)
            if proc:
                rc = proc.wait(timeout=10)
                err = proc.stderr.read().decode()
                check(rc == 3, f"exit code {rc}")
                check("protocol violation" in err, f"stderr {err!r}")
                detail = err.strip().splitlines()[-1]
            else:  # PID 1 keeps serving: a new host connection must work
                time.sleep(0.2)
                if target.console:
                    with open(target.console, errors="replace") as f:
                        log = f.read()
                    check(log.count("protocol violation") > target.violations_seen, "violation not logged")
                    target.violations_seen = log.count("protocol violation")
                c.close()
                time.sleep(0.3)
                c, _ = target.start()
                c.hello()
                c.close()  # QEMU serves one connection at a time
                time.sleep(0.3)
                detail = "agent still serves a new connection"
            results.append((f"malformed: {name}", True, detail, time.monotonic() - t0))
            print(f"PASS  malformed: {name}", file=sys.stderr, flush=True)
        except Exception as e:  # noqa: BLE001
            results.append((f"malformed: {name}", False, f"{type(e).__name__}: {e}", time.monotonic() - t0))
            traceback.print_exc()
            c.close()
            if proc and proc.poll() is None:
                proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agent", nargs="?", help="agent binary (local mode)")
    ap.add_argument("--socket", help="agent socket of a running guest (VM mode)")
    ap.add_argument("--console", help="VM mode: the guest console log, to check violations are reported")
    ap.add_argument("-k", help="only tests whose name contains this")
    args = ap.parse_args()
    target = VmTarget(args.socket, args.console) if args.socket else LocalTarget(os.path.abspath(args.agent))
    results = []
    x = Ctx(target)
    try:
        x.c.hello()
        x.c.remove(x.base, recursive=True) if target.mode == "vm" and _exists(x) else None
        x.c.mkdir(x.base, parents=True)
        for t in MAIN_TESTS + (VM_TESTS if target.mode == "vm" else TCP_TESTS + META_TESTS):
            if args.k and args.k not in t.__name__:
                continue
            t0 = time.monotonic()
            faulthandler.dump_traceback_later(300, exit=True)  # a hung test must not hang the suite
            try:
                detail = t(x)
                check(not x.c.violations, f"guest protocol violations: {x.c.violations}")
                results.append((t.__name__, True, detail or "", time.monotonic() - t0))
            except Exception as e:  # noqa: BLE001
                tb = traceback.format_exc().strip().splitlines()
                results.append((t.__name__, False, f"{type(e).__name__}: {e} [{tb[-3].strip()}]",
                                time.monotonic() - t0))
            faulthandler.cancel_dump_traceback_later()
            print(f"{'PASS' if results[-1][1] else 'FAIL'}  {results[-1][0]}", file=sys.stderr, flush=True)
        if not args.k or "malformed" in args.k:
            x.c.close()  # QEMU serves one host connection at a time
            if x.proc:
                check(x.proc.wait(timeout=10) == 0, "agent exit code after EOF")
            else:
                time.sleep(0.3)
            run_malformed(target, results)
    finally:
        if x.proc and x.proc.poll() is None:
            x.proc.kill()
        target.cleanup()
    failed = 0
    for name, ok, detail, dt in results:
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name:40s} {dt:6.2f}s  {detail}")
    print(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def _exists(x):
    try:
        x.c.stat(x.base)
        return True
    except AgentError:
        return False


if __name__ == "__main__":
    main()

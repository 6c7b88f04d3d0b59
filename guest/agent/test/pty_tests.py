"""EXEC with a terminal (PTY, ROWS, COLS) and RESIZE; both modes (the host's or the guest's tools)."""
import time

from emberproto import *  # noqa: F403

EINVAL = 22


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def pty(rows=None, cols=None, on=1):
    p = f_int(PTY, on)
    if rows is not None:
        p += f_int(ROWS, rows)
    if cols is not None:
        p += f_int(COLS, cols)
    return p


def resize(c, sid, rows, cols):
    c.send(sid, RESIZE, f_int(ROWS, rows) + f_int(COLS, cols))


def read_until(c, sid, want, got, timeout=20):
    """STDOUT of `sid` into `got` until it contains `want`; an EXIT or STDERR first is a failure."""
    deadline = time.monotonic() + timeout
    while want not in got:
        ev = c.next(sid, max(0.1, deadline - time.monotonic()))
        check(ev.type == STDOUT, f"waiting for {want!r} in {bytes(got)!r}: {ev}")
        got += ev.payload
        c.grant(sid, len(ev.payload))
    return got


def finish(c, sid, got):
    out, err, e = c.collect(sid)
    check(err == b"", f"a terminal has no separate stderr: {err!r}")
    return bytes(got) + out, e


def test_pty_interactive(x):
    """tty, its size, a line typed in, the exit status; stderr comes through the terminal too."""
    sid, _ = x.c.exec_start(["sh", "-c", "tty; stty size; echo to-err >&2; read x; echo got:$x; exit 3"],
                            extra=pty(30, 100))
    got = read_until(x.c, sid, b"to-err", bytearray())
    x.c.send_data(sid, STDIN, b"hello\n")
    out, e = finish(x.c, sid, got)
    check(b"/dev/pts/" in out, f"tty: {out!r}")
    check(b"30 100\r\n" in out, f"size: {out!r}")  # the terminal turns \n into \r\n
    check(b"got:hello\r\n" in out, f"read: {out!r}")
    check(b"hello\r\n" in out.split(b"to-err")[1], f"the terminal echoes what is typed: {out!r}")
    check(e[CODE] == 3 and e[SIGNO] == 0, f"{e}")


def test_pty_resize(x):
    sid, _ = x.c.exec_start(["sh", "-c", "stty size; read x; stty size; read y; stty size"], extra=pty(24, 80))
    got = read_until(x.c, sid, b"24 80\r\n", bytearray())
    resize(x.c, sid, 50, 132)
    x.c.send_data(sid, STDIN, b"a\n")
    got = read_until(x.c, sid, b"50 132\r\n", got)
    resize(x.c, sid, 2, 1000)  # busybox stty reports a height of 1 as 24
    x.c.send_data(sid, STDIN, b"b\n")
    out, e = finish(x.c, sid, got)
    check(b"2 1000\r\n" in out and e[CODE] == 0, f"{out!r} {e}")


def test_pty_default_size_and_term(x):
    env = {"PATH": TEST_PATH}
    out, err, e = x.c.run(["sh", "-c", 'stty size; echo "TERM=$TERM"'], env=env, extra=pty())
    check(out == b"24 80\r\nTERM=xterm-256color\r\n" and e[CODE] == 0, f"{out!r} {e}")
    out, _, _ = x.c.run(["sh", "-c", 'echo "TERM=$TERM"'], env={**env, "TERM": "vt100"}, extra=pty(5, 6))
    check(out == b"TERM=vt100\r\n", f"{out!r}")
    out, _, _ = x.c.run(["sh", "-c", 'echo "TERM=$TERM"; test -t 0 || echo not-a-tty'], env=env)
    check(out == b"TERM=\nnot-a-tty\n", f"without PTY nothing changes: {out!r}")


def test_pty_eot(x):
    """An empty STDIN is ^D: cat sees end of input, and the terminal stays open for what follows."""
    sid, _ = x.c.exec_start(["sh", "-c", "cat; echo cat-done; read z; echo z=$z"], extra=pty())
    x.c.send_data(sid, STDIN, b"abc\n")
    got = read_until(x.c, sid, b"abc\r\nabc\r\n", bytearray())  # echo, then cat
    x.c.send(sid, STDIN)
    got = read_until(x.c, sid, b"cat-done\r\n", got)
    x.c.send_data(sid, STDIN, b"more\n")
    out, e = finish(x.c, sid, got)
    check(b"z=more\r\n" in out and e[CODE] == 0, f"{out!r} {e}")


def test_pty_background_job(x):
    """A background job keeps the terminal open; EXIT still follows the shell, and the job is hung up."""
    t0 = time.monotonic()
    out, _, e = x.c.run(["sh", "-c", "sleep 30 & echo started; exit 5"], extra=pty())
    dt = time.monotonic() - t0
    check(out == b"started\r\n" and e[CODE] == 5, f"{out!r} {e}")
    check(dt < 10, f"EXIT waited for the background job: {dt:.1f}s")
    return f"{dt:.2f}s"


def test_pty_signal_and_timeout(x):
    sid, _ = x.c.exec_start(["sleep", "30"], extra=pty())
    x.c.send(sid, SIGNAL, f_int(SIGNO, 15))
    _, _, e = x.c.collect(sid, timeout=10)
    check(e[CODE] == -1 and e[SIGNO] == 15, f"{e}")
    _, _, e = x.c.run(["sh", "-c", "sleep 30; echo never"], timeout_ms=400, extra=pty())
    check(e[TIMED_OUT] == 1 and e[SIGNO] == 9, f"{e}")
    sid, _ = x.c.exec_start(["sh", "-c", "read x"], extra=pty())
    x.c.send(sid, CANCEL)
    check(x.c.quiet(sid, 0.5), "frames after CANCEL")


def test_pty_job_control(x):
    """An interactive shell runs jobs in their own process group: SIGNAL and a typed ^C reach the job."""
    sid, _ = x.c.exec_start(["sh", "-i"], extra=pty())
    # the job says it runs, so it is the terminal's foreground group by then
    x.c.send_data(sid, STDIN, b"sh -c 'echo st\"\"art; exec sleep 30'\n")
    got = read_until(x.c, sid, b"start\r\n", bytearray())
    x.c.send(sid, SIGNAL, f_int(SIGNO, 2))
    x.c.send_data(sid, STDIN, b'echo al""ive\n')
    got = read_until(x.c, sid, b"alive\r\n", got, timeout=10)
    x.c.send_data(sid, STDIN, b"sh -c 'echo ag\"\"ain; exec sleep 30'\n")
    got = read_until(x.c, sid, b"again\r\n", got)
    x.c.send_data(sid, STDIN, b'\x03echo st""ill\n')
    got = read_until(x.c, sid, b"still\r\n", got, timeout=10)
    x.c.send_data(sid, STDIN, b"exit 4\n")
    out, e = finish(x.c, sid, got)
    check(e[CODE] == 4, f"{out!r} {e}")


def test_pty_window(x):
    """Terminal output is under the window like pipe output: exactly WINDOW bytes without grants."""
    sid, _ = x.c.exec_start(["seq", "1", "100000"], extra=pty())
    got = bytearray()
    while len(got) < WINDOW:
        ev = x.c.next(sid, 30)
        check(ev.type == STDOUT, f"{ev}")
        got += ev.payload
    check(len(got) == WINDOW and x.c.quiet(sid, 0.7), f"received {len(got)}, window {WINDOW}")
    x.c.grant(sid, len(got))
    out, e = finish(x.c, sid, got)
    want = "".join(f"{i}\r\n" for i in range(1, 100001)).encode()
    check(out == want and e[CODE] == 0, f"{len(out)} bytes of {len(want)}")
    check(x.c.max_outstanding[sid] <= WINDOW, "outstanding above window")


def test_pty_bad_requests(x):
    argv = ["true"]
    for extra, why in ((pty(0, 80), "ROWS 0"), (pty(100000, 80), "ROWS 100000"), (pty(24, -1), "COLS -1"),
                       (pty(24, 1001), "COLS 1001"), (pty(on=2), "PTY 2"), (pty(24, 80, on=0), "ROWS without PTY")):
        try:
            x.c.exec_start(argv, extra=extra)
        except AgentError as err:
            check(err.errno == EINVAL, f"{why}: errno {err.errno}")
            continue
        raise AssertionError(f"{why}: accepted")
    # RESIZE is ignored where there is no terminal, and for streams that are gone or never were.
    sid, _ = x.c.exec_start(["sh", "-c", "read x; echo ok:$x"], stdin=True)
    resize(x.c, sid, 10, 10)
    resize(x.c, 999999, 10, 10)
    x.c.send_data(sid, STDIN, b"1\n")
    out, _, e = x.c.collect(sid)
    check(out == b"ok:1\n" and e[CODE] == 0, f"{out!r} {e}")
    resize(x.c, sid, 10, 10)  # after EXIT
    check(x.c.hello()[VERSION] == 2, "agent still serves")


def _resize_then(fields):
    def run(c):
        c.send(1, EXEC, b"".join(f_str(ARG, a) for a in ["sleep", "30"]) + f_str(ENV, "PATH=" + TEST_PATH) + pty())
        check(c.next(1).type == STARTED, "started")
        c.send(1, RESIZE, fields)
    return run


def _resize_file_stream(c):
    c.send(1, FILE_WRITE, f_str(PATH, "/tmp/ember-agent-test-resize") + f_int(MODE, 0o644))
    c.send(1, RESIZE, f_int(ROWS, 10) + f_int(COLS, 10))


PTY_TESTS = [test_pty_interactive, test_pty_resize, test_pty_default_size_and_term, test_pty_eot,
             test_pty_background_job, test_pty_signal_and_timeout, test_pty_job_control, test_pty_window, test_pty_bad_requests]

PTY_MALFORMED = {
    "RESIZE without ROWS": _resize_then(f_int(COLS, 80)),
    "RESIZE with ROWS 0": _resize_then(f_int(ROWS, 0) + f_int(COLS, 80)),
    "RESIZE on a file stream": _resize_file_stream,
}

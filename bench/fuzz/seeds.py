#!/usr/bin/env python3
"""Writes the agent protocol seed corpora (docs/reliability.md, Fuzzing): valid conversations, one file each.

  guest-to-host: what the Java host reads (GuestFramesFuzzTest), on the streams that test opens
                 (1 EXEC, 2 SPAWN, 3 FILE_WRITE, 4 FILE_READ, 5 STAT, 6 LIST, 7 SIMPLE, 8 TCP, 9 METADATA)
  host-to-guest: what the C agent reads (guest/agent fuzz target), requests that touch no file or process
Run from the repository root: python3 bench/fuzz/seeds.py
"""
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAVA = os.path.join(ROOT, "ember-vmm/src/test/resources/io/ember/agent/GuestFramesFuzzTestInputs/guestFrames")
FIELDS = os.path.join(ROOT, "ember-vmm/src/test/resources/io/ember/agent/FieldsFuzzTestInputs/anyPayload")
C = os.path.join(ROOT, "guest/agent/fuzz/corpus")


def s(tag, v):
    b = v.encode() if isinstance(v, str) else v
    return struct.pack(">BI", tag, len(b)) + b


def i(tag, v):
    return struct.pack(">BIq", tag, 8, v)


def fr(stream, ftype, payload=b""):
    return struct.pack(">IIB", len(payload), stream, ftype) + b"\0\0\0" + payload


OK, HELLO_OK, STARTED, STDOUT, STDERR, EXIT, FILE_INFO, STAT_RESULT, LIST_ENTRY, META_REQUEST = range(0x80, 0x8A)
ERROR, FILE_DATA, WINDOW, TCP_DATA = 0x8F, 0x06, 0x0C, 0x11
stat = s(20, "file") + i(19, 12) + i(8, 0o644) + i(21, 1700000000000)

GUEST = {
    "hello": fr(0, HELLO_OK, i(12, 1) + s(13, "ember-agent 0.1.0") + s(14, "6.1.0") + s(15, "mvm")
                + s(26, "user,spawn,restored,net,tcp,pty,metadata")),
    "exec": fr(1, STARTED, i(16, 42)) + fr(1, STDOUT, b"hello\n") + fr(1, STDERR, b"oops\n")
            + fr(1, STDOUT, b"") + fr(1, EXIT, i(17, 0) + i(6, 0) + i(18, 0)),
    "exec-error": fr(1, ERROR, i(23, 2) + s(24, "no such file")),
    "spawn": fr(2, STARTED, i(16, 7)),
    "file-write": fr(3, OK),
    "file-read": fr(4, FILE_INFO, i(19, 5)) + fr(4, FILE_DATA, b"hel") + fr(4, FILE_DATA, b"lo") + fr(4, FILE_DATA),
    "stat": fr(5, STAT_RESULT, stat),
    "list": fr(6, LIST_ENTRY, s(22, "a.txt") + stat) + fr(6, LIST_ENTRY, s(22, "b") + stat) + fr(6, OK),
    "simple": fr(7, OK),
    "tcp": fr(8, OK) + fr(8, TCP_DATA, b"HTTP/1.1 200 OK\r\n\r\n") + fr(8, TCP_DATA) + fr(8, OK),
    "metadata": fr(9, OK) + fr(9, META_REQUEST, i(34, 1)) + fr(9, META_REQUEST, i(34, 2) + s(22, "db-password")),
    "all": b"",
}
GUEST["all"] = b"".join(v for k, v in GUEST.items() if k not in ("hello", "exec-error", "all"))

HELLO, EXEC, STDIN, SIGNAL, FILE_WRITE, _, FILE_READ, STAT, LIST, MKDIR, REMOVE, _, CANCEL = range(1, 14)
SPAWN, RESTORED, CONNECT, H_TCP_DATA, RESIZE, METADATA, META_ANSWER = range(14, 21)
# The C target runs the agent's decoder and its checks of each request, on streams it never acts on for real
# (see guest/agent/fuzz/fuzz_frames.c): paths under /nonexistent, commands that fail validation.
HOST = {
    "hello": fr(0, HELLO),
    "window": fr(3, WINDOW, i(11, 65536)),
    "stat": fr(5, STAT, s(7, "/nonexistent/x")),
    "cancel": fr(9, CANCEL),
    "signal": fr(1, SIGNAL, i(6, 15)),
    "resize": fr(1, RESIZE, i(32, 40) + i(33, 120)),
    "stdin": fr(1, STDIN, b"data") + fr(1, STDIN),
    "file-data": fr(4, FILE_DATA, b"abc") + fr(4, FILE_DATA),
    "tcp-data": fr(8, H_TCP_DATA, b"GET / HTTP/1.1\r\n\r\n"),
    "meta-answer": fr(9, META_ANSWER, i(34, 1) + i(35, 200) + s(36, b"secret")),
    "exec-bad-user": fr(11, EXEC, s(1, "true") + s(2, "PATH=/bin") + s(25, "alice:") + i(4, 0) + i(5, 0)),
    "restored-bad": fr(12, RESTORED, i(27, 1) + s(28, b"short")),
    "connect-bad-port": fr(13, CONNECT, i(30, 0)),
}
HOST["all"] = b"".join(HOST.values())


def zips():
    """Code zips as the tools that upload them write them: deflated and stored, directories, Unix modes, zip64."""
    import io
    import zipfile

    def make(build, **kw):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", **kw) as z:
            build(z)
        return b.getvalue()

    def app(z):
        z.writestr("Dockerfile", "FROM debian\nCOPY app.py /app/\nCMD [\"python3\", \"/app/app.py\"]\n")
        z.writestr("app.py", "print('hello')\n" * 20)
        d = zipfile.ZipInfo("static/")
        d.external_attr = (0o40755 << 16) | 0x10
        d.create_system = 3
        z.writestr(d, b"")
        f = zipfile.ZipInfo("static/run.sh")
        f.external_attr = 0o100755 << 16
        f.create_system = 3
        z.writestr(f, "#!/bin/sh\necho run\n")
        link = zipfile.ZipInfo("static/current")
        link.external_attr = 0o120777 << 16
        link.create_system = 3
        z.writestr(link, "run.sh")

    def zip64(z):
        with z.open("Dockerfile", "w", force_zip64=True) as f:
            f.write(b"FROM busybox\n")

    return {
        "app-deflated": make(app, compression=zipfile.ZIP_DEFLATED),
        "app-stored": make(app, compression=zipfile.ZIP_STORED),
        "zip64-entry": make(zip64, compression=zipfile.ZIP_DEFLATED),
        "empty": make(lambda z: None),
    }


def write(d, corpus):
    os.makedirs(d, exist_ok=True)
    for name, data in corpus.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write(JAVA, GUEST)
    write(C, HOST)
    write(os.path.join(ROOT, "ember-server/src/test/resources/io/ember/image/build/CodeZipFuzzTestInputs/anyZip"), zips())
    write(FIELDS, {"exit": i(17, 0) + i(6, 0) + i(18, 0), "stat": s(22, "a.txt") + stat,
                   "error": i(23, 2) + s(24, "no such file"), "unknown-tag": s(200, "future") + i(16, 1)})
    print(f"{len(GUEST)} seeds in {os.path.relpath(JAVA, ROOT)}, {len(HOST)} in {os.path.relpath(C, ROOT)}")

#!/usr/bin/env python3
"""Writes the agent protocol seed corpora (docs/reliability.md, Fuzzing): valid conversations, one file each.

  guest-to-host: what the Java host reads (GuestFramesFuzzTest), on the streams that test opens
                 (1 EXEC, 2 SPAWN, 3 FILE_WRITE, 4 FILE_READ, 5 STAT, 6 LIST, 7 SIMPLE, 8 TCP, 9 METADATA)
  host-to-guest: what the C agent reads (guest/agent/fuzz/fuzz_frames.c): a stream of every kind, opened and used
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
# The C target (guest/agent/fuzz/fuzz_frames.c) opens streams with stand-ins for what would touch the machine, so
# these open a stream of each kind and then use it as the host does.
exec_req = s(1, "cat") + s(2, "PATH=/bin") + s(3, "/workspace") + i(4, 0) + i(5, 1)
HOST = {
    "hello": fr(0, HELLO),
    "exec-stdin": fr(1, EXEC, exec_req) + fr(1, STDIN, b"data\n") + fr(1, WINDOW, i(11, 65536))
                  + fr(1, SIGNAL, i(6, 15)) + fr(1, STDIN) + fr(1, CANCEL),
    "exec-pty": fr(2, EXEC, exec_req + i(31, 1) + i(32, 24) + i(33, 80)) + fr(2, RESIZE, i(32, 40) + i(33, 120))
                + fr(2, STDIN, b"ls\r") + fr(2, STDIN),
    # more than the pipe takes (64 KiB): the agent buffers the rest, within the window
    "exec-stdin-fills-pipe": fr(1, EXEC, exec_req) + fr(1, STDIN, b"x" * 65536) + fr(1, STDIN, b"y" * 65536)
                             + fr(1, STDIN, b"z" * 1000),
    "spawn": fr(3, SPAWN, s(1, "sleep") + s(1, "1") + s(7, "/tmp/log")),
    "file-write": fr(4, FILE_WRITE, s(7, "/workspace/a.txt") + i(8, 0o644)) + fr(4, FILE_DATA, b"abc") + fr(4, FILE_DATA),
    "file-read": fr(5, FILE_READ, s(7, "/workspace/a.txt")) + fr(5, WINDOW, i(11, 1000)) + fr(5, CANCEL),
    "stat": fr(6, STAT, s(7, "/nonexistent/x")),
    "list": fr(7, LIST, s(7, "/workspace")) + fr(7, CANCEL),
    "mkdir-remove": fr(8, MKDIR, s(7, "/workspace/d") + i(9, 1) + i(8, 0o755)) + fr(9, REMOVE, s(7, "/workspace/d") + i(10, 1)),
    "tcp": fr(10, CONNECT, i(30, 8080) + i(4, 1000)) + fr(10, H_TCP_DATA, b"GET / HTTP/1.1\r\n\r\n") + fr(10, H_TCP_DATA),
    "metadata": fr(11, METADATA) + fr(11, META_ANSWER, i(34, 1) + i(35, 200) + s(36, b"secret"))
                + fr(11, META_ANSWER, i(34, 2) + i(35, 200) + s(22, "a") + s(22, "b")) + fr(11, CANCEL),
    "restored": fr(12, RESTORED, i(27, 1700000000000000000) + s(28, bytes(range(32))) + s(15, "mvm-1") + i(29, 1)),
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

    def entry(name, z):  # a fixed date: the seeds are the same bytes on every run
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = z.compression
        return info

    def app(z):
        z.writestr(entry("Dockerfile", z), "FROM debian\nCOPY app.py /app/\nCMD [\"python3\", \"/app/app.py\"]\n")
        z.writestr(entry("app.py", z), "print('hello')\n" * 20)
        d = entry("static/", z)
        d.external_attr = (0o40755 << 16) | 0x10
        d.create_system = 3
        z.writestr(d, b"")
        f = entry("static/run.sh", z)
        f.external_attr = 0o100755 << 16
        f.create_system = 3
        z.writestr(f, "#!/bin/sh\necho run\n")
        link = entry("static/current", z)
        link.external_attr = 0o120777 << 16
        link.create_system = 3
        z.writestr(link, "run.sh")

    def zip64(z):
        with z.open(entry("Dockerfile", z), "w", force_zip64=True) as f:
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

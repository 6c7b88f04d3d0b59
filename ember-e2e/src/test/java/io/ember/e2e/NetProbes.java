package io.ember.e2e;

/**
 * Python snippets that probe a network from inside a guest: the same code runs in a fake guest's namespace
 * (FakeGuest) and in a real guest through exec (NetworkEndToEndTest), so both see the network the same way.
 */
final class NetProbes {
    private NetProbes() {}

    /** Prints "ok" when a TCP connection to address:port is made within 2 s, else the error's name. */
    static String connect(String address, int port) {
        return "import socket\ntry:\n socket.create_connection(('" + address + "'," + port + "),2).close();print('ok')\n"
                + "except Exception as e:\n print(type(e).__name__)";
    }

    /** Prints the body of http://host/ (by name or address), stripped; fails (a traceback, exit 1) when it cannot. One line. */
    static String get(String host) {
        return "import urllib.request; print(urllib.request.urlopen('http://" + host + "/',timeout=5).read().decode().strip())";
    }

    /** The same as a shell command (exec in a guest, a Dockerfile's RUN: one line, no quotes of its own to escape). */
    static String shell(String python) {
        return "python3 -c \"" + python.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

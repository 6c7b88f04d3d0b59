package io.ember.agent;

/** Constants of docs/agent-protocol.md, version 2. */
final class Proto {
    private Proto() {}

    static final int VERSION = 2;
    /** Version 1 differs only in ending an exec when every holder of its pipes has closed them (docs/agent-protocol.md). */
    static final int OLDEST_VERSION = 1;
    static final int HEADER = 12;
    static final int MAX_FRAME = 1024 * 1024;
    static final int MAX_CHUNK = 65_536;
    static final int WINDOW = 262_144;

    // host to guest
    static final int HELLO = 0x01, EXEC = 0x02, STDIN = 0x03, SIGNAL = 0x04, FILE_WRITE = 0x05, FILE_DATA = 0x06,
            FILE_READ = 0x07, STAT = 0x08, LIST = 0x09, MKDIR = 0x0A, REMOVE = 0x0B, WINDOW_T = 0x0C, CANCEL = 0x0D,
            SPAWN = 0x0E, RESTORED = 0x0F, CONNECT = 0x10, TCP_DATA = 0x11, RESIZE = 0x12, METADATA = 0x13, META_ANSWER = 0x14;
    // guest to host (FILE_DATA, TCP_DATA and WINDOW go both ways)
    static final int OK = 0x80, HELLO_OK = 0x81, STARTED = 0x82, STDOUT = 0x83, STDERR = 0x84, EXIT = 0x85,
            FILE_INFO = 0x86, STAT_RESULT = 0x87, LIST_ENTRY = 0x88, META_REQUEST = 0x89, ERROR = 0x8F;

    // field tags
    static final int ARG = 1, ENV = 2, CWD = 3, TIMEOUT_MS = 4, STDIN_F = 5, SIGNO = 6, PATH = 7, MODE = 8,
            PARENTS = 9, RECURSIVE = 10, N = 11, F_VERSION = 12, AGENT = 13, KERNEL = 14, HOSTNAME = 15, PID = 16,
            CODE = 17, TIMED_OUT = 18, SIZE = 19, TYPE = 20, MTIME_MS = 21, NAME = 22, ERRNO = 23, MESSAGE = 24,
            USER = 25, FEATURES = 26, TIME_NS = 27, ENTROPY = 28, NEW_IDENTITY = 29, PORT = 30, PTY = 31, ROWS = 32,
            COLS = 33, REQ = 34, STATUS = 35, VALUE = 36, NET = 37;

    /** Types a guest may send; anything else from the guest is a violation. */
    static boolean fromGuest(int type) {
        return type == FILE_DATA || type == TCP_DATA || type == WINDOW_T || (type >= OK && type <= META_REQUEST) || type == ERROR;
    }

    /** Raw byte payloads (no fields), bounded by MAX_CHUNK. */
    static boolean isData(int type) {
        return type == STDIN || type == FILE_DATA || type == STDOUT || type == STDERR || type == TCP_DATA;
    }

    static String name(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case EXEC -> "EXEC";
            case STDIN -> "STDIN";
            case SIGNAL -> "SIGNAL";
            case FILE_WRITE -> "FILE_WRITE";
            case FILE_DATA -> "FILE_DATA";
            case FILE_READ -> "FILE_READ";
            case STAT -> "STAT";
            case LIST -> "LIST";
            case MKDIR -> "MKDIR";
            case REMOVE -> "REMOVE";
            case WINDOW_T -> "WINDOW";
            case CANCEL -> "CANCEL";
            case SPAWN -> "SPAWN";
            case RESTORED -> "RESTORED";
            case CONNECT -> "CONNECT";
            case TCP_DATA -> "TCP_DATA";
            case RESIZE -> "RESIZE";
            case METADATA -> "METADATA";
            case META_ANSWER -> "META_ANSWER";
            case META_REQUEST -> "META_REQUEST";
            case OK -> "OK";
            case HELLO_OK -> "HELLO_OK";
            case STARTED -> "STARTED";
            case STDOUT -> "STDOUT";
            case STDERR -> "STDERR";
            case EXIT -> "EXIT";
            case FILE_INFO -> "FILE_INFO";
            case STAT_RESULT -> "STAT_RESULT";
            case LIST_ENTRY -> "LIST_ENTRY";
            case ERROR -> "ERROR";
            default -> String.format("0x%02X", type);
        };
    }
}

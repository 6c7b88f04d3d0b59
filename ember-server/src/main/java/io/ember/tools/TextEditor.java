package io.ember.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.agent.AgentException;
import io.ember.agent.FileStat;
import io.ember.agent.GuestAgent;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Anthropic's text editor tool ({@code text_editor_20250728}, named {@code str_replace_based_edit_tool}): view,
 * create, str_replace and insert, with the messages of Anthropic's reference implementation, on the guest's files
 * through the agent (no process is started). Files are read whole, up to {@link #MAX_FILE_BYTES}, and must be UTF-8
 * text; an edit is written to a temporary file and renamed over the old one, keeping its permission bits.
 */
final class TextEditor {
    static final String NAME = "str_replace_based_edit_tool";
    /** The text_editor_20250124 name: the same commands but undo_edit, which Ember does not keep history for. */
    static final String OLD_NAME = "str_replace_editor";
    static final int MAX_FILE_BYTES = 16 << 20;
    static final int MAX_LISTED = 1000;
    private static final int SNIPPET_LINES = 4;
    private static final int ENOENT = 2, EPERM = 1, EACCES = 13, ENOTDIR = 20, EISDIR = 21, ENOSPC = 28, EROFS = 30;

    private final GuestAgent agent;
    private final int maxChars;

    TextEditor(GuestAgent agent, int maxChars) {
        this.agent = agent;
        this.maxChars = maxChars;
    }

    String run(String toolName, ObjectNode input) throws ToolError, AgentException {
        String command = string(input, "command");
        if (command == null) throw new ToolError("Parameter `command` is required.");
        String raw = string(input, "path");
        String path = EditorPaths.resolve(raw);
        return switch (command) {
            case "view" -> view(path, input.get("view_range"));
            case "create" -> create(path, required(input, "file_text", "create"));
            case "str_replace" -> strReplace(path, required(input, "old_str", "str_replace"), string(input, "new_str"));
            case "insert" -> insert(path, input);
            default -> throw new ToolError("Unrecognized command " + command + ". The allowed commands for the " + toolName
                    + " tool are: view, create, str_replace, insert");
        };
    }

    private String view(String path, JsonNode range) throws ToolError, AgentException {
        Kind kind = kind(path);
        if (kind == Kind.MISSING) throw notFound(path);
        if (kind == Kind.DIRECTORY) {
            if (range != null && !range.isNull()) {
                throw new ToolError("The `view_range` parameter is not allowed when `path` points to a directory.");
            }
            return listing(path);
        }
        TextFile f = new TextFile(read(path));
        int from = 1, to = f.count();
        if (range != null && !range.isNull()) {
            if (!range.isArray() || range.size() != 2 || integer(range.get(0)) == null || integer(range.get(1)) == null) {
                throw new ToolError("Invalid `view_range`. It should be a list of two integers.");
            }
            from = integer(range.get(0));
            int end = integer(range.get(1));
            String shown = "[" + from + ", " + end + "]";
            if (from < 1 || from > f.count()) {
                throw new ToolError("Invalid `view_range`: " + shown + ". Its first element `" + from
                        + "` should be within the range of lines of the file: [1, " + f.count() + "]");
            }
            if (end != -1 && end < from) {
                throw new ToolError("Invalid `view_range`: " + shown + ". Its second element `" + end
                        + "` should be larger or equal than its first `" + from + "`");
            }
            to = end == -1 ? f.count() : Math.min(end, f.count());
        }
        return f.numbered(from, to, path, maxChars);
    }

    private String listing(String dir) throws AgentException {
        List<String> rows = new ArrayList<>();
        int more = 0;
        for (FileStat e : visible(dir)) {
            String child = dir.equals("/") ? "/" + e.name() : dir + "/" + e.name();
            if (rows.size() < MAX_LISTED) rows.add(child); else more++;
            if (!e.type().equals("directory")) continue;
            List<FileStat> inner;
            try {
                inner = visible(child);
            } catch (AgentException ex) {
                if (ex.channelBroken()) throw ex;
                continue; // unreadable: listed, not descended into
            }
            for (FileStat g : inner) {
                if (rows.size() < MAX_LISTED) rows.add(child + "/" + g.name()); else more++;
            }
        }
        StringBuilder b = new StringBuilder("Here's the files and directories up to 2 levels deep in ").append(dir)
                .append(", excluding hidden items:\n").append(dir).append('\n');
        for (String r : rows) b.append(r).append('\n');
        if (more > 0) b.append("[... ").append(more).append(" more entries not shown ...]\n");
        return b.length() > maxChars ? b.substring(0, maxChars) + "\n" + Text.CLIPPED + "\n" : b.toString();
    }

    private List<FileStat> visible(String dir) throws AgentException {
        List<FileStat> out = new ArrayList<>();
        for (FileStat e : agent.list(dir)) {
            if (!e.name().startsWith(".")) out.add(e);
        }
        out.sort(Comparator.comparing(FileStat::name));
        return out;
    }

    private String create(String path, String text) throws ToolError, AgentException {
        if (kind(path) != Kind.MISSING) {
            throw new ToolError("File already exists at: " + path + ". Cannot overwrite files using command `create`.");
        }
        String parent = path.substring(0, path.lastIndexOf('/'));
        try {
            if (!parent.isEmpty()) agent.mkdir(parent, true);
            write(path, 0644, text);
        } catch (AgentException e) {
            throw translate(e, path);
        }
        return "File created successfully at: " + path;
    }

    private String strReplace(String path, String oldStr, String newStr) throws ToolError, AgentException {
        int mode = editable(path);
        String text = read(path);
        if (oldStr.isEmpty()) throw new ToolError("Parameter `old_str` must not be empty.");
        String replacement = newStr == null ? "" : newStr;
        List<Integer> lines = TextFile.occurrenceLines(text, oldStr);
        if (lines.isEmpty()) {
            throw new ToolError("No replacement was performed, old_str `" + echo(oldStr) + "` did not appear verbatim in " + path + ".");
        }
        if (lines.size() > 1) {
            throw new ToolError("No replacement was performed. Multiple occurrences of old_str `" + echo(oldStr)
                    + "` in lines " + lines + ". Please ensure it is unique");
        }
        int at = text.indexOf(oldStr);
        String edited = text.substring(0, at) + replacement + text.substring(at + oldStr.length());
        write(path, mode, edited);
        int line = TextFile.lineOf(text, at) - 1;
        int start = Math.max(0, line - SNIPPET_LINES);
        int end = line + SNIPPET_LINES + (int) replacement.chars().filter(c -> c == '\n').count();
        return "The file " + path + " has been edited. " + snippet(edited, start, end, "a snippet of " + path)
                + "Review the changes and make sure they are as expected. Edit the file again if necessary.";
    }

    private String insert(String path, ObjectNode input) throws ToolError, AgentException {
        JsonNode lineNode = input.get("insert_line");
        if (lineNode == null || lineNode.isNull()) throw new ToolError("Parameter `insert_line` is required for command: insert");
        Integer after = integer(lineNode);
        if (after == null) throw new ToolError("Parameter `insert_line` must be an integer.");
        String text = string(input, "insert_text");
        if (text == null) text = string(input, "new_str");
        if (text == null) throw new ToolError("Parameter `insert_text` (or `new_str`) is required for command: insert");
        int mode = editable(path);
        TextFile f = new TextFile(read(path));
        if (after < 0 || after > f.count()) {
            throw new ToolError("Invalid `insert_line` parameter: " + after
                    + ". It should be within the range of lines of the file: [0, " + f.count() + "]");
        }
        String edited = f.insert(after, text);
        write(path, mode, edited);
        int added = new TextFile(text).count() == 0 ? 1 : new TextFile(text).count();
        int start = Math.max(0, after - SNIPPET_LINES);
        int end = after + added - 1 + SNIPPET_LINES;
        return "The file " + path + " has been edited. " + snippet(edited, start, end, "a snippet of the edited file")
                + "Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). "
                + "Edit the file again if necessary.";
    }

    /** {@code cat -n} of lines start..end (0-based, inclusive, clamped) of {@code text}. */
    private String snippet(String text, int start, int end, String title) {
        TextFile f = new TextFile(text);
        int to = Math.min(end + 1, f.count());
        return f.numbered(Math.min(start + 1, Math.max(1, to)), to, title, maxChars);
    }

    /** The permission bits of the regular file at {@code path}, which an edit keeps; a clear error for anything else. */
    private int editable(String path) throws ToolError, AgentException {
        FileStat s = stat(path);
        if (s == null) throw notFound(path);
        return switch (s.type()) {
            case "file" -> s.mode() & 07777;
            case "directory" -> throw new ToolError("The path " + path
                    + " is a directory and only the `view` command can be used on directories");
            case "symlink" -> throw new ToolError("The path " + path + " is a symbolic link: edit the file it points to "
                    + "(`readlink -f " + path + "` names it), so that the link stays a link.");
            default -> throw new ToolError("The path " + path + " is not a regular file.");
        };
    }

    private enum Kind { MISSING, FILE, DIRECTORY }

    private Kind kind(String path) throws ToolError, AgentException {
        FileStat s = stat(path);
        if (s == null) return Kind.MISSING;
        return switch (s.type()) {
            case "directory" -> Kind.DIRECTORY;
            case "file" -> Kind.FILE;
            case "symlink" -> {
                try {
                    agent.list(path);
                    yield Kind.DIRECTORY;
                } catch (AgentException e) {
                    if (e.channelBroken()) throw e;
                    if (e.errno() == ENOENT) yield Kind.MISSING; // a dangling link
                    yield Kind.FILE;
                }
            }
            default -> throw new ToolError("The path " + path + " is not a regular file or a directory.");
        };
    }

    private FileStat stat(String path) throws ToolError, AgentException {
        try {
            return agent.stat(path);
        } catch (AgentException e) {
            if (!e.channelBroken() && e.errno() == ENOENT) return null;
            throw translate(e, path);
        }
    }

    private String read(String path) throws ToolError, AgentException {
        BoundedSink sink = new BoundedSink(MAX_FILE_BYTES);
        try {
            agent.readFile(path, sink);
        } catch (AgentException e) {
            if (!sink.overflowed()) throw translate(e, path);
            throw new ToolError("The file " + path + " is larger than " + (MAX_FILE_BYTES >> 20) + " MiB, too large for "
                    + "this editor: look at parts of it with bash (`grep -n`, `sed -n 'A,Bp'`) and edit it with `sed -i`.");
        }
        String text = Text.strict(sink.bytes());
        if (text == null) {
            throw new ToolError("The file " + path + " is not UTF-8 text (it looks binary), so this editor does not "
                    + "open it: inspect it with bash (e.g. `od -c " + path + " | head`).");
        }
        return text;
    }

    private void write(String path, int mode, String text) throws ToolError, AgentException {
        try {
            agent.writeFile(path, mode, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (AgentException e) {
            throw translate(e, path);
        }
    }

    private static ToolError notFound(String path) {
        return new ToolError("The path " + path + " does not exist. Please provide a valid path.");
    }

    /** A guest error as the model's error; a broken channel (or a host-side failure) stays an AgentException. */
    private static ToolError translate(AgentException e, String path) throws AgentException {
        if (e.channelBroken() || e.errno() == 0) throw e;
        return switch (e.errno()) {
            case ENOENT -> notFound(path);
            case EPERM, EACCES -> new ToolError("Permission denied: " + path);
            case ENOTDIR -> new ToolError("A part of the path " + path + " is not a directory.");
            case EISDIR -> new ToolError("The path " + path + " is a directory and only the `view` command can be used on directories");
            case ENOSPC -> new ToolError("No space left on the microVM's disk writing " + path + ".");
            case EROFS -> new ToolError("The file system of " + path + " is read-only.");
            default -> new ToolError(path + ": " + e.getMessage());
        };
    }

    private static String echo(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "...(" + (s.length() - 2000) + " more characters)" : s;
    }

    private static String required(ObjectNode input, String field, String command) throws ToolError {
        String s = string(input, field);
        if (s == null) throw new ToolError("Parameter `" + field + "` is required for command: " + command);
        return s;
    }

    private static String string(ObjectNode input, String field) throws ToolError {
        JsonNode v = input.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new ToolError("Parameter `" + field + "` must be a string.");
        return v.textValue();
    }

    /** An integer from a JSON number or a string of digits (models send both); null otherwise. */
    static Integer integer(JsonNode v) {
        if (v == null) return null;
        if (v.isIntegralNumber() && v.canConvertToInt()) return v.intValue();
        if (v.isTextual() && v.textValue().strip().matches("-?\\d{1,9}")) return Integer.parseInt(v.textValue().strip());
        return null;
    }
}

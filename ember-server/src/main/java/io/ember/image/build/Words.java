package io.ember.image.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Docker's word processing for the instructions it substitutes in (FROM, COPY, ADD, ENV, ARG, WORKDIR, USER, LABEL,
 * EXPOSE): quote removal, the escape character, and {@code $VAR ${VAR} ${VAR:-x} ${VAR-x} ${VAR:+x} ${VAR+x}
 * ${VAR:?msg} ${VAR?msg}}. An unset variable is empty. Errors are {@link IllegalArgumentException}s whose message
 * the parser puts after the line number.
 */
final class Words {
    /**
     * Characters that substitution may produce over a whole Dockerfile. Without a bound, {@code ENV A=$A$A} repeated
     * doubles a value per line, and a 1 MiB Dockerfile would ask for more memory than any host has.
     */
    static final long MAX_SUBSTITUTED = 16L << 20;
    /** {@code ${A:-${B:-...}}} nested deeper than this is refused (each level is a frame of recursion). */
    static final int MAX_NESTING = 64;
    private static final int EOF = -1;
    private final String s;
    private final char escape;
    private final Map<String, String> vars;
    private final Budget budget;
    private int pos, depth;

    private Words(String s, char escape, Map<String, String> vars, Budget budget) {
        this.s = s;
        this.escape = escape;
        this.vars = vars;
        this.budget = budget;
    }

    /** What one Dockerfile's substitutions may still produce: one per parse, shared by all its expansions. */
    static final class Budget {
        private long left = MAX_SUBSTITUTED;

        private void spend(int chars) {
            left -= chars;
            if (left < 0)
                throw new IllegalArgumentException("substitutions produce more than " + MAX_SUBSTITUTED + " characters");
        }
    }

    /** One word: substituted, quotes removed, escapes applied; what substitution adds is charged to {@code budget}. */
    static String expand(String word, char escape, Map<String, String> vars, Budget budget) {
        Words w = new Words(word, escape, vars, budget);
        return w.until(EOF);
    }

    /** Splits on whitespace outside quotes, keeping quotes and escapes in the words (Docker's parseWords). */
    static List<String> split(String s, char escape) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (!w.isEmpty()) words.add(w.toString());
                w.setLength(0);
                continue;
            }
            w.append(c);
            if (c == escape && i + 1 < s.length() && quote != '\'') {
                w.append(s.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (!w.isEmpty()) words.add(w.toString());
        return words;
    }

    /** Splits on whitespace only (Docker's parseStringsWhitespaceDelimited: COPY, ADD, EXPOSE). */
    static List<String> fields(String s) {
        List<String> out = new ArrayList<>();
        for (String f : s.strip().split("\\s+")) if (!f.isEmpty()) out.add(f);
        return out;
    }

    private String until(int stop) {
        StringBuilder out = new StringBuilder();
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (stop != EOF && c == stop) {
                pos++;
                return out.toString();
            }
            if (c == '\'') singleQuoted(out);
            else if (c == '"') doubleQuoted(out);
            else if (c == '$') dollar(out);
            else {
                pos++;
                if (c == escape && pos < s.length()) c = s.charAt(pos++);
                out.append(c);
            }
        }
        if (stop != EOF) throw new IllegalArgumentException("missing '" + (char) stop + "' in " + s);
        return out.toString();
    }

    private void singleQuoted(StringBuilder out) {
        int end = s.indexOf('\'', pos + 1);
        if (end < 0) throw new IllegalArgumentException("unterminated single quote in " + s);
        out.append(s, pos + 1, end);
        pos = end + 1;
    }

    private void doubleQuoted(StringBuilder out) {
        pos++;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '"') {
                pos++;
                return;
            }
            if (c == '$') {
                dollar(out);
                continue;
            }
            pos++;
            if (c == escape && pos < s.length()) {
                char n = s.charAt(pos);
                if (n == '"' || n == '$' || n == escape) {
                    out.append(n);
                    pos++;
                    continue;
                }
            }
            out.append(c);
        }
        throw new IllegalArgumentException("unterminated double quote in " + s);
    }

    private void dollar(StringBuilder out) {
        pos++; // the '$'
        if (pos < s.length() && s.charAt(pos) == '{') {
            pos++;
            String name = name();
            if (name.isEmpty()) throw new IllegalArgumentException("bad substitution in " + s);
            if (pos >= s.length()) throw new IllegalArgumentException("missing '}' in " + s);
            char c = s.charAt(pos++);
            String value = vars.get(name);
            if (c == '}') {
                append(out, value == null ? "" : value);
                return;
            }
            boolean colon = c == ':';
            if (colon) {
                if (pos >= s.length()) throw new IllegalArgumentException("missing '}' in " + s);
                c = s.charAt(pos++);
            }
            if (c != '-' && c != '+' && c != '?')
                throw new IllegalArgumentException("unsupported substitution ${" + name + (colon ? ":" : "") + c
                        + "...} (supported: ${VAR}, ${VAR:-default}, ${VAR:+alternative}, ${VAR:?message})");
            if (++depth > MAX_NESTING) throw new IllegalArgumentException("substitutions nested deeper than " + MAX_NESTING);
            String word = until('}');
            depth--;
            boolean set = value != null && (!colon || !value.isEmpty());
            switch (c) {
                case '-' -> append(out, set ? value : word);
                case '+' -> append(out, set ? word : "");
                default -> {
                    if (!set) throw new IllegalArgumentException(name + ": " + (word.isEmpty() ? "is not set" : word));
                    append(out, value);
                }
            }
            return;
        }
        String name = name();
        if (name.isEmpty()) {
            out.append('$');
            return;
        }
        String value = vars.get(name);
        append(out, value == null ? "" : value);
    }

    private void append(StringBuilder out, String substituted) {
        budget.spend(substituted.length());
        out.append(substituted);
    }

    private String name() {
        int start = pos;
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) && s.charAt(pos) < 128 || s.charAt(pos) == '_'))
            pos++;
        return s.substring(start, pos);
    }

    /**
     * The exec form: a JSON array of strings, or null when {@code s} is not one (then it is the shell form,
     * as in Docker).
     */
    static List<String> jsonArray(String s) {
        String t = s.strip();
        if (!t.startsWith("[") || !t.endsWith("]")) return null;
        List<String> out = new ArrayList<>();
        int[] at = {1};
        skipSpace(t, at);
        if (t.charAt(at[0]) == ']') return at[0] == t.length() - 1 ? out : null;
        while (true) {
            skipSpace(t, at);
            String str = jsonString(t, at);
            if (str == null) return null;
            out.add(str);
            skipSpace(t, at);
            if (at[0] >= t.length()) return null;
            char c = t.charAt(at[0]++);
            if (c == ']') return at[0] == t.length() ? out : null;
            if (c != ',') return null;
        }
    }

    private static void skipSpace(String t, int[] at) {
        while (at[0] < t.length() && Character.isWhitespace(t.charAt(at[0]))) at[0]++;
    }

    private static String jsonString(String t, int[] at) {
        if (at[0] >= t.length() || t.charAt(at[0]) != '"') return null;
        StringBuilder b = new StringBuilder();
        int i = at[0] + 1;
        while (i < t.length()) {
            char c = t.charAt(i++);
            if (c == '"') {
                at[0] = i;
                return b.toString();
            }
            if (c < 0x20) return null;
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= t.length()) return null;
            char e = t.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > t.length()) return null;
                    try {
                        b.append((char) Integer.parseInt(t.substring(i, i + 4), 16));
                    } catch (NumberFormatException x) {
                        return null;
                    }
                    i += 4;
                }
                default -> {
                    return null;
                }
            }
        }
        return null;
    }
}

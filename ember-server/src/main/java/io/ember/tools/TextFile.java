package io.ember.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * A text file as lines: a final newline ends the last line (it does not start an empty one), so a file of
 * {@code "a\nb\n"} has two lines, as {@code cat -n} and {@code wc -l} count them.
 */
final class TextFile {
    final List<String> lines;
    final boolean finalNewline;

    TextFile(String text) {
        List<String> l = new ArrayList<>(List.of(text.split("\n", -1)));
        finalNewline = text.endsWith("\n");
        if (finalNewline || text.isEmpty()) l.removeLast();
        lines = l;
    }

    int count() {
        return lines.size();
    }

    /** The file with {@code text} inserted after line {@code after} (0 = at the start); a line break ends it. */
    String insert(int after, String text) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < after; i++) b.append(lines.get(i)).append('\n');
        b.append(text);
        if (!text.endsWith("\n")) b.append('\n');
        for (int i = after; i < lines.size(); i++) {
            b.append(lines.get(i));
            if (i < lines.size() - 1 || finalNewline) b.append('\n');
        }
        return b.toString();
    }

    /**
     * {@code cat -n} of lines {@code from..to} (1-based, inclusive), cut at {@code maxChars} with the reference
     * editor's note; {@code title} names what is shown.
     */
    String numbered(int from, int to, String title, int maxChars) {
        StringBuilder b = new StringBuilder("Here's the result of running `cat -n` on ").append(title).append(":\n");
        for (int i = from; i <= to; i++) {
            String row = String.format("%6d\t%s%n", i, lines.get(i - 1)).replace(System.lineSeparator(), "\n");
            if (b.length() + row.length() > maxChars) {
                return b.append(Text.CLIPPED).append('\n').toString();
            }
            b.append(row);
        }
        return b.toString();
    }

    /** The 1-based line numbers where each occurrence of {@code s} starts. */
    static List<Integer> occurrenceLines(String text, String s) {
        List<Integer> out = new ArrayList<>();
        int line = 1, scanned = 0;
        for (int i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + s.length())) {
            for (; scanned < i; scanned++) {
                if (text.charAt(scanned) == '\n') line++;
            }
            out.add(line);
        }
        return out;
    }

    /** The 1-based line on which character {@code index} of {@code text} is. */
    static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') line++;
        }
        return line;
    }
}

package io.ember.image.build;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Dockerfile text into instructions: parser directives at the top ({@code # escape=}, {@code # syntax=}),
 * comments, blank lines, and continuations (the escape character at the end of a line), as Docker's parser does.
 */
final class Lines {
    /** One instruction: {@code line} is where it starts; {@code args} has its continuations joined. */
    record Instruction(int line, String keyword, String args, String text) {}

    record Parsed(char escape, List<Instruction> instructions) {}

    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.*?)\\s*$");

    private Lines() {}

    static Parsed parse(String text) throws BuildFailure {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String[] lines = text.split("\r?\n", -1);
        char escape = '\\';
        int i = 0;
        Set<String> seen = new HashSet<>();
        for (; i < lines.length; i++) {
            Matcher m = DIRECTIVE.matcher(lines[i]);
            if (!m.matches()) break;
            String name = m.group(1).toLowerCase(), value = m.group(2);
            if (!name.equals("escape") && !name.equals("syntax") && !name.equals("check")) break; // a comment
            if (!seen.add(name)) throw BuildFailure.at(i + 1, "parser directive '" + name + "' given twice");
            if (name.equals("escape")) {
                if (!value.equals("\\") && !value.equals("`"))
                    throw BuildFailure.at(i + 1, "invalid escape character '" + value + "': it must be \\ or `");
                escape = value.charAt(0);
            }
        }
        Pattern continuation = Pattern.compile(Pattern.quote(String.valueOf(escape)) + "[ \\t]*$");
        List<Instruction> out = new ArrayList<>();
        while (i < lines.length) {
            String first = lines[i];
            if (isBlankOrComment(first)) {
                i++;
                continue;
            }
            int start = i + 1;
            StringBuilder joined = new StringBuilder();
            String current = first.stripLeading();
            while (true) {
                Matcher m = continuation.matcher(current);
                if (!m.find()) {
                    joined.append(current);
                    i++;
                    break;
                }
                joined.append(current, 0, m.start());
                i++;
                while (i < lines.length && isBlankOrComment(lines[i])) i++; // Docker skips these inside a continuation
                if (i >= lines.length) break;
                current = lines[i];
            }
            String all = joined.toString().strip();
            int space = indexOfWhitespace(all);
            String keyword = space < 0 ? all : all.substring(0, space);
            String args = space < 0 ? "" : all.substring(space).strip();
            out.add(new Instruction(start, keyword.toUpperCase(), args, args.isEmpty() ? keyword.toUpperCase()
                    : keyword.toUpperCase() + " " + args));
        }
        return new Parsed(escape, out);
    }

    private static boolean isBlankOrComment(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#");
    }

    static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isWhitespace(s.charAt(i))) return i;
        return -1;
    }
}

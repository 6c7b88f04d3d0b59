package io.ember.image.build;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The {@code --name=value} flags at the start of an instruction's arguments (Docker's builder flags). */
record Flags(Map<String, String> values, String rest) {

    static Flags take(Lines.Instruction in, char escape, Map<String, String> vars, Words.Budget budget, String... allowed)
            throws BuildFailure {
        Set<String> ok = Set.of(allowed);
        Map<String, String> values = new HashMap<>();
        String rest = in.args();
        while (rest.startsWith("--")) {
            int end = Lines.indexOfWhitespace(rest);
            String flag = end < 0 ? rest : rest.substring(0, end);
            rest = end < 0 ? "" : rest.substring(end).strip();
            if (flag.equals("--")) break;
            int eq = flag.indexOf('=');
            String name = (eq < 0 ? flag.substring(2) : flag.substring(2, eq)).toLowerCase();
            if (!ok.contains(name))
                throw BuildFailure.at(in.line(), in.keyword() + " --" + DockerfileParser.printable(name) + " is not supported");
            if (values.containsKey(name)) throw BuildFailure.at(in.line(), in.keyword() + " --" + name + " given twice");
            values.put(name, eq < 0 ? "true" : Words.expand(flag.substring(eq + 1), escape, vars, budget));
        }
        return new Flags(values, rest);
    }
}

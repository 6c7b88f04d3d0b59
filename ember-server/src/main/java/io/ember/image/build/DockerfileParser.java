package io.ember.image.build;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The state machine over the instructions: ARG scopes, ENV, WORKDIR, USER and the image configuration. */
final class DockerfileParser {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** What BuildKit predefines in the global scope; the guests are x86-64 Linux. */
    private static final Map<String, String> AUTOMATIC = Map.of("TARGETPLATFORM", "linux/amd64", "TARGETOS", "linux",
            "TARGETARCH", "amd64", "BUILDPLATFORM", "linux/amd64", "BUILDOS", "linux", "BUILDARCH", "amd64");
    private static final Map<String, String> UNSUPPORTED = Map.of(
            "VOLUME", "VOLUME is not supported: a microVM has one disk, whose content persists with the VM",
            "HEALTHCHECK", "HEALTHCHECK is not supported: Ember decides readiness itself (see docs/dockerfile.md)",
            "SHELL", "SHELL is not supported: shell-form instructions run with /bin/sh -c",
            "ONBUILD", "ONBUILD is not supported",
            "STOPSIGNAL", "STOPSIGNAL is not supported",
            "MAINTAINER", "MAINTAINER is not supported: use LABEL maintainer=\"...\"");
    private static final Set<String> KNOWN = Set.of("FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "USER",
            "LABEL", "EXPOSE", "ENTRYPOINT", "CMD");
    private static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern IMAGE_REF = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,2047}");
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9._-]{0,31})?");

    private final Map<String, String> buildArgs;
    private final Dockerfile.BaseImages bases;
    private char escape;
    private final Map<String, String> metaArgs = new LinkedHashMap<>(AUTOMATIC); // before FROM; null = no value
    private final Map<String, String> args = new LinkedHashMap<>(); // declared after FROM; null = no value
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Set<Integer> ports = new LinkedHashSet<>();
    private String workdir = "/", user;
    private List<String> entrypoint, cmd;
    private boolean cmdSet;
    private String from;
    private int fromLine;
    private final List<Step> steps = new ArrayList<>();
    /** ENV and ARG names a Dockerfile may define (its base image's included), each scope counted alone. */
    static final int MAX_VARIABLES = 1024;
    /** Environment entries all RUN steps may hold between them (those between two ENV or ARG changes share one map). */
    static final int MAX_RUN_ENV_ENTRIES = 1_000_000;
    private final Words.Budget budget = new Words.Budget();
    private long runEnvEntries;
    /**
     * What substitution and RUN see, kept until an ENV or ARG changes them: rebuilt per instruction, a Dockerfile of
     * many variables and many instructions would cost their product in time, and in memory for RUN's copies.
     */
    private Map<String, String> vars, runEnv;

    DockerfileParser(Map<String, String> buildArgs, Dockerfile.BaseImages bases) {
        this.buildArgs = Map.copyOf(buildArgs);
        this.bases = bases;
    }

    Dockerfile parse(Lines.Parsed parsed) throws BuildFailure {
        escape = parsed.escape();
        for (Lines.Instruction in : parsed.instructions()) {
            try {
                if (from == null) beforeFrom(in);
                else steps.add(instruction(in));
            } catch (IllegalArgumentException e) { // from Words: a substitution or quoting error
                throw BuildFailure.at(in.line(), in.keyword() + ": " + e.getMessage());
            }
        }
        if (from == null) throw new BuildFailure("the Dockerfile has no FROM instruction");
        return new Dockerfile(from, fromLine, steps,
                new ImageConfig(env, workdir, user, entrypoint, cmd, new ArrayList<>(ports), labels));
    }

    private String expand(String word, Map<String, String> vars) {
        return Words.expand(word, escape, vars, budget);
    }

    private void beforeFrom(Lines.Instruction in) throws BuildFailure {
        switch (in.keyword()) {
            case "ARG" -> arg(in, metaArgs, metaVars());
            case "FROM" -> from(in);
            default -> {
                unsupported(in);
                throw BuildFailure.at(in.line(), in.keyword() + " before FROM: a Dockerfile starts with FROM (only ARG may come before it)");
            }
        }
    }

    private Step instruction(Lines.Instruction in) throws BuildFailure {
        int line = in.line();
        Step meta = new Step.Metadata(line, in.text());
        switch (in.keyword()) {
            case "RUN" -> {
                return run(in);
            }
            case "COPY", "ADD" -> {
                return copy(in);
            }
            case "WORKDIR" -> {
                String dir = expand(in.args(), vars());
                if (dir.isEmpty()) throw BuildFailure.at(line, "WORKDIR needs a path");
                workdir = resolve(workdir, dir);
                return new Step.Workdir(line, in.text(), workdir);
            }
            case "ENV" -> {
                Map<String, String> pairs = pairs(in);
                vars = runEnv = null;
                for (Map.Entry<String, String> e : pairs.entrySet()) {
                    env.remove(e.getKey()); // a redefined variable moves to the end, as in Docker's config
                    env.put(e.getKey(), e.getValue());
                }
                tooMany(in, env);
            }
            case "LABEL" -> labels.putAll(pairs(in));
            case "ARG" -> {
                arg(in, args, new HashMap<>(vars()));
                vars = runEnv = null;
            }
            case "USER" -> user(in);
            case "EXPOSE" -> expose(in);
            case "CMD" -> {
                cmd = command(in);
                cmdSet = true;
            }
            case "ENTRYPOINT" -> {
                entrypoint = command(in);
                if (!cmdSet) cmd = null; // Docker: ENTRYPOINT resets a CMD inherited from the base image
            }
            case "FROM" -> throw BuildFailure.at(line, "a second FROM: multi-stage builds are not supported");
            default -> unsupported(in);
        }
        return meta;
    }

    private static void unsupported(Lines.Instruction in) throws BuildFailure {
        String why = UNSUPPORTED.get(in.keyword());
        if (why != null) throw BuildFailure.at(in.line(), why);
        if (!KNOWN.contains(in.keyword()))
            throw BuildFailure.at(in.line(), "unknown instruction " + printable(in.keyword()));
    }

    private void from(Lines.Instruction in) throws BuildFailure {
        Flags f = Flags.take(in, escape, metaVars(), budget, "platform");
        String platform = f.values().get("platform");
        if (platform != null && !platform.equals("linux/amd64") && !platform.equals("linux/x86_64"))
            throw BuildFailure.at(in.line(), "FROM --platform=" + platform + ": only linux/amd64 is built");
        List<String> words = Words.fields(f.rest());
        if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS"))
            throw BuildFailure.at(in.line(), "FROM ... AS " + words.get(2) + ": multi-stage builds are not supported");
        if (words.size() != 1) throw BuildFailure.at(in.line(), "FROM takes one image reference");
        String image = expand(words.get(0), metaVars());
        if (!IMAGE_REF.matcher(image).matches())
            throw BuildFailure.at(in.line(), "FROM: invalid image reference '" + printable(image) + "'");
        ImageConfig base;
        try {
            base = bases.configOf(image);
        } catch (BuildFailure e) {
            throw BuildFailure.at(in.line(), "FROM " + image + ": " + e.getMessage());
        }
        from = image;
        fromLine = in.line();
        env.putAll(base.env());
        env.putIfAbsent("PATH", DEFAULT_PATH);
        workdir = base.workdir();
        user = base.user();
        entrypoint = base.entrypoint();
        cmd = base.cmd();
        ports.addAll(base.exposedPorts());
        labels.putAll(base.labels());
    }

    private Map<String, String> metaVars() {
        Map<String, String> v = new HashMap<>();
        metaArgs.forEach((k, val) -> { if (val != null) v.put(k, val); });
        return v;
    }

    /** What substitution sees after FROM: the ARGs in scope with a value, overridden by ENV. */
    private Map<String, String> vars() {
        if (vars == null) {
            Map<String, String> v = new HashMap<>();
            args.forEach((k, val) -> { if (val != null) v.put(k, val); });
            v.putAll(env);
            vars = Collections.unmodifiableMap(v);
        }
        return vars;
    }

    private void arg(Lines.Instruction in, Map<String, String> scope, Map<String, String> vars) throws BuildFailure {
        List<String> words = Words.split(in.args(), escape);
        if (words.isEmpty()) throw BuildFailure.at(in.line(), "ARG needs a name");
        for (String w : words) {
            int eq = w.indexOf('=');
            String name = eq < 0 ? w : w.substring(0, eq);
            if (!ARG_NAME.matcher(name).matches())
                throw BuildFailure.at(in.line(), "ARG: invalid name '" + printable(name) + "'");
            String value;
            if (buildArgs.containsKey(name)) value = buildArgs.get(name);
            else if (eq >= 0) value = expand(w.substring(eq + 1), vars);
            else value = scope == metaArgs ? null : metaArgs.get(name); // a global ARG's value, redeclared in the stage
            scope.put(name, value);
            tooMany(in, scope);
            if (value != null) vars.put(name, value);
        }
    }

    private static void tooMany(Lines.Instruction in, Map<String, String> scope) throws BuildFailure {
        if (scope.size() > MAX_VARIABLES)
            throw BuildFailure.at(in.line(), in.keyword() + ": more than " + MAX_VARIABLES + " variables");
    }

    private Map<String, String> pairs(Lines.Instruction in) throws BuildFailure {
        String what = in.keyword();
        List<String> words = Words.split(in.args(), escape);
        if (words.isEmpty()) throw BuildFailure.at(in.line(), what + " needs name=value");
        Map<String, String> vars = vars(); // every value sees the variables as they were before this instruction
        Map<String, String> out = new LinkedHashMap<>();
        if (words.get(0).indexOf('=') < 0) { // the legacy form: NAME value with spaces
            String name = expand(words.get(0), vars);
            String rest = in.args().substring(in.args().indexOf(words.get(0)) + words.get(0).length()).strip();
            if (rest.isEmpty())
                throw BuildFailure.at(in.line(), what + " " + printable(name) + " needs a value (" + what + " name=value)");
            out.put(checkName(in, name), expand(rest, vars));
            return out;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq < 0)
                throw BuildFailure.at(in.line(), what + ": '" + printable(w) + "' is not of the form name=value");
            out.put(checkName(in, expand(w.substring(0, eq), vars)),
                    expand(w.substring(eq + 1), vars));
        }
        return out;
    }

    private static String checkName(Lines.Instruction in, String name) throws BuildFailure {
        if (name.isEmpty() || name.indexOf('=') >= 0 || Lines.indexOfWhitespace(name) >= 0)
            throw BuildFailure.at(in.line(), in.keyword() + ": invalid name '" + printable(name) + "'");
        return name;
    }

    private Step run(Lines.Instruction in) throws BuildFailure {
        if (in.args().startsWith("--"))
            throw BuildFailure.at(in.line(), "RUN " + in.args().split("[\\s=]", 2)[0] + " is not supported");
        if (in.args().startsWith("<<"))
            throw BuildFailure.at(in.line(), "RUN with a here-document (<<) is not supported");
        List<String> argv = execOrShell(in);
        if (runEnv == null) {
            Map<String, String> e = new HashMap<>(vars());
            e.putIfAbsent("PATH", DEFAULT_PATH);
            runEnvEntries += e.size();
            if (runEnvEntries > MAX_RUN_ENV_ENTRIES)
                throw BuildFailure.at(in.line(), "RUN: the RUN steps would hold more than " + MAX_RUN_ENV_ENTRIES
                        + " environment variables in all (change ENV and ARG less often between RUNs)");
            runEnv = Map.copyOf(e); // immutable: every RUN until the next ENV or ARG shares it (Step.Run keeps it as is)
        }
        return new Step.Run(in.line(), in.text(), argv, runEnv, workdir, user);
    }

    private List<String> command(Lines.Instruction in) throws BuildFailure {
        List<String> json = Words.jsonArray(in.args());
        if (json != null) return json; // CMD [] is a valid, empty command
        return execOrShell(in);
    }

    private static List<String> execOrShell(Lines.Instruction in) throws BuildFailure {
        List<String> json = Words.jsonArray(in.args());
        if (json != null && json.isEmpty() || in.args().isEmpty())
            throw BuildFailure.at(in.line(), in.keyword() + " needs a command");
        return json != null ? json : List.of("/bin/sh", "-c", in.args());
    }

    private Step copy(Lines.Instruction in) throws BuildFailure {
        String what = in.keyword();
        Flags f = Flags.take(in, escape, vars(), budget, "chown", "chmod", "link", "from");
        if (f.values().containsKey("from"))
            throw BuildFailure.at(in.line(), what + " --from is not supported: multi-stage builds are not supported");
        List<String> json = Words.jsonArray(f.rest());
        List<String> raw = json != null ? json : Words.fields(f.rest());
        if (raw.size() < 2) throw BuildFailure.at(in.line(), what + " needs at least one source and a destination");
        Map<String, String> vars = vars();
        List<String> words = new ArrayList<>();
        for (String w : raw) words.add(expand(w, vars));
        List<String> sources = words.subList(0, words.size() - 1);
        String dest = words.get(words.size() - 1);
        if (dest.isEmpty()) throw BuildFailure.at(in.line(), what + " needs a destination");
        for (String s : sources) {
            if (s.isEmpty()) throw BuildFailure.at(in.line(), what + ": empty source path");
            if (what.equals("ADD") && (s.matches("(?i)^[a-z][a-z0-9+.-]*://.*") || s.startsWith("git@")))
                throw BuildFailure.at(in.line(), "ADD " + printable(s) + ": downloading a URL is not supported; "
                        + "put the file in the code artifact, or fetch it with RUN (curl, wget)");
        }
        boolean dirForm = dest.endsWith("/") || dest.equals(".") || dest.endsWith("/.");
        if (sources.size() > 1 && !dirForm)
            throw BuildFailure.at(in.line(), "when " + what + " has more than one source, the destination must be a directory and end with /");
        String chown = f.values().get("chown");
        if (chown != null && !OWNER.matcher(chown).matches())
            throw BuildFailure.at(in.line(), what + " --chown=" + printable(chown) + ": expected user, user:group, uid or uid:gid");
        String chmod = f.values().get("chmod");
        if (chmod != null && !chmod.matches("[0-7]{3,4}"))
            throw BuildFailure.at(in.line(), what + " --chmod=" + printable(chmod) + ": expected an octal mode such as 0755");
        return new Step.Copy(in.line(), in.text(), sources, resolve(workdir, dest), dirForm, chown,
                chmod == null ? null : Integer.parseInt(chmod, 8), what.equals("ADD"));
    }

    private void user(Lines.Instruction in) throws BuildFailure {
        String u = expand(in.args(), vars());
        if (!OWNER.matcher(u).matches())
            throw BuildFailure.at(in.line(), "USER: expected user, user:group, uid or uid:gid, not '" + printable(u) + "'");
        user = u.equals("root") || u.equals("0") ? null : u;
    }

    private void expose(Lines.Instruction in) throws BuildFailure {
        List<String> words = Words.fields(in.args());
        if (words.isEmpty()) throw BuildFailure.at(in.line(), "EXPOSE needs a port");
        Map<String, String> vars = vars();
        for (String w : words) {
            String p = expand(w, vars);
            String proto = "tcp";
            int slash = p.indexOf('/');
            if (slash >= 0) {
                proto = p.substring(slash + 1).toLowerCase();
                p = p.substring(0, slash);
            }
            if (!proto.equals("tcp"))
                throw BuildFailure.at(in.line(), "EXPOSE " + printable(w) + ": only TCP ports can be exposed");
            String[] range = p.split("-", -1);
            int lo = port(in, range[0], w), hi = range.length == 2 ? port(in, range[1], w) : lo;
            if (range.length > 2 || hi < lo || hi - lo >= 1024)
                throw BuildFailure.at(in.line(), "EXPOSE: invalid port range '" + printable(w) + "'");
            for (int port = lo; port <= hi; port++) ports.add(port);
        }
    }

    private static int port(Lines.Instruction in, String s, String word) throws BuildFailure {
        if (s.matches("[0-9]{1,5}")) {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) return p;
        }
        throw BuildFailure.at(in.line(), "EXPOSE: invalid port '" + printable(word) + "'");
    }

    /** Absolute, clean path: {@code path} resolved against {@code base} when relative. */
    static String resolve(String base, String path) {
        String joined = path.startsWith("/") ? path : base + "/" + path;
        List<String> parts = new ArrayList<>();
        for (String seg : joined.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                if (!parts.isEmpty()) parts.remove(parts.size() - 1);
            } else {
                parts.add(seg);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** For messages: control characters shown escaped, long values cut. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        return b.length() < s.length() ? b + "..." : b.toString();
    }
}

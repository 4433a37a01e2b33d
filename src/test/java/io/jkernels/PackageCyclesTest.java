package io.jkernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No import circles between the packages of the main sources (src/main/java and src/main/java22):
 * the package graph, with an edge p -> q for each {@code import io.jkernels.q...} line of a file
 * of p and each fully-qualified {@code io.jkernels.q.Name} in its code, has no strongly connected
 * component of more than one package. A package is a source directory ({@code io.jkernels.check}
 * and {@code io.jkernels.check.families} are two). Comments (javadoc links included) and string,
 * char and text-block literals do not count.
 */
class PackageCyclesTest {

    /** Cycles known and being removed, each the exact set of packages of one component. */
    private static final List<Set<String>> EXEMPT = List.of();

    private static final List<Path> ROOTS = List.of(Path.of("src/main/java"), Path.of("src/main/java22"));
    private static final Pattern NAME = Pattern.compile("\\bio\\.jkernels(?:\\s*\\.\\s*[A-Za-z_$][A-Za-z0-9_$]*)+");
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?(io\\.jkernels[\\w.$*\\s]*?)\\s*;",
            Pattern.MULTILINE);

    /** One source file: its package (its directory) and its code (comments and literals blanked). */
    private record Source(String pkg, Path file, String code) {
    }

    /** Where an edge comes from: "tensor/Device.java:5". */
    private record Use(String where, String what) {
    }

    @Test
    void noCyclesBetweenPackages() {
        List<Source> sources = read();
        Set<String> packages = new TreeSet<>();
        for (Source s : sources) {
            packages.add(s.pkg());
        }
        assertTrue(packages.size() > 5, "found the packages of the main sources: " + packages);

        Map<String, Map<String, List<Use>>> graph = graph(sources, packages);
        List<Set<String>> cycles = components(packages, graph);
        List<String> report = new ArrayList<>();
        List<String> exempted = new ArrayList<>();
        for (Set<String> c : cycles) {
            String text = describe(c, graph);
            if (EXEMPT.contains(c)) {
                exempted.add(text);
            } else {
                report.add(text);
            }
        }
        for (String e : exempted) {
            System.out.println("PackageCyclesTest: exempted (known) cycle " + e);
        }
        for (Set<String> e : EXEMPT) {
            if (!cycles.contains(e)) {
                System.out.println("PackageCyclesTest: the exempted cycle " + new TreeSet<>(e)
                        + " is gone; delete its exemption");
            }
        }
        if (!report.isEmpty()) {
            fail(report.size() + " import cycle(s) between packages:\n" + String.join("\n", report));
        }
    }

    /** The scanner itself: imports, inline names, nested packages, comments and strings. */
    @Test
    void scannerFindsImportsAndInlineNamesButNotCommentsOrStrings() {
        Set<String> pkgs = Set.of("io.jkernels.a", "io.jkernels.b", "io.jkernels.b.sub", "io.jkernels.c",
                "io.jkernels.d", "io.jkernels.e", "io.jkernels.f", "io.jkernels.g");
        String text = String.join("\n",
                "package io.jkernels.a;",
                "import io.jkernels.b.sub.Thing;",
                "import static io.jkernels.c.Util.helper;",
                "/** See {@link io.jkernels.f.Linked}. */",
                "class X extends io.jkernels.g",
                "    .Base {",
                "  io.jkernels.b.Other o; // io.jkernels.d.InComment",
                "  /* io.jkernels.d.InBlock */ String s = \"io.jkernels.e.InString \\\" io.jkernels.e.Z\";",
                "  char q = '\"'; String t = \"\"\"",
                "      io.jkernels.e.InTextBlock\"\"\";",
                "  io.jkernels.a.Self self;",
                "}");
        Source s = split("io.jkernels.a", Path.of("a/X.java"), text);
        Map<String, Map<String, List<Use>>> g = graph(List.of(s), pkgs);
        Set<String> to = new TreeSet<>(g.getOrDefault("io.jkernels.a", Map.of()).keySet());
        assertTrue(to.equals(Set.of("io.jkernels.b", "io.jkernels.b.sub", "io.jkernels.c", "io.jkernels.g")),
                "edges of a: " + to);
        assertFalse(s.code().contains("InString") || s.code().contains("InTextBlock"), s.code());
    }

    private static List<Source> read() {
        List<Source> out = new ArrayList<>();
        for (Path root : ROOTS) {
            assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " (run from the project directory)");
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    Path dir = root.relativize(f).getParent();
                    String pkg = dir == null ? "" : dir.toString().replace(f.getFileSystem().getSeparator(), ".");
                    out.add(split(pkg, root.relativize(f), Files.readString(f, StandardCharsets.UTF_8)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /**
     * A file with its comments and string, char and text-block literals blanked (newlines kept, so
     * offsets keep their line).
     */
    static Source split(String pkg, Path file, String text) {
        StringBuilder code = new StringBuilder(text.length());
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                int end = text.indexOf('\n', i);
                end = end < 0 ? n : end;
                blank(code, text, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(code, text, i, end);
                i = end;
            } else if (c == '"' && text.startsWith("\"\"\"", i)) {
                int end = literalEnd(text, i + 3, "\"\"\"");
                blank(code, text, i, end);
                i = end;
            } else if (c == '"' || c == '\'') {
                int end = literalEnd(text, i + 1, String.valueOf(c));
                blank(code, text, i, end);
                i = end;
            } else {
                code.append(c);
                i++;
            }
        }
        return new Source(pkg, file, code.toString());
    }

    /** The index after the closing {@code quote} of a literal whose body starts at {@code from}. */
    private static int literalEnd(String text, int from, String quote) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (text.startsWith(quote, i)) {
                return i + quote.length();
            } else if (c == '\n' && quote.length() == 1) {
                return i; // unterminated: stop at the line end
            } else {
                i++;
            }
        }
        return text.length();
    }

    private static void blank(StringBuilder out, String text, int from, int to) {
        for (int k = from; k < to; k++) {
            out.append(text.charAt(k) == '\n' ? '\n' : ' ');
        }
    }

    /** from -> to -> the uses that make the edge. */
    static Map<String, Map<String, List<Use>>> graph(List<Source> sources, Set<String> packages) {
        Map<String, Map<String, List<Use>>> g = new TreeMap<>();
        for (Source s : sources) {
            List<int[]> spans = new ArrayList<>();
            Matcher im = IMPORT.matcher(s.code());
            while (im.find()) {
                spans.add(new int[] {im.start(1), im.end(1)});
            }
            Matcher m = NAME.matcher(s.code());
            while (m.find()) {
                spans.add(new int[] {m.start(), m.end()});
            }
            for (int[] sp : spans) {
                edge(g, s, packages, s.code(), sp[0], sp[1]);
            }
        }
        return g;
    }

    private static void edge(Map<String, Map<String, List<Use>>> g, Source s, Set<String> packages, String text,
                             int from, int to) {
        String name = text.substring(from, to).replaceAll("\\s+", "");
        String target = packageOf(name, packages);
        if (target == null || target.equals(s.pkg())) {
            return;
        }
        int line = 1;
        for (int k = 0; k < from; k++) {
            if (text.charAt(k) == '\n') {
                line++;
            }
        }
        List<Use> uses = g.computeIfAbsent(s.pkg(), k -> new TreeMap<>()).computeIfAbsent(target, k -> new ArrayList<>());
        Use u = new Use(s.file().toString().replace('\\', '/') + ":" + line, name);
        if (!uses.contains(u)) {
            uses.add(u);
        }
    }

    /** The longest package that {@code name} (a type, member, package or wildcard) starts with. */
    private static String packageOf(String name, Set<String> packages) {
        String n = name.endsWith(".*") ? name.substring(0, name.length() - 2) : name;
        while (true) {
            if (packages.contains(n)) {
                return n;
            }
            int dot = n.lastIndexOf('.');
            if (dot < 0) {
                return null;
            }
            n = n.substring(0, dot);
        }
    }

    /** The strongly connected components of more than one package (Tarjan), sorted. */
    static List<Set<String>> components(Set<String> packages, Map<String, Map<String, List<Use>>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String p : packages) {
            if (!index.containsKey(p)) {
                strongConnect(p, g, index, low, stack, onStack, out, counter);
            }
        }
        out.sort(java.util.Comparator.comparing(Set::toString));
        return out;
    }

    private static void strongConnect(String v, Map<String, Map<String, List<Use>>> g, Map<String, Integer> index,
                                      Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                      List<Set<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : g.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                strongConnect(w, g, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> c = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                c.add(w);
            } while (!w.equals(v));
            if (c.size() > 1) {
                out.add(c);
            }
        }
    }

    /** "{a, b}: a -> b (a/X.java:3 io.jkernels.b.Y, ...); b -> a (...)". */
    private static String describe(Set<String> c, Map<String, Map<String, List<Use>>> g) {
        StringBuilder sb = new StringBuilder("  " + c + ":");
        for (String from : c) {
            for (Map.Entry<String, List<Use>> e : g.getOrDefault(from, Map.of()).entrySet()) {
                if (!c.contains(e.getKey())) {
                    continue;
                }
                List<Use> uses = e.getValue();
                sb.append("\n    ").append(from).append(" -> ").append(e.getKey()).append(" (");
                for (int k = 0; k < Math.min(uses.size(), 4); k++) {
                    sb.append(k == 0 ? "" : ", ").append(uses.get(k).where()).append(' ').append(uses.get(k).what());
                }
                if (uses.size() > 4) {
                    sb.append(", ... ").append(uses.size() - 4).append(" more");
                }
                sb.append(')');
            }
        }
        return sb.toString();
    }
}

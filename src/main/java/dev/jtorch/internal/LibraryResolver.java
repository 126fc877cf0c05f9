package dev.jtorch.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the shared libraries a set of ELF libraries needs, transitively, the way glibc's dynamic
 * linker would, without loading anything.
 *
 * <p>For each {@code DT_NEEDED} name of a library the search order is ld.so(8)'s: a name with a
 * slash is a path; then libraries the process will already hold (JavaCPP loads every library it
 * extracted by absolute path first, and the linker matches later requests by name); then the
 * requester's {@code DT_RPATH} (only if it has no {@code DT_RUNPATH}), {@code LD_LIBRARY_PATH},
 * the requester's {@code DT_RUNPATH} ({@code $ORIGIN} is the requester's folder), the
 * {@code /etc/ld.so.cache} (or, where it cannot be read, the folders of {@code /etc/ld.so.conf}),
 * and the default folders. A candidate counts only if it is a 64-bit ELF file for the requester's
 * machine, as the linker skips the others. Once a name is found, later requests for it reuse that
 * file, as the linker does with libraries already loaded.
 */
final class LibraryResolver {
    /**
     * Where to search; injectable so that tests can fabricate any machine.
     *
     * @param provided libraries the process will hold before these load, by file name and soname
     * @param ldLibraryPath the {@code LD_LIBRARY_PATH} folders
     * @param ldCache the dynamic linker's cache, name to paths; null where it could not be read
     * @param confDirs the folders of {@code /etc/ld.so.conf}, searched only without a cache
     * @param defaultDirs the linker's built-in folders
     */
    record SearchPath(Map<String, Path> provided, List<Path> ldLibraryPath, Map<String, List<Path>> ldCache,
            List<Path> confDirs, List<Path> defaultDirs) {

        /**
         * This machine's search path, with {@code provided} on top.
         *
         * <p>Never throws: an unreadable cache or configuration only leaves that source out.
         */
        static SearchPath system(Map<String, Path> provided) {
            List<Path> ld = new ArrayList<>();
            String env = System.getenv("LD_LIBRARY_PATH");
            if (env != null) {
                for (String d : env.split("[:;]")) {
                    if (!d.isEmpty()) {
                        ld.add(Path.of(d));
                    }
                }
            }
            return new SearchPath(Map.copyOf(provided), List.copyOf(ld), readLdCache(Path.of("/etc/ld.so.cache")),
                    LibraryResolver.confDirs(Path.of("/etc/ld.so.conf")), DEFAULT_DIRS);
        }
    }

    /**
     * One library of the closure.
     *
     * @param name the name asked for ({@code DT_NEEDED}), or the file name of a root
     * @param path where it was found; null if missing
     * @param neededBy file names of the libraries that need it, in discovery order; empty for a root
     * @param problem why a found file could not be read as ELF, or null
     */
    record Library(String name, Path path, List<String> neededBy, String problem) {
        boolean missing() {
            return path == null;
        }
    }

    /** Debian/Ubuntu's multiarch folders first, as their ld.so has them built in, then glibc's. */
    static final List<Path> DEFAULT_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"));

    private final SearchPath search;

    LibraryResolver(SearchPath search) {
        this.search = search;
    }

    /**
     * Resolves everything {@code roots} need, transitively.
     *
     * @return the roots first, then every needed library in discovery order, found or missing
     */
    List<Library> closure(List<Path> roots) {
        Map<String, Path> found = new HashMap<>();
        Map<String, List<String>> neededBy = new LinkedHashMap<>();
        Map<Path, String> problems = new HashMap<>();
        List<String> order = new ArrayList<>();
        Set<Path> visited = new HashSet<>();
        Deque<Path> queue = new ArrayDeque<>();
        for (Path r : roots) {
            String name = r.getFileName().toString();
            if (!found.containsKey(name)) {
                found.put(name, r);
                order.add(name);
                neededBy.put(name, new ArrayList<>());
                queue.add(r);
            }
        }
        while (!queue.isEmpty()) {
            Path lib = queue.removeFirst();
            if (!visited.add(lib.toAbsolutePath().normalize())) {
                continue;
            }
            String libName = lib.getFileName().toString();
            Elf.Info info;
            try {
                info = Elf.read(lib);
            } catch (IOException e) {
                problems.put(lib, e.getMessage());
                continue;
            }
            for (String n : info.needed()) {
                List<String> by = neededBy.computeIfAbsent(n, k -> {
                    order.add(k);
                    return new ArrayList<>();
                });
                if (!by.contains(libName)) {
                    by.add(libName);
                }
                if (found.get(n) != null) {
                    continue;
                }
                Path p = resolve(n, lib, info);
                if (p != null) {
                    found.put(n, p);
                    queue.add(p);
                }
            }
        }
        List<Library> out = new ArrayList<>();
        for (String n : order) {
            Path p = found.get(n);
            out.add(new Library(n, p, List.copyOf(neededBy.get(n)), p == null ? null : problems.get(p)));
        }
        return out;
    }

    /**
     * Where the linker would find {@code name} for {@code requester}; null if nowhere.
     */
    Path resolve(String name, Path requester, Elf.Info info) {
        int machine = info.machine();
        if (name.contains("/")) {
            Path p = Path.of(name);
            return usable(p, machine) ? p : null;
        }
        Path provided = search.provided().get(name);
        if (provided != null && usable(provided, machine)) {
            return provided;
        }
        Path origin = requester.toAbsolutePath().getParent();
        if (info.runpath().isEmpty()) {
            Path p = inDirs(name, expand(info.rpath(), origin), machine);
            if (p != null) {
                return p;
            }
        }
        Path p = inDirs(name, search.ldLibraryPath(), machine);
        if (p == null) {
            p = inDirs(name, expand(info.runpath(), origin), machine);
        }
        if (p == null && search.ldCache() != null) {
            for (Path c : search.ldCache().getOrDefault(name, List.of())) {
                if (usable(c, machine)) {
                    p = c;
                    break;
                }
            }
        } else if (p == null) {
            p = inDirs(name, search.confDirs(), machine);
        }
        return p != null ? p : inDirs(name, search.defaultDirs(), machine);
    }

    private static Path inDirs(String name, List<Path> dirs, int machine) {
        for (Path d : dirs) {
            Path p = d.resolve(name);
            if (usable(p, machine)) {
                return p;
            }
        }
        return null;
    }

    /** A regular file (through symlinks: a dangling one is skipped) that is ELF64 for {@code machine}. */
    private static boolean usable(Path p, int machine) {
        return Files.isRegularFile(p) && Elf.machine64(p) == machine;
    }

    /** RPATH/RUNPATH entries as folders: {@code $ORIGIN} expanded; entries with other tokens left out. */
    static List<Path> expand(List<String> entries, Path origin) {
        List<Path> out = new ArrayList<>();
        for (String e : entries) {
            String d = e.replace("${ORIGIN}", "$ORIGIN");
            if (d.contains("$ORIGIN")) {
                if (origin == null) {
                    continue;
                }
                d = d.replace("$ORIGIN", origin.toString());
            }
            if (d.contains("$")) {
                continue; // $LIB, $PLATFORM: not used by the presets' libraries
            }
            out.add(Path.of(d));
        }
        return out;
    }

    /**
     * The name-to-paths map of glibc's {@code ld.so.cache} (the "glibc-ld.so.cache1.1" format,
     * possibly after an old-format part); null if the file is missing or not in that format.
     */
    static Map<String, List<Path>> readLdCache(Path file) {
        byte[] all;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > (64 << 20)) {
                return null;
            }
            all = Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        byte[] magic = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
        int start = indexOf(all, magic);
        if (start < 0 || all.length - start < 48) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.nativeOrder());
        long nlibs = b.getInt(start + 20) & 0xffffffffL;
        long entries = start + 48L;
        if (nlibs > (all.length - entries) / 24) {
            return null;
        }
        Map<String, List<Path>> out = new HashMap<>();
        for (int i = 0; i < nlibs; i++) {
            int e = (int) (entries + 24L * i);
            String key = cString(all, start + (b.getInt(e + 4) & 0xffffffffL));
            String value = cString(all, start + (b.getInt(e + 8) & 0xffffffffL));
            if (key != null && value != null) {
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(Path.of(value));
            }
        }
        return out;
    }

    private static String cString(byte[] a, long at) {
        if (at < 0 || at >= a.length) {
            return null;
        }
        int s = (int) at;
        int e = s;
        while (e < a.length && a[e] != 0) {
            e++;
        }
        return e < a.length && e > s ? new String(a, s, e - s, StandardCharsets.UTF_8) : null;
    }

    private static int indexOf(byte[] a, byte[] m) {
        outer:
        for (int i = 0; i + m.length <= a.length; i++) {
            for (int j = 0; j < m.length; j++) {
                if (a[i + j] != m[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * The folders listed by {@code ld.so.conf} and the files it includes (glob patterns on the
     * file name only, as glibc's own files use them); empty where nothing can be read.
     */
    static List<Path> confDirs(Path conf) {
        Set<Path> out = new LinkedHashSet<>();
        readConf(conf, out, new HashSet<>());
        return List.copyOf(out);
    }

    private static void readConf(Path conf, Set<Path> out, Set<Path> seen) {
        if (!seen.add(conf.toAbsolutePath().normalize())) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(conf, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (String raw : lines) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (line.isEmpty() || line.startsWith("hwcap ")) {
                continue;
            }
            if (line.startsWith("include ") || line.startsWith("include\t")) {
                for (String pattern : line.substring(8).trim().split("\\s+")) {
                    Path p = Path.of(pattern);
                    if (!p.isAbsolute()) {
                        p = conf.toAbsolutePath().getParent().resolve(p);
                    }
                    Path dir = p.getParent();
                    if (dir == null || !Files.isDirectory(dir)) {
                        continue;
                    }
                    List<Path> matches = new ArrayList<>();
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p.getFileName().toString())) {
                        ds.forEach(matches::add);
                    } catch (IOException | RuntimeException e) {
                        continue;
                    }
                    matches.sort(null);
                    for (Path m : matches) {
                        readConf(m, out, seen);
                    }
                }
                continue;
            }
            int eq = line.indexOf('=');
            out.add(Path.of(eq > 0 ? line.substring(0, eq) : line)); // "dir=TYPE" is an old libc5 form
        }
    }
}

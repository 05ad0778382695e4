import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Run by functions/unbuilt-requests.sh check (java InitializeEveryClass.java jar list): loads and
 * initializes every class of a function's shrunk jar in a fresh class loader, which makes the JVM
 * verify every kept method. Fails if the JVM needed one of the dropped request classes for that
 * (the verifier loads a class to check that a value of it fits where another class is expected).
 * Other failures (a static initializer that needs the Lambda environment, optional modules the jar
 * never carried) are not this check's business and are only counted.
 */
public class InitializeEveryClass {
    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        List<String> dropped = new ArrayList<>();
        for (String name : Files.readAllLines(Path.of(args[1]))) {
            if (!name.isBlank()) {
                dropped.add(name.strip());
                dropped.add(name.strip().replace('/', '.'));
            }
        }
        List<String> classes = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream()
                    .map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && !n.contains("-") && !n.startsWith("META-INF/"))
                    .forEach(n -> classes.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
        }
        List<String> otherFailures = new ArrayList<>();
        List<String> needDropped = new ArrayList<>();
        try (URLClassLoader loader = new URLClassLoader(
                new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            for (String name : classes) {
                try {
                    Class.forName(name, true, loader);
                } catch (Throwable t) {
                    String needs = null;
                    for (Throwable c = t; c != null && needs == null; c = c.getCause()) {
                        String message = String.valueOf(c.getMessage());
                        if (dropped.stream().anyMatch(message::contains)) {
                            needs = name + ": " + c;
                        }
                    }
                    if (needs != null) {
                        needDropped.add(needs);
                    } else {
                        otherFailures.add(name + " (" + t + ")");
                    }
                }
            }
        }
        if (!needDropped.isEmpty()) {
            System.err.println("initializing " + jar.getFileName() + " needs dropped request classes:");
            needDropped.stream().limit(20).forEach(System.err::println);
            System.exit(1);
        }
        System.out.println("initialized " + (classes.size() - otherFailures.size()) + " of " + classes.size()
                + " classes of " + jar.getFileName() + "; none needs a dropped request class"
                + (otherFailures.isEmpty() ? "" : "; failing for other reasons: " + otherFailures));
        System.exit(0);
    }
}

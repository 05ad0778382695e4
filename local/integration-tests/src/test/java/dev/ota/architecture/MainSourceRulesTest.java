package dev.ota.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.local.standin.RepoRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What ArchUnit cannot see, read from the sources: main code names classes by import, not inline by
 * their fully qualified name, except where the simple name is already taken by an import or by a
 * type the file declares (as with Lambda's {@code Context} and CRaC's).
 */
class MainSourceRulesTest {

    private static final Pattern IMPORT = Pattern.compile("^import ([\\w.]+)\\.([A-Z]\\w*);$", Pattern.MULTILINE);
    private static final Pattern DECLARED = Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z]\\w*)");
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.\"@/])((?:java|javax|com|software|org|dev|io|picocli)\\.(?:[a-z_]\\w*\\.)+)([A-Z]\\w*)");

    @Test
    void mainCodeImportsWhatItNames() {
        List<String> inline = new ArrayList<>();
        for (Path file : mainSources()) {
            inline.addAll(inlineNames(file, read(file)));
        }
        assertThat(inline)
                .as("inline fully qualified names in main code (import them)")
                .isEmpty();
    }

    @Test
    void theRuleSeesAnInlineNameAndAllowsAClash() {
        String source = """
                package dev.ota.x;

                import com.amazonaws.services.lambda.runtime.Context;

                class X {
                    java.util.List<String> names; // java.util.Map in a comment is fine
                    void restore(org.crac.Context<?> context) {}
                    enum Projection { ALL }
                    Object keys = software.amazon.awssdk.services.dynamodb.model.Projection.builder();
                    String text = "software.amazon.Thing in a string is fine";
                }
                """;
        assertThat(inlineNames(Path.of("X.java"), source))
                .singleElement()
                .asString()
                .contains("java.util.List");
    }

    static List<String> inlineNames(Path file, String source) {
        Map<String, String> imported = new HashMap<>();
        Matcher imports = IMPORT.matcher(source);
        while (imports.find()) {
            imported.put(imports.group(2), imports.group(1));
        }
        Matcher declarations = DECLARED.matcher(source);
        while (declarations.find()) {
            imported.putIfAbsent(declarations.group(1), "(declared here)");
        }
        List<String> found = new ArrayList<>();
        boolean inComment = false;
        String[] lines = source.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.startsWith("/*")) {
                inComment = true;
            }
            if (inComment
                    || line.startsWith("*")
                    || line.startsWith("//")
                    || line.startsWith("import ")
                    || line.startsWith("package ")) {
                inComment = inComment && !line.contains("*/");
                continue;
            }
            String code = line.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("//.*$", "");
            Matcher qualified = QUALIFIED.matcher(code);
            while (qualified.find()) {
                String pkg = qualified.group(1).substring(0, qualified.group(1).length() - 1);
                String other = imported.get(qualified.group(2));
                if (other == null || other.equals(pkg)) {
                    found.add(file + ":" + (n + 1) + " " + pkg + "." + qualified.group(2));
                }
            }
        }
        return found;
    }

    private static List<Path> mainSources() {
        Path repo = RepoRoot.find();
        try (Stream<Path> files = Files.walk(repo)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> repo.relativize(p).toString().contains("src/main/java/"))
                    .filter(p -> !repo.relativize(p).startsWith(".venv")
                            && !repo.relativize(p).toString().contains("/target/"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

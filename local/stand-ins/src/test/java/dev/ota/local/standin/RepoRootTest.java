package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoRootTest {

    @TempDir
    Path tmp;

    @Test
    void findsTheParentPomAboveAModule() throws Exception {
        Path root = tmp.resolve("repo");
        Path module = Files.createDirectories(root.resolve("functions/version-report/src/test"));
        Files.writeString(root.resolve("pom.xml"), "<project><artifactId>ota-parent</artifactId></project>");
        // A module's pom mentions ota-parent only as its parent: that is not the root.
        Files.writeString(
                root.resolve("functions/version-report/pom.xml"),
                "<project><parent><artifactId>ota-parent</artifactId></parent><artifactId>version-report</artifactId></project>");

        assertThat(RepoRoot.findFrom(module)).contains(root);
        assertThat(RepoRoot.findFrom(root.resolve("functions/version-report"))).contains(root);
    }

    @Test
    void findsItTwoModuleLevelsDown() throws Exception {
        // The local stack's modules sit under an aggregator of their own: local/pom.xml (ota-local-parent,
        // whose parent is ota-parent), then local/<module>/pom.xml (whose parent is ota-local-parent).
        Path root = tmp.resolve("repo");
        Path module = Files.createDirectories(root.resolve("local/stand-ins/src/test"));
        Files.writeString(root.resolve("pom.xml"), "<project><artifactId>ota-parent</artifactId></project>");
        Files.writeString(
                root.resolve("local/pom.xml"),
                "<project><parent><artifactId>ota-parent</artifactId></parent><artifactId>ota-local-parent</artifactId></project>");
        Files.writeString(
                root.resolve("local/stand-ins/pom.xml"),
                "<project><parent><artifactId>ota-local-parent</artifactId></parent><artifactId>ota-local-stand-ins</artifactId></project>");

        assertThat(RepoRoot.findFrom(module)).contains(root);
        assertThat(RepoRoot.findFrom(root.resolve("local/stand-ins"))).contains(root);
        assertThat(RepoRoot.findFrom(root.resolve("local"))).contains(root);
    }

    @Test
    void theRealRepositoryFromThisModule() {
        // Surefire runs in the module's own directory, local/stand-ins: two levels below the root.
        Path root = RepoRoot.find();

        assertThat(root.resolve("template.yaml")).isRegularFile();
        assertThat(root.resolve("local/stand-ins/pom.xml")).isRegularFile();
    }

    @Test
    void templateYamlMarksTheRootToo() throws Exception {
        Path root = tmp.resolve("sam");
        Path deep = Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("template.yaml"), "Resources: {}");

        assertThat(RepoRoot.findFrom(deep)).contains(root);
    }

    @Test
    void nothingAboveAPlainDirectory() throws Exception {
        Path plain = Files.createDirectories(tmp.resolve("plain/dir"));
        Files.writeString(plain.resolve("pom.xml"), "<project><artifactId>something-else</artifactId></project>");

        assertThat(RepoRoot.findFrom(plain)).isEmpty();
    }
}

package dev.ota.local;

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
        Path module = Files.createDirectories(root.resolve("local/src/test"));
        Files.writeString(root.resolve("pom.xml"), "<project><artifactId>ota-parent</artifactId></project>");
        // A module's pom mentions ota-parent only as its parent: that is not the root.
        Files.writeString(root.resolve("local/pom.xml"),
                "<project><parent><artifactId>ota-parent</artifactId></parent><artifactId>ota-local</artifactId></project>");

        assertThat(RepoRoot.findFrom(module)).contains(root);
        assertThat(RepoRoot.findFrom(root.resolve("local"))).contains(root);
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

package dev.ota.local.standin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/** Finds the project's root directory, so local tools (.venv, template.yaml) are found from any module. */
public final class RepoRoot {

    private static final Pattern PARENT_BLOCK = Pattern.compile("(?s)<parent>.*?</parent>");
    private static final String ROOT_ARTIFACT = "<artifactId>ota-parent</artifactId>";

    private RepoRoot() {}

    /** The root above the working directory; fails if there is none. */
    public static Path find() {
        return tryFind()
                .orElseThrow(() -> new IllegalStateException(
                        "no repo root (template.yaml or the ota-parent pom.xml) at or above " + workingDir()));
    }

    /** The root above the working directory, if there is one. */
    public static Optional<Path> tryFind() {
        return findFrom(workingDir());
    }

    /** The first directory at or above {@code start} holding template.yaml or the ota-parent pom. */
    public static Optional<Path> findFrom(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml")) || isParentPom(dir.resolve("pom.xml"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static Path workingDir() {
        return Path.of("").toAbsolutePath();
    }

    // A module's pom names ota-parent inside <parent>; only the root pom names it as its own artifactId.
    private static boolean isParentPom(Path pom) {
        if (!Files.isRegularFile(pom)) {
            return false;
        }
        try {
            String ownPart = PARENT_BLOCK.matcher(Files.readString(pom)).replaceAll("");
            return ownPart.contains(ROOT_ARTIFACT);
        } catch (IOException e) {
            return false;
        }
    }
}

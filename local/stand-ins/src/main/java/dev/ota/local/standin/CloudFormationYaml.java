package dev.ota.local.standin;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a CloudFormation (or SAM) template written in YAML into plain maps, lists and scalars,
 * keeping the short-form intrinsics ({@code !Ref}, {@code !Sub}, {@code !GetAtt}, ...) as
 * {@link Intrinsic} values for the reader to resolve as far as it needs.
 */
public final class CloudFormationYaml {

    private CloudFormationYaml() {}

    /** A CloudFormation short-form tag such as {@code !Sub "..."}: the function's name without the {@code !}, and its argument. */
    public record Intrinsic(String function, Object argument) {}

    /** The template's root mapping. */
    public static Map<String, Object> load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Map<String, Object> root = new Yaml(new CfnConstructor()).load(reader);
            return root == null ? Map.of() : root;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** SnakeYAML constructor that keeps CloudFormation's {@code !Tag} short forms as {@link Intrinsic}s. */
    private static final class CfnConstructor extends SafeConstructor {
        CfnConstructor() {
            super(new LoaderOptions());
            for (String fn : List.of(
                    "Ref",
                    "Sub",
                    "GetAtt",
                    "Join",
                    "If",
                    "Equals",
                    "Not",
                    "And",
                    "Or",
                    "Select",
                    "Split",
                    "FindInMap",
                    "Condition",
                    "Base64",
                    "GetAZs",
                    "ImportValue",
                    "Cidr",
                    "Transform")) {
                yamlConstructors.put(new Tag("!" + fn), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        Object argument;
                        if (node instanceof ScalarNode scalar) {
                            argument = scalar.getValue();
                        } else if (node instanceof SequenceNode sequence) {
                            argument = constructSequence(sequence);
                        } else {
                            argument = constructMapping((MappingNode) node);
                        }
                        return new Intrinsic(fn, argument);
                    }
                });
            }
        }
    }
}

package dev.ota.local.template;

import dev.ota.local.standin.CloudFormationYaml.Intrinsic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudFormation intrinsics, resolved to values as CloudFormation would for this local stack:
 * {@code Ref} (parameters, pseudo parameters, else the logical id), {@code Sub} (both forms, with
 * {@code ${!Literal}} escapes), {@code Join}, {@code Split}, {@code Select}. Used for documents
 * that must come out exactly as deployed, such as the device IoT policy.
 *
 * @throws UnsupportedOperationException for any other intrinsic, so a document the local stack
 *         cannot resolve stops the start-up instead of being enforced wrongly
 */
final class Intrinsics {

    private final Map<String, String> values;

    /** @param values parameters and pseudo parameters ({@code AWS::Region}, ...) by name */
    Intrinsics(Map<String, String> values) {
        this.values = values;
    }

    Object resolve(Object value) {
        if (value instanceof Intrinsic intrinsic) {
            return apply(intrinsic.function(), intrinsic.argument());
        }
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1) {
                String key = String.valueOf(map.keySet().iterator().next());
                if (key.equals("Ref") || key.startsWith("Fn::")) {
                    return apply(key.equals("Ref") ? "Ref" : key.substring(4), map.values().iterator().next());
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), resolve(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(resolve(v)));
            return out;
        }
        return value == null ? null : String.valueOf(value);
    }

    private Object apply(String function, Object argument) {
        return switch (function) {
            case "Ref" -> values.getOrDefault(String.valueOf(argument), String.valueOf(argument));
            case "Sub" -> sub(argument);
            case "Join" -> {
                List<?> args = (List<?>) argument;
                String delimiter = String.valueOf(args.get(0));
                List<String> parts = new ArrayList<>();
                for (Object part : asList(resolve(args.get(1)))) {
                    parts.add(String.valueOf(part));
                }
                yield String.join(delimiter, parts);
            }
            case "Split" -> {
                List<?> args = (List<?>) argument;
                String delimiter = String.valueOf(args.get(0));
                String source = String.valueOf(resolve(args.get(1)));
                List<Object> parts = new ArrayList<>();
                int from = 0;
                for (int at = source.indexOf(delimiter); at >= 0; at = source.indexOf(delimiter, from)) {
                    parts.add(source.substring(from, at));
                    from = at + delimiter.length();
                }
                parts.add(source.substring(from));
                yield parts;
            }
            case "Select" -> {
                List<?> args = (List<?>) argument;
                int index = Integer.parseInt(String.valueOf(resolve(args.get(0))));
                yield asList(resolve(args.get(1))).get(index);
            }
            default -> throw new UnsupportedOperationException("!" + function + " is not resolved by the local stack");
        };
    }

    private String sub(Object argument) {
        String template;
        Map<String, String> variables = new LinkedHashMap<>(values);
        if (argument instanceof List<?> args) {
            template = String.valueOf(args.get(0));
            if (args.size() > 1 && args.get(1) instanceof Map<?, ?> vars) {
                vars.forEach((k, v) -> variables.put(String.valueOf(k), String.valueOf(resolve(v))));
            }
        } else {
            template = String.valueOf(argument);
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf("${", i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            out.append(template, i, open);
            int close = template.indexOf('}', open);
            if (close < 0) {
                out.append(template, open, template.length());
                break;
            }
            String name = template.substring(open + 2, close);
            if (name.startsWith("!")) {
                out.append("${").append(name.substring(1)).append('}');
            } else if (variables.containsKey(name)) {
                out.append(variables.get(name));
            } else {
                throw new UnsupportedOperationException("${" + name + "} is not resolved by the local stack");
            }
            i = close + 1;
        }
        return out.toString();
    }

    private static List<?> asList(Object value) {
        if (value instanceof List<?> list) {
            return list;
        }
        throw new UnsupportedOperationException("not a list: " + value);
    }
}

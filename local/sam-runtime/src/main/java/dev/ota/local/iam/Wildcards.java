package dev.ota.local.iam;

import java.util.Locale;

/**
 * IAM's two wildcards: {@code *} matches any run of characters (none included), {@code ?} exactly
 * one. Nothing else is special: no escapes, no character classes, no policy variables (a policy
 * that uses {@code ${...}} is refused when it is read, see {@link Policy}).
 */
public final class Wildcards {

    private Wildcards() {}

    /** Whether {@code value} matches {@code pattern}, character for character (ARNs, string conditions). */
    public static boolean matches(String pattern, String value) {
        return match(pattern, value);
    }

    /** The same, ignoring case (actions: {@code S3:getobject} is {@code s3:GetObject}). */
    public static boolean matchesIgnoringCase(String pattern, String value) {
        return match(pattern.toLowerCase(Locale.ROOT), value.toLowerCase(Locale.ROOT));
    }

    /** Iterative glob match with backtracking to the last {@code *}: linear in practice, no regex. */
    private static boolean match(String p, String v) {
        int pi = 0;
        int vi = 0;
        int star = -1;
        int resume = 0;
        while (vi < v.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || (p.charAt(pi) != '*' && p.charAt(pi) == v.charAt(vi)))) {
                pi++;
                vi++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                resume = vi;
            } else if (star >= 0) {
                pi = star + 1;
                vi = ++resume;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }
}

package dev.ota.local.iam;

/**
 * Matching a resource ARN against a policy's {@code Resource} pattern, as IAM does: {@code *} alone
 * matches everything; otherwise the six colon-separated parts ({@code arn:partition:service:region:account:resource})
 * are matched part by part, the first five ignoring case and the resource part exactly, and a
 * wildcard in the resource part spans {@code /} and {@code :} ({@code table/Jobs/index/*}). A
 * pattern with fewer than six parts is read as if its missing parts were {@code *}, as IAM reads
 * such identity-policy resources.
 */
public final class Arns {

    private Arns() {}

    public static boolean matches(String pattern, String arn) {
        if (pattern.equals("*")) {
            return true;
        }
        String[] p = pad(pattern.split(":", 6));
        String[] a = arn.split(":", 6);
        if (a.length < 6) {
            return false;
        }
        for (int i = 0; i < 5; i++) {
            if (!Wildcards.matchesIgnoringCase(p[i], a[i])) {
                return false;
            }
        }
        return Wildcards.matches(p[5], a[5]);
    }

    private static String[] pad(String[] parts) {
        if (parts.length == 6) {
            return parts;
        }
        String[] padded = new String[6];
        for (int i = 0; i < 6; i++) {
            padded[i] = i < parts.length ? parts[i] : "*";
        }
        return padded;
    }
}

#!/usr/bin/env bash
# Between the two ProGuard passes of a function's jar (root pom, profile lambda-function; why in
# functions/lambda-shrink.pro): drops the AWS SDK request classes that no kept code can build, and
# afterwards checks that the JVM never has to load one of them.
#
#   unbuilt-requests.sh drop  <first-pass.jar> <list>   deletes them from the jar, writes their names to <list>
#   unbuilt-requests.sh check <final.jar> <list>        fails if kept code would load one of them, or the
#                                                       JVM needs one to verify the jar's classes
#
# A generated request class X (public final software/amazon/awssdk/services/<service>/model/XRequest;
# the abstract <Service>Request base classes are not candidates) is created only by its builder:
# X's constructor is private to X and X.BuilderImpl, and a BuilderImpl is created only by
# X.builder(), X.toBuilder() (which needs an X) or reflectively from X.serializableBuilderClass().
# When the first pass removed both static methods, no kept code can create an X: "unbuilt". The
# first pass kept X only because of the bridge default methods in X.Builder (see the .pro file).
# An unbuilt X stays if kept code would load it without an X in hand (see hard_refs below: the
# S3 and SQS interceptors' instanceof checks on every request, for instance).
set -euo pipefail

mode=$1 jar=$(realpath "$2") list=$(realpath -m "$3")
JAVA_BIN=${JAVA_HOME:+$JAVA_HOME/bin/}
# javap and the initializing check are short JVMs that load thousands of classes: the client
# compiler alone does that in half the CPU time (same output).
QUICK_JVM=-XX:TieredStopAtLevel=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# hard_refs <classes dir> <names>: which of <names> (slash form) the classes in the directory, other
# than those names' own nests, refer to in a way that makes the JVM load the class without an
# instance of it in hand: new, instanceof, ldc (X.class), array creation, invokestatic/invokespecial/
# getstatic/putstatic on its members, and invokedynamic call sites and bootstrap arguments (method
# handles and method types are resolved when the lambda is linked). Not counted: checkcast and
# virtual/interface calls and field accesses on an X (they run only with an X in hand; the SDK's
# endpoint interceptors cast to every operation's request inside that operation's switch branch),
# and descriptors (not resolved until such a call runs). The clients' InnerClasses tables, which
# list every operation's Builder, are no reference the JVM follows either.
hard_refs() {
  local dir=$1 names=$2
  [ -s "$names" ] || return 0
  (cd "$dir" && { grep -rlF --include='*.class' -f "$names" . || [ $? -eq 1 ]; }) \
    | sed 's|^\./||; s|\.class$||' \
    | awk 'NR == FNR { nest[$0] = 1; next } { n = $0; sub(/\$.*/, "", n); if (!(n in nest)) print }' "$names" - \
    > "$work/candidates"
  [ -s "$work/candidates" ] || return 0
  xargs "${JAVA_BIN}javap" -J$QUICK_JVM -c -p -v -cp "$dir" < "$work/candidates" \
    | awk '/^Classfile / { sec = "" }
           /^Constant pool:/ { sec = "cp"; next }
           sec == "cp" { if ($0 ~ /^\{$/) sec = "body"; next }
           /^BootstrapMethods:/ { sec = "bsm"; next }
           /^[A-Za-z]/ { if (sec == "bsm") sec = "attrs" }
           sec == "bsm" { print; next }
           sec != "body" { next }
           /^ *[0-9]+: (new|instanceof|anewarray|multianewarray|ldc|ldc_w|invokedynamic) / { print; next }
           /^ *[0-9]+: (invokestatic|invokespecial|getstatic|putstatic) / {
             if (match($0, /\/\/ (Method|InterfaceMethod|Field) [^:]*/)) {
               ref = substr($0, RSTART, RLENGTH); sub(/^\/\/ [A-Za-z]+ /, "", ref)
               if (ref ~ /\./) { sub(/\.[^.]*$/, "", ref); print ref }
             }
           }' \
    | tr . / \
    | { grep -oE 'software/amazon/awssdk/services/[A-Za-z0-9_]+/model/[A-Za-z0-9_]+' || [ $? -eq 1 ]; } \
    | sort -u | comm -12 - "$names"
}

case "$mode" in
  drop)
    unzip -Z1 "$jar" | { grep -E '^software/amazon/awssdk/services/[^/]+/model/[^/$]+Request\.class$' || true; } \
      | sed 's/\.class$//' > "$work/requests"
    : > "$list"
    [ -s "$work/requests" ] || exit 0
    # javap prints each class's header, then its members.
    xargs "${JAVA_BIN}javap" -J$QUICK_JVM -p -cp "$jar" < "$work/requests" \
      | awk '/^(public |abstract |final )*class / { for (i = 1; i <= NF; i++) if ($i == "class") cls = $(i + 1)
                                                    if ($0 ~ /^public final class /) seen[cls] = 1; next }
             / static .* (builder|serializableBuilderClass)\(\);$/ { built[cls] = 1 }
             END { for (c in seen) if (!(c in built)) print c }' \
      | tr . / | sort > "$work/unbuilt"
    mkdir "$work/classes"
    unzip -q "$jar" '*.class' -d "$work/classes"
    # Keep the unbuilt classes that kept code would load; what they load in turn is kept too.
    while :; do
      hard_refs "$work/classes" "$work/unbuilt" > "$work/named"
      [ -s "$work/named" ] || break
      comm -23 "$work/unbuilt" "$work/named" > "$work/rest"
      mv "$work/rest" "$work/unbuilt"
    done
    cp "$work/unbuilt" "$list"
    if [ -s "$list" ]; then
      # The class and its nest: X$Builder, X$BuilderImpl, javac's X$1.
      sed 's/.*/&.class\n&$*/' "$list" | xargs zip -q -d "$jar" > /dev/null
    fi
    echo "unbuilt-requests: dropped $(wc -l < "$list") unbuilt request classes from $(basename "$jar")"
    ;;
  check)
    [ -s "$list" ] || exit 0
    mkdir "$work/classes"
    unzip -q "$jar" '*.class' -d "$work/classes"
    hard_refs "$work/classes" "$list" > "$work/named"
    if [ -s "$work/named" ]; then
      echo "unbuilt-requests: $(basename "$jar") still loads dropped request classes:" >&2
      head -20 "$work/named" >&2
      exit 1
    fi
    echo "unbuilt-requests: no kept class of $(basename "$jar") loads any of the $(wc -l < "$list") dropped request classes"
    # And the verifier does not need them either: initialize every class (verifies every method).
    "${JAVA_BIN}java" $QUICK_JVM "$(dirname "$0")/InitializeEveryClass.java" "$jar" "$list" 2> >(grep -v '^SLF4J: ' >&2)
    ;;
  *)
    echo "usage: $0 drop|check <jar> <list>" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Shared by the scripts in jobs/: runs a main class of the built jar with the Vector API module.
#   jobs/lib/launch.sh MAIN_CLASS [ARGS...]
# Needs a build (target/lstm-flink.jar and the runtime class path in target/lib): mvn -q package -DskipTests.
# JAVA_HOME picks the JVM; JAVA_OPTS adds JVM options (e.g. JAVA_OPTS=-Xmx4g).
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/../.." && pwd)"
JAR="$ROOT/target/lstm-flink.jar"
LIB="$ROOT/target/lib"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
read -r -a JAVA_EXTRA <<< "${JAVA_OPTS:-}"
MAIN="$1"
shift

if [[ ! -f "$JAR" || ! -d "$LIB" ]]; then
    echo "$(basename "$0"): $JAR or $LIB is missing: build first with" >&2
    echo "  (cd \"$ROOT\" && mvn -q package -DskipTests)" >&2
    exit 1
fi

exec "$JAVA" "${JAVA_EXTRA[@]}" --add-modules=jdk.incubator.vector -cp "$JAR:$LIB/*" "$MAIN" "$@"

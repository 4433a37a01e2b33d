#!/usr/bin/env bash
# Builds target/gpu-bundle/: everything the GPU machine (no Java, no network) needs to run the
# gpu-tagged tests, the conformance suite on cuda (both bindings, and under compute-sanitizer) and
# the benchmarks: a jlinked JRE from JDK 25, the runnable jar, the test classes with the JUnit
# console launcher, the golden cases, the PyTorch peer script and run.sh.
#
#   tools/gpu-bundle.sh            # builds the jar (mvn package -DskipTests) first if missing
#   then on the GPU machine:        target/gpu-bundle/run.sh    (logs into $OUT, default ./gpu-out)
set -euo pipefail
cd "$(dirname "$0")/.."
JDK="${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$JDK/bin/jlink" ] || { echo "need a JDK 22+ with jlink at \$JDK (tried $JDK)" >&2; exit 1; }
export JAVA_HOME="$JDK"
if [ ! -f target/jkernels.jar ] || [ ! -d target/test-classes ] || [ "${REBUILD:-0}" = 1 ]; then
  mvn -B -q package -DskipTests
fi
[ -d target/test-classes ] || mvn -B -q test-compile
B=target/gpu-bundle
rm -rf "$B"
mkdir -p "$B/lib"

# JUnit console launcher (runs the gpu-tagged tests without Maven)
CONSOLE_VERSION=1.14.1
CONSOLE="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$CONSOLE_VERSION/junit-platform-console-standalone-$CONSOLE_VERSION.jar"
[ -f "$CONSOLE" ] || mvn -B -q dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$CONSOLE_VERSION"
cp "$CONSOLE" "$B/lib/junit-console.jar"
cp target/jkernels.jar "$B/lib/jkernels.jar"
cp -r target/test-classes "$B/test-classes"
rm -rf "$B/test-classes/golden"
tar -czf "$B/golden.tar.gz" -C src/test/resources golden
mkdir -p "$B/benchmarks"
cp benchmarks/*.py "$B/benchmarks/" 2>/dev/null || true

# The modules the jar needs (jdeps), less java.desktop: charts are drawn on this machine from the
# bench JSON (`jkernels chart`), which keeps the JRE near 43 MB; plus java.logging for the JUnit
# console launcher (its optional java.sql use is not needed) and jdk.unsupported for JCuda.
MODS=$("$JDK/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$B/lib/jkernels.jar")
MODS=$(echo "$MODS,java.logging,jdk.unsupported" | tr ',' '\n' | grep -v '^java.desktop$' | sort -u | paste -sd, -)
echo "jlink modules: $MODS"
"$JDK/bin/jlink" --add-modules "$MODS" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-9 --output "$B/jre"
cp tools/gpu-run.sh "$B/run.sh"
chmod +x "$B/run.sh"
du -sh "$B" "$B"/*

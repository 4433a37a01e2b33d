#!/usr/bin/env bash
# Builds target/gpu-bundle/: everything the GPU machine (no Java, no network) needs for the steps
# of run.sh (= tools/gpu-run.sh; README "GPU checks"):
#
#   run.sh                tools/gpu-run.sh
#   gpu-run/              tools/gpu-run/: the parts run.sh sources (lib.sh, steps.sh)
#   COMMIT                the commit the bundle was made from (+ "dirty" when the tree had changes)
#   jre.tar.xz            a jlinked JRE from JDK 25 with only the modules used (jdeps), packed:
#                         run.sh unpacks it into a temporary directory (about 1 s)
#   lib/jkernels.jar      the runnable jar, less the chart library (see below)
#   lib/junit-console.jar the JUnit console launcher (runs the gpu-tagged tests without Maven)
#   test-classes/         the compiled tests (without the golden cases)
#   golden.tar.gz         the golden cases, packed
#   benchmarks/           the PyTorch peer script torch_peer.py and its package peer/ (*.py only)
#   tools/optable.py      the op table reader torch_peer.py imports (from ../tools, as in the source tree)
#   optable.json          the op table of lib/jkernels.jar (`info --json`), which run.sh passes to
#                         torch_peer.py with --table (the GPU machine has no Java outside jre.tar.xz)
#
# Fails when the bundle passes MAX_MIB (default 40 MiB): it travels with the working tree, which
# may carry at most 64 MiB. Usage:
#   tools/gpu-bundle.sh          # builds the jar (mvn package -DskipTests) first if missing; REBUILD=1 forces it
set -euo pipefail
cd "$(dirname "$0")/.."
JDK="${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
MAX_MIB="${MAX_MIB:-40}"
[ -x "$JDK/bin/jlink" ] || { echo "gpu-bundle: need a JDK 22+ with jlink at \$JDK (tried $JDK)" >&2; exit 1; }
export JAVA_HOME="$JDK"
if [ ! -f target/jkernels.jar ] || [ ! -d target/test-classes ] || [ "${REBUILD:-0}" = 1 ]; then
  mvn -B -q package -DskipTests
fi
[ -d target/test-classes ] || mvn -B -q test-compile
B=target/gpu-bundle
rm -rf "$B"
mkdir -p "$B/lib" "$B/benchmarks/peer" "$B/tools"

# The commit, so that every summary.txt says what it tested.
newer=$(find pom.xml src/main kernels native -type f -newer target/jkernels.jar 2> /dev/null | head -n 1)
[ -z "$newer" ] || echo "gpu-bundle: warning: $newer is newer than target/jkernels.jar (REBUILD=1 rebuilds it)" >&2
{
  printf '%s' "$(git rev-parse HEAD)"
  [ -z "$(git status --porcelain)" ] || printf ' dirty'
  printf ' (branch %s; jar built %s; bundled %s)\n' "$(git rev-parse --abbrev-ref HEAD)" \
    "$(date -u -r target/jkernels.jar +%Y-%m-%dT%H:%MZ)" "$(date -u +%Y-%m-%dT%H:%MZ)"
} > "$B/COMMIT"

# JUnit console launcher, the version of the pom's JUnit platform.
CONSOLE_VERSION=$(sed -n 's:.*<junit.platform.version>\(.*\)</junit.platform.version>.*:\1:p' pom.xml)
CONSOLE="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$CONSOLE_VERSION/junit-platform-console-standalone-$CONSOLE_VERSION.jar"
[ -f "$CONSOLE" ] || mvn -B -q dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$CONSOLE_VERSION"
cp "$CONSOLE" "$B/lib/junit-console.jar"

# The jar without XChart: charts need java.desktop, which the JRE below leaves out, and the jar
# checks for it (bench.Charts.unavailableReason) before it touches the chart classes; charts are
# drawn afterwards from the bench JSON (`jkernels chart`). Everything else stays: the fatbin
# (every architecture: the file the jar ships is the one tested), the emulator library (0.2 MB
# packed) and JCuda (whose only natives are the linux-x86_64 ones).
cp target/jkernels.jar "$B/lib/jkernels.jar"
if command -v zip > /dev/null; then
  zip -q -d "$B/lib/jkernels.jar" 'org/knowm/*' 'io/jkernels/bench/BenchChart*' 'META-INF/maven/org.knowm*/*'
else
  echo "gpu-bundle: no zip here; the bundled jar keeps the chart library" >&2
fi
cp -r target/test-classes "$B/test-classes"
rm -rf "$B/test-classes/golden"
tar -czf "$B/golden.tar.gz" -C src/test/resources golden
cp benchmarks/torch_peer.py "$B/benchmarks/"
cp benchmarks/peer/*.py "$B/benchmarks/peer/"  # (not __pycache__/)
cp tools/optable.py "$B/tools/"
cp tools/gpu-run.sh "$B/run.sh"
chmod +x "$B/run.sh"
cp -r tools/gpu-run "$B/gpu-run"

# The JRE: the modules jdeps finds in the jar, the JUnit console launcher and the tests
# (java.base, java.logging, and java.xml for JUnit's XML reports), less java.desktop (only
# XChart, removed above) and java.sql (only JUnit's optional ResultSet conversions in its shaded
# CSV parser). jdeps --list-deps, not --print-module-deps: the latter leaves out what another
# module requires transitively (java.sql brings java.logging and java.xml, needed without it).
# The jimage is left uncompressed (--compress=zip-0) and the whole JRE packed with xz: 15 MB
# instead of 44 MB for an unpacked zip-9 image, most of it libjvm.so (kept with its symbols, for
# readable hs_err files). Cached in target/gpu-jre/ by JDK, modules and options (xz takes a
# minute here).
MODS=$(for p in "$B/lib/jkernels.jar" "$B/lib/junit-console.jar" target/test-classes; do
         "$JDK/bin/jdeps" --multi-release 25 --ignore-missing-deps --list-deps \
           --class-path "$B/lib/jkernels.jar:$B/lib/junit-console.jar" "$p"
       done | sed 's:^ *::; s:/.*::' | grep -vx -e java.desktop -e java.sql | sort -u | paste -sd, -)
JLINK_OPTS=(--strip-debug --no-man-pages --no-header-files --compress=zip-0 --dedup-legal-notices=error-if-not-same-content)
KEY="$(grep -h '^IMPLEMENTOR_VERSION\|^JAVA_VERSION=' "$JDK/release" | paste -sd' ' -) | $MODS | ${JLINK_OPTS[*]}"
CACHE=target/gpu-jre
if [ ! -f "$CACHE/jre.tar.xz" ] || [ "$(cat "$CACHE/key" 2>/dev/null)" != "$KEY" ]; then
  echo "jlink modules: $MODS"
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  "$JDK/bin/jlink" --add-modules "$MODS" "${JLINK_OPTS[@]}" --output "$CACHE/jre"
  "$CACHE/jre/bin/java" -jar "$B/lib/jkernels.jar" info > /dev/null
  tar -cf - -C "$CACHE" jre | xz -T0 -6 > "$CACHE/jre.tar.xz.part"
  mv "$CACHE/jre.tar.xz.part" "$CACHE/jre.tar.xz"
  echo "$KEY" > "$CACHE/key"
  rm -rf "$CACHE/jre"
else
  echo "jlink modules: $MODS (JRE from $CACHE)"
fi
cp "$CACHE/jre.tar.xz" "$B/jre.tar.xz"

# The op table of the bundled jar, written by the JDK limited to the JRE's modules (as the bundle's
# JRE would write it; that JRE is packed by now).
if ! "$JDK/bin/java" --limit-modules "$MODS" -jar "$B/lib/jkernels.jar" info --json > "$B/optable.json" ||
   ! grep -q '"schema": "jkernels-optable/1"' "$B/optable.json"; then
  echo "gpu-bundle: FAILED: \`java -jar $B/lib/jkernels.jar info --json\` wrote no op table (schema jkernels-optable/1)" >&2
  exit 1
fi

# Sizes (bytes, directories included), and the limit.
for f in jre.tar.xz lib/jkernels.jar lib/junit-console.jar test-classes golden.tar.gz benchmarks tools optable.json run.sh \
         gpu-run COMMIT; do
  printf '%10d  %s\n' "$(du -sb "$B/$f" | cut -f1)" "$f"
done
all=$(du -sb "$B" | cut -f1)
awk -v a="$all" -v b="$B" -v m="$MAX_MIB" 'BEGIN { printf "%10d  %s (%.1f MiB; limit %s MiB)\n", a, b, a / 1048576, m }'
if [ "$all" -gt $((MAX_MIB * 1048576)) ]; then
  echo "gpu-bundle: FAILED: $B is $all bytes, over the $MAX_MIB MiB limit (MAX_MIB): it must travel with" \
       "the working tree (64 MiB in all); shrink the largest part above" >&2
  exit 1
fi

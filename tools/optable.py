"""The op table of jkernels as the Python side reads it: `jkernels info --json` (schema
jkernels-optable/1, written by src/main/java/io/jkernels/cli/InfoCommand.java from
io.jkernels.table.OpTable.describe()). The Java op table is the one definition of every op (name,
family, inputs, attrs with defaults, outputs, spec rtol/atol, bit_exact, PyTorch expression,
bench entries); the golden generators (tools/golden/gen_*.py) and the PyTorch peer benchmark
(benchmarks/torch_peer.py) read it through this module instead of keeping copies. Standard
library only (no NumPy, no PyTorch).

Where the table comes from, first that applies:
  1. a file given with --table FILE (add_argument adds the option; load(path) takes it),
  2. the file named by the environment variable JK_OPTABLE,
  3. `java -jar target/jkernels.jar info --json`, run from the repository root ($JAVA_HOME/bin/java
     if JAVA_HOME is set, else java on the PATH).
The GPU bundle (tools/gpu-bundle.sh) carries the table as optable.json beside this file's copy.

    import optable                        # tools/ on sys.path
    table = optable.load(args.table)      # optable.TableError with the reason when none works
    table.op("relu")["bit_exact"]; table.family_ops("activations"); table.bench["relu_f32"]
"""

import json
import os
import subprocess

SCHEMA = "jkernels-optable/1"
ENV = "JK_OPTABLE"
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
JAR = os.path.join("target", "jkernels.jar")


class TableError(Exception):
    """The table could not be loaded, is not of this schema, or disagrees with its reader."""


def add_argument(parser):
    """Adds --table FILE to an argparse parser (default: $JK_OPTABLE, else the jar)."""
    parser.add_argument("--table", metavar="FILE", default=None,
                        help="the op table as written by `jkernels info --json` (default: $%s, else "
                             "`java -jar %s info --json` from the repository root)" % (ENV, JAR))


def java_command():
    home = os.environ.get("JAVA_HOME")
    return os.path.join(home, "bin", "java") if home else "java"


def _from_jar(repo):
    jar = os.path.join(repo, JAR)
    java = java_command()
    where = "`%s -jar %s info --json` (in %s)" % (java, JAR, repo)
    hint = ("build the jar (JAVA_HOME=... mvn -B -o -q -DskipTests package), or pass --table FILE / set %s "
            "to a file written by `java -jar %s info --json`" % (ENV, JAR))
    if not os.path.isfile(jar):
        raise TableError("no op table: no --table FILE, no $%s, and no %s to run; %s" % (ENV, jar, hint))
    try:
        r = subprocess.run([java, "-jar", JAR, "info", "--json"], cwd=repo, capture_output=True, text=True,
                           timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        raise TableError("no op table: %s failed: %s; %s" % (where, e, hint)) from None
    if r.returncode != 0:
        err = (r.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise TableError("no op table: %s exited with %d: %s; %s" % (where, r.returncode, err, hint))
    return r.stdout, where


def load(path=None, repo=REPO):
    """The table from `path`, else $JK_OPTABLE, else the jar of `repo`; raises TableError."""
    if path is None and os.environ.get(ENV):
        path = os.environ[ENV]
        where = "$%s=%s" % (ENV, path)
    else:
        where = path
    if path is not None:
        try:
            with open(path) as f:
                text = f.read()
        except OSError as e:
            raise TableError("cannot read the op table %s: %s" % (where, e)) from None
    else:
        text, where = _from_jar(repo)
    try:
        data = json.loads(text)
    except ValueError as e:
        raise TableError("the op table from %s is not JSON: %s" % (where, e)) from None
    return Table(data, where)


def _fail(where, what):
    raise TableError("the op table from %s %s" % (where, what))


class Table:
    """The table: `ops` {name: op} in table order, `bench` {entry name: {name, family, dtype}} in
    table order, `version` (of the jar that wrote it), `source` (where it was read from). An op is
    the JSON object of `jkernels info --json`: name, family, torch, inputs [{name, kind,
    optional}], attrs [{name, type, default, required}], outputs, rtol, atol, tolerance_reason,
    bit_exact, bench [entry names], demos [labels]."""

    def __init__(self, data, source):
        self.source = source
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            got = data.get("schema") if isinstance(data, dict) else type(data).__name__
            _fail(source, "has schema %r, not %r (an older or newer jar?)" % (got, SCHEMA))
        self.version = data.get("version")
        ops, bench = data.get("ops"), data.get("bench")
        if not isinstance(ops, list) or not isinstance(bench, list):
            _fail(source, "has no \"ops\" and \"bench\" lists")
        self.ops = {}
        for o in ops:
            for k in ("name", "family", "inputs", "attrs", "outputs", "rtol", "atol", "bit_exact", "bench"):
                if k not in o:
                    _fail(source, "has an op without %r: %s" % (k, json.dumps(o)[:200]))
            if o["name"] in self.ops:
                _fail(source, "defines op %s twice" % o["name"])
            self.ops[o["name"]] = o
        self.bench = {}
        for b in bench:
            if b.get("name") in self.bench:
                _fail(source, "defines bench entry %s twice" % b.get("name"))
            self.bench[b["name"]] = b

    # ---- ops ---------------------------------------------------------------------------------

    def op(self, name):
        """The op of that name; TableError when the table has none."""
        o = self.ops.get(name)
        if o is None:
            raise TableError("op %s is not in the op table (%s); its ops: %s"
                             % (name, self.source, ", ".join(self.ops)))
        return o

    def families(self):
        """The family names, in table order (the ops' families, then bench-only ones)."""
        out = []
        for x in list(self.ops.values()) + list(self.bench.values()):
            if x["family"] not in out:
                out.append(x["family"])
        return out

    def family_ops(self, family):
        """{name: op} of one family, in table order."""
        return {n: o for n, o in self.ops.items() if o["family"] == family}

    def inputs(self, name):
        """The op's input names, in order."""
        return [i["name"] for i in self.op(name)["inputs"]]

    def required_inputs(self, name):
        return [i["name"] for i in self.op(name)["inputs"] if not i.get("optional")]

    def outputs(self, name):
        return list(self.op(name)["outputs"])

    def attr_names(self, name):
        return [a["name"] for a in self.op(name)["attrs"]]

    def attr_defaults(self, name):
        """{attr: default} of the attrs that have a default, in table order, typed by the attr's
        type (a double attr's default 1 comes back as 1.0, as the Java side holds it)."""
        out = {}
        for a in self.op(name)["attrs"]:
            if a.get("default") is not None:
                out[a["name"]] = typed(a["type"], a["default"])
        return out

    def tolerance(self, name):
        """(rtol, atol) of the spec, as floats."""
        o = self.op(name)
        return float(o["rtol"]), float(o["atol"])

    def bit_exact(self, name):
        return bool(self.op(name)["bit_exact"])


def typed(kind, value):
    """A JSON attr value as the attr type holds it (double -> float, long -> int, lists alike)."""
    if value is None:
        return None
    if kind == "double":
        return float(value)
    if kind == "long":
        return int(value)
    if kind == "doubles":
        return [float(v) for v in value]
    if kind == "longs":
        return [int(v) for v in value]
    return value

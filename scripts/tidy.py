#!/usr/bin/env python3
"""clang-tidy over redcell's sources, with a result cache (what ccache is to the compiler).

    python3 scripts/tidy.py BUILD_DIR [--jobs N] [FILE...]

Checks every translation unit under src/ of BUILD_DIR/compile_commands.json with the checks
in .clang-tidy (bugprone-* and a function-size limit) and fails when any of them, or the
compiler itself, reports something in our code. A unit's result is kept under
~/.cache/redcell/clang-tidy (REDCELL_TIDY_CACHE), keyed by the clang-tidy version, the
configuration, the compile command and the contents of the source and of every header it
includes (ninja's dependency log), so an unchanged unit is not analysed again: a full run
costs ~10 minutes on 2 cores, a run after a one-file change seconds.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = ["clang-tidy-19", "/usr/lib/llvm-19/bin/clang-tidy"]
# g++ takes warning options clang does not know; clang's own warnings stay on.
EXTRA_ARGS = ["--extra-arg=-Wno-unknown-warning-option"]


def find_clang_tidy():
    for c in CANDIDATES:
        path = shutil.which(c) or (c if os.access(c, os.X_OK) else None)
        if path:
            return path
    sys.exit("tidy: clang-tidy 19 not found (Debian 12: apt-get install clang-tidy-19)")


def dependency_map(build_dir):
    """object file -> the files it was compiled from, from ninja's dependency log."""
    out = subprocess.run(["ninja", "-C", str(build_dir), "-t", "deps"], check=True,
                         capture_output=True, text=True).stdout
    deps, current = {}, None
    for line in out.splitlines():
        if not line.strip():
            current = None
        elif not line.startswith(" "):
            current = line.split(":", 1)[0]
            deps[current] = []
        elif current is not None:
            deps[current].append(line.strip())
    return deps


class Hasher:
    def __init__(self):
        self.memo = {}

    def file(self, path):
        if path not in self.memo:
            try:
                self.memo[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                self.memo[path] = "missing"
        return self.memo[path]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir", type=Path)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("files", nargs="*", help="only these sources (default: all of src/)")
    args = ap.parse_args()

    tidy = find_clang_tidy()
    version = subprocess.run([tidy, "--version"], capture_output=True, text=True).stdout
    config = (ROOT / ".clang-tidy").read_text()
    commands = json.loads((args.build_dir / "compile_commands.json").read_text())
    src = ROOT / "src"
    wanted = {str((ROOT / f).resolve()) for f in args.files}
    units = [c for c in commands
             if Path(c["file"]).is_relative_to(src) and (not wanted or c["file"] in wanted)]
    deps = dependency_map(args.build_dir)
    cache = Path(os.environ.get("REDCELL_TIDY_CACHE",
                                Path.home() / ".cache" / "redcell" / "clang-tidy"))
    cache.mkdir(parents=True, exist_ok=True)
    hasher = Hasher()

    def key_of(unit, hasher=hasher):
        h = hashlib.sha256()
        h.update(version.encode())
        h.update(config.encode())
        h.update(" ".join(EXTRA_ARGS).encode())
        # Paths inside the checkout are hashed relative to it (as CCACHE_BASEDIR does), so
        # a clone elsewhere reuses the results.
        command = unit.get("command", " ".join(unit.get("arguments", [])))
        h.update(command.replace(str(ROOT), "<root>").encode())
        h.update(hasher.file(unit["file"]).encode())
        words = unit.get("command", "").split()
        obj = words[words.index("-o") + 1] if "-o" in words else unit.get("output", "")
        files = deps.get(obj)
        if files is None:
            return None  # not built yet: no dependency list, so no cache
        # Sorted by the hashed name: sorting the raw paths would order a checkout's headers
        # against /usr/include differently in /tmp and in /work.
        paths = [f if os.path.isabs(f) else str(args.build_dir / f) for f in files]
        for name, p in sorted((os.path.normpath(p).replace(str(ROOT), "<root>"), p) for p in paths):
            h.update(name.encode())
            h.update(hasher.file(p).encode())
        return h.hexdigest()

    def check(unit):
        key = key_of(unit)
        entry = cache / f"{key}.json" if key else None
        if entry and entry.exists():
            return unit["file"], json.loads(entry.read_text()), True
        run = subprocess.run([tidy, "-p", str(args.build_dir), "--quiet", *EXTRA_ARGS,
                              unit["file"]], capture_output=True, text=True, cwd=ROOT)
        result = {"ok": run.returncode == 0, "output": run.stdout}
        # Kept only when it is the code's result: not when clang-tidy could not compile the
        # unit (a file missing, the checkout changing under it), and not when a file it read
        # changed during the run.
        stable = "[clang-diagnostic-error]" not in run.stdout and key == key_of(unit, Hasher())
        if entry and stable:
            tmp = entry.with_suffix(".tmp")
            tmp.write_text(json.dumps(result))
            tmp.replace(entry)
        return unit["file"], result, False

    failed, cached = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for file, result, hit in pool.map(check, units):
            cached += hit
            if not result["ok"]:
                failed.append(file)
                sys.stdout.write(result["output"])
    print(f"tidy: {len(units)} units, {cached} from the cache, {len(failed)} with findings")
    for f in failed:
        print(f"tidy: findings in {os.path.relpath(f, ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

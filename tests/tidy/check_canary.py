#!/usr/bin/env python3
"""The clang-tidy gate bites: the project's .clang-tidy must reject tests/tidy/canary.cpp.txt
for its use after move and its over-long function, naming both checks.

    check_canary.py CLANG_TIDY SOURCE_DIR
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

tidy, root = sys.argv[1], Path(sys.argv[2])
with tempfile.TemporaryDirectory() as tmp:
    # The canary is copied beside a copy of the configuration, under a src/ directory so the
    # header filter and the checks apply as they do to the project's own files.
    src = Path(tmp) / "src"
    src.mkdir()
    shutil.copy(root / ".clang-tidy", Path(tmp) / ".clang-tidy")
    unit = src / "canary.cpp"
    unit.write_text((root / "tests/tidy/canary.cpp.txt").read_text())
    run = subprocess.run([tidy, "--quiet", str(unit), "--", "-std=c++20"],
                         capture_output=True, text=True, cwd=tmp)
out = run.stdout + run.stderr
missing = [c for c in ("bugprone-use-after-move", "readability-function-size") if c not in out]
if run.returncode == 0 or missing:
    print(out)
    sys.exit(f"the clang-tidy gate did not bite: exit {run.returncode}, missing {missing}")
print("clang-tidy rejected the canary: use after move and an over-long function")

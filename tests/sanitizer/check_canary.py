"""Runs the use-after-free canary and passes only if AddressSanitizer caught it."""
import subprocess
import sys

proc = subprocess.run([sys.argv[1]], capture_output=True, text=True, timeout=60)
if proc.returncode == 0:
    sys.exit("the use-after-free canary exited 0: the sanitizers are not biting")
if "heap-use-after-free" not in proc.stderr:
    sys.exit("the canary failed without an ASan heap-use-after-free report:\n" + proc.stderr)
print("the sanitizers bite: ASan reported the canary's heap-use-after-free")

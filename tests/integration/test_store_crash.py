"""Crash safety: a child writes through the Store and reports each acknowledged record; the
parent SIGKILLs it after a random number (>= 1,000) of acknowledgements, reopens the store,
and checks that every acknowledged record is there exactly once and the file is sound.
Rounds: REDCELL_CRASH_ROUNDS (default 20). Python's own sqlite3 module is the checker."""
import os
import random
import signal
import sqlite3
import subprocess

from redcell_harness import id_text, run_cli

CHILD = os.environ.get("REDCELL_CRASH_CHILD", os.path.join(os.path.dirname(__file__), "../../build-asan/tests/store_crash_child"))
ROUNDS = int(os.environ.get("REDCELL_CRASH_ROUNDS", "20"))


def run_round(db, first_seq, kill_after):
    child = subprocess.Popen([CHILD, str(db), str(first_seq)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    acked = []
    while len(acked) < kill_after:
        line = child.stdout.readline()
        if not line:
            break
        rid, seq = line.decode().split()
        acked.append((rid, int(seq)))
    child.send_signal(signal.SIGKILL)
    # Acknowledgements already written to the pipe before the kill count too. Read them through
    # the same buffered reader: communicate() reads the raw descriptor and would skip what
    # readline() already buffered, starting mid-line. The child writes each line with one
    # write(2), so every line here is whole.
    rest = child.stdout.read()
    err = child.stderr.read()
    child.wait(timeout=30)
    for line in rest.decode().splitlines():
        rid, seq = line.split()
        acked.append((rid, int(seq)))
    assert child.returncode == -signal.SIGKILL, (child.returncode, err.decode()[-2000:])
    return acked


def test_every_acknowledged_write_survives_sigkill(tmp_path):
    db = tmp_path / "crash.db"
    rng = random.Random(int(os.environ.get("REDCELL_CRASH_SEED", "1")))
    all_acked = {}
    next_seq = 0
    for round_no in range(ROUNDS):
        acked = run_round(db, next_seq, rng.randint(1000, 3000))
        assert len(acked) >= 1000, f"round {round_no}: only {len(acked)} acknowledgements"
        for rid, seq in acked:
            assert rid not in all_acked
            all_acked[rid] = seq
        next_seq = max(seq for _, seq in acked) + 1000  # unacknowledged writes may exist
        check = run_cli("db", "check", "--db", f"sqlite://{db}")
        assert check.returncode == 0, check.stdout + check.stderr
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        rows = con.execute("SELECT id, sequence FROM messages WHERE conversation_id = 'crash'").fetchall()
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        stored = {id_text(rid): seq for rid, seq in rows}
        missing = [rid for rid in all_acked if rid not in stored]
        assert not missing, f"round {round_no}: {len(missing)} acknowledged records lost, e.g. {missing[:3]}"
        seqs = [s for _, s in rows]
        assert len(seqs) == len(set(seqs)), "a record was stored twice"
        for rid, seq in all_acked.items():
            assert stored[rid] == seq
    assert len(all_acked) >= ROUNDS * 1000, f"verified only {len(all_acked)} records"
    print(f"{ROUNDS} SIGKILL rounds, {len(all_acked)} acknowledged records verified")

"""The central memory through the real binary: one resolved store per process, the local
identity, /api/v1/system, the writer lock, and redcell db check/backup/restore."""
import os
import sqlite3
import subprocess

from redcell_harness import BIN, Server, assert_error_shape, run_cli


def tables(db_path):
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    out = {}
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        out[name] = con.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall()
    con.close()
    return out


def test_serve_logs_the_resolved_absolute_store_url_even_from_a_relative_path(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDCELL_")}
    env["REDCELL_HOME"] = str(tmp_path / "home")
    s = Server("--db", "sqlite:data/rel.db", wait=False, env=env)
    s.proc.kill()
    s.proc.wait()
    s.tmp.cleanup()
    proc = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--db", "sqlite:data/rel.db"],
                            cwd=work, env=env, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if '"event":"store_opened"' in line:
                assert f'"store":"sqlite://{work}/data/rel.db"' in line, line
                assert '"resolved_from_relative":true' in line
                break
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    assert (work / "data" / "rel.db").exists()


def test_default_store_lives_in_redcell_home_not_the_working_directory(tmp_path):
    with Server() as s:
        e = s.wait_for("store_opened")
        assert e["store"] == f"sqlite://{s.home}/redcell.db"
        assert s.request("GET", "/api/v1/system").json()["store"]["url"] == e["store"]


def test_me_is_the_local_admin_and_keeps_its_id_across_restarts(tmp_path):
    with Server(home=str(tmp_path)) as s:
        me = s.request("GET", "/api/v1/me").json()
    assert me["issuer"] == "redcell:local" and me["subject"] == "local"
    assert me["roles"] == ["admin"]
    with Server(home=str(tmp_path)) as s:
        assert s.request("GET", "/api/v1/me").json()["id"] == me["id"]


def test_system_reports_the_store_and_the_writer(tmp_path):
    with Server(home=str(tmp_path)) as s:
        r = s.request("GET", "/api/v1/system")
        assert r.status == 200
        doc = r.json()
        st = doc["store"]
        # The schema this binary knows, as `redcell db check` reports it too.
        assert st["kind"] == "sqlite" and st["schema_version"] >= 4 and st["reachable"] is True
        assert st["connections"] == {"read": 4, "write": 1}
        assert st["writer_queue"]["capacity"] > 0 and st["writes"] >= 1
        assert "wal_bytes_largest" in st and doc["auth"] == "local"
        assert s.request("GET", "/readyz").json() == {"status": "ready"}


def test_a_second_process_cannot_write_a_store_a_server_holds(tmp_path):
    with Server(home=str(tmp_path)) as s:
        second = run_cli("serve", "--listen", "127.0.0.1:0", home=str(tmp_path), timeout=30)
        assert second.returncode == 1
        assert "in use by another redcell process" in second.stderr
        assert f"pid {s.proc.pid}" in second.stderr and s.url in second.stderr
        migrate = run_cli("db", "migrate", home=str(tmp_path))
        assert migrate.returncode == 1 and s.url in migrate.stderr
        # Reads still work while the server runs, and name it.
        check = run_cli("db", "check", home=str(tmp_path))
        assert check.returncode == 0, check.stderr
        assert f"server at {s.url}" in check.stdout
        assert s.request("GET", "/healthz").status == 200


def test_backup_while_serving_then_restore_round_trips(tmp_path):
    home = tmp_path / "home"
    with Server(home=str(home)) as s:
        s.request("GET", "/api/v1/me")
        backup = tmp_path / "backup.db"
        out = run_cli("db", "backup", backup, home=str(home))
        assert out.returncode == 0, out.stderr
        assert "integrity:  ok" in out.stdout
        again = run_cli("db", "backup", backup, home=str(home))
        assert again.returncode == 1 and "exists already" in again.stderr
    source = tables(home / "redcell.db")
    assert source["users"], "the local user should be stored"
    assert tables(backup) == source
    target = tmp_path / "restored" / "r.db"
    out = run_cli("db", "restore", backup, "--db", f"sqlite://{target}", home=str(home))
    assert out.returncode == 0, out.stdout + out.stderr
    assert tables(target) == source


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    with Server(home=str(tmp_path)):
        pass
    db = tmp_path / "redcell.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 42")
    con.commit()
    con.close()
    out = run_cli("serve", "--listen", "127.0.0.1:0", home=str(tmp_path), timeout=30)
    assert out.returncode == 1
    assert "schema version 42" in out.stderr and "upgrade redcell" in out.stderr
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 42
    con.close()


def test_doctor_checks_the_store(tmp_path):
    out = run_cli("doctor", home=str(tmp_path))
    assert out.returncode == 0 and "no store yet" in out.stdout
    with Server(home=str(tmp_path)):
        pass
    out = run_cli("doctor", home=str(tmp_path))
    assert out.returncode == 0 and "integrity ok" in out.stdout
    db = tmp_path / "redcell.db"
    data = bytearray(db.read_bytes())
    data[8192:8192 + 8] = b"\xff" * 8  # the header of page 3: the users table's b-tree
    db.write_bytes(bytes(data))
    out = run_cli("doctor", home=str(tmp_path))
    assert out.returncode == 1, out.stdout
    assert "FAIL store" in out.stdout


def test_system_is_for_admins_only_and_errors_keep_the_shape(tmp_path):
    with Server(home=str(tmp_path)) as s:
        assert_error_shape(s.request("POST", "/api/v1/system"), 405, "method_not_allowed")

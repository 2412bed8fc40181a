"""Configuration through the real binary: flags beat REDCELL_* variables beat the config
file beat defaults, each value's source is reported, and bad values are named."""
import json

from redcell_harness import run_cli


def doctor(tmp_path, *args, env=None):
    out = run_cli("doctor", "--json", *args, env=env, home=str(tmp_path))
    return out, json.loads(out.stdout) if out.stdout.strip() else None


def setting(doc, name):
    return next(s for s in doc["config"] if s["name"] == name)


def test_precedence_and_sources(tmp_path):
    cfg = tmp_path / "redcell.yaml"
    cfg.write_text("listen: 127.0.0.1:7001\nlog_level: warn\nthreads: 3\nbody-limit: 2048\n")
    out, doc = doctor(tmp_path, "--config", cfg, "--listen", "127.0.0.1:7003",
                      env={"REDCELL_LISTEN": "127.0.0.1:7002", "REDCELL_LOG_LEVEL": "debug"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert setting(doc, "listen") == {"name": "listen", "value": "127.0.0.1:7003", "source": "flag", "origin": "--listen"}
    assert setting(doc, "log-level")["value"] == "debug"
    assert setting(doc, "log-level")["source"] == "environment"
    assert setting(doc, "log-level")["origin"] == "REDCELL_LOG_LEVEL"
    assert setting(doc, "threads")["value"] == "3"
    assert setting(doc, "threads")["source"] == "config file"
    assert setting(doc, "auth")["source"] == "default"


def test_default_store_is_under_redcell_home(tmp_path):
    out, doc = doctor(tmp_path)
    assert out.returncode == 0
    store = next(c for c in doc["checks"] if c["check"] == "store_url")
    assert store["detail"] == f"sqlite://{tmp_path}/redcell.db"


def test_a_relative_store_path_is_resolved_to_an_absolute_url(tmp_path):
    out = run_cli("doctor", "--json", "--db", "sqlite:data/r.db", home=str(tmp_path))
    doc = json.loads(out.stdout)
    store = next(c for c in doc["checks"] if c["check"] == "store_url")
    assert store["detail"].startswith("sqlite:///") and store["detail"].endswith("/data/r.db")


def test_bad_values_fail_naming_where_they_came_from(tmp_path):
    out, doc = doctor(tmp_path, env={"REDCELL_BODY_LIMIT": "huge"})
    assert out.returncode == 1
    assert "REDCELL_BODY_LIMIT" in json.dumps(doc)
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("lisen: 127.0.0.1:1\n")
    out = run_cli("doctor", "--config", cfg, home=str(tmp_path))
    assert out.returncode == 2
    assert "lisen" in out.stderr


def test_human_doctor_output_names_sources(tmp_path):
    out = run_cli("doctor", "--listen", "127.0.0.1:9999", home=str(tmp_path))
    assert out.returncode == 0
    assert "listen = 127.0.0.1:9999   [flag: --listen]" in out.stdout
    assert "ok   settings: valid" in out.stdout

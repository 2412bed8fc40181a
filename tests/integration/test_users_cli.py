"""`redcell user`: a team that tried redcell on a laptop (local mode) switches to its
identity provider (JWT) and merges what the local user made into the JWT user; through the
real binaries, the CLI and the HTTP API."""
import json
import os
import tempfile

from redcell_harness import Server, run_cli
from test_jwt import AUD, ISS, SECRET, claims, hs256


def jwt_server(home, secret_dir):
    return Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD,
                  "--jwt-hs256-secret-file", secret_dir + "/secret", home=home)


def test_merge_moves_a_laptop_users_work_to_the_jwt_user_and_is_audited():
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as d:
        open(d + "/secret", "w").write(SECRET)
        with Server(home=home) as s:  # local mode
            t = s.request("POST", "/api/v1/targets", json_body={
                "name": "laptop llm", "type": "mock"}).json()
            s.request("POST", "/api/v1/datasets", json_body={"name": "laptop set", "prompts": ["p"]})
            local_id = s.request("GET", "/api/v1/me").json()["id"]
        tam = {"Authorization": "Bearer " + hs256(claims(sub="tam-sub", realm_access={"roles": ["admin"]}))}
        with jwt_server(home, d) as s:
            tam_id = s.request("GET", "/api/v1/me", headers=tam).json()["id"]
            assert s.request("GET", "/api/v1/targets", headers=tam).json()["items"] == []
            # The store has a writer: the CLI says who holds it instead of writing beside it.
            busy = run_cli("user", "merge", local_id, tam_id, home=home)
            assert busy.returncode != 0 and "pid" in busy.stderr, busy.stderr

        listed = run_cli("user", "list", "--json", home=home)
        assert listed.returncode == 0, listed.stderr
        users = {u["id"]: u for u in json.loads(listed.stdout)}
        assert set(users) == {local_id, tam_id} and users[tam_id]["username"] == "tam.nguyen"

        bad = run_cli("user", "merge", "nobody-here", "tam.nguyen", home=home)
        assert bad.returncode == 1 and "no user has the id or username nobody-here" in bad.stderr

        merged = run_cli("user", "merge", local_id, "tam.nguyen", home=home)
        assert merged.returncode == 0, merged.stderr
        assert "rows moved" in merged.stdout

        shown = json.loads(run_cli("user", "show", "tam.nguyen", "--json", home=home).stdout)
        assert shown["objects"]["targets"] == 1 and shown["objects"]["datasets"] == 1
        local = json.loads(run_cli("user", "show", local_id, "--json", home=home).stdout)
        assert local["merged_into"] == tam_id and local["objects"]["targets"] == 0

        with jwt_server(home, d) as s:
            got = s.request("GET", "/api/v1/targets", headers=tam).json()["items"]
            assert [x["id"] for x in got] == [t["id"]]
            audit = s.request("GET", "/api/v1/audit?action=user.merge", headers=tam).json()["items"]
            assert len(audit) == 1 and audit[0]["object_id"] == local_id
            assert audit[0]["details"]["into"] == tam_id and audit[0]["details"]["via"] == "cli"
        # Back in local mode, the laptop identity now signs in as Tam and sees the same work.
        with Server(home=home) as s:
            assert s.request("GET", "/api/v1/me").json()["id"] == tam_id
            assert len(s.request("GET", "/api/v1/targets").json()["items"]) == 1


def test_reassign_moves_objects_but_keeps_identities_apart():
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as d:
        open(d + "/secret", "w").write(SECRET)
        a = {"Authorization": "Bearer " + hs256(claims(sub="a-sub", preferred_username="ann"))}
        b = {"Authorization": "Bearer " + hs256(claims(sub="b-sub", preferred_username="ben"))}
        with jwt_server(home, d) as s:
            s.request("POST", "/api/v1/targets", headers=a, json_body={"name": "ann's", "type": "mock"})
            ben_id = s.request("GET", "/api/v1/me", headers=b).json()["id"]
            ann_id = s.request("GET", "/api/v1/me", headers=a).json()["id"]
        r = run_cli("user", "reassign", "ann", "ben", home=home)
        assert r.returncode == 0, r.stderr
        same = run_cli("user", "reassign", "ann", "ann", home=home)
        assert same.returncode == 1 and "another user" in same.stderr
        with jwt_server(home, d) as s:
            assert s.request("GET", "/api/v1/me", headers=a).json()["id"] == ann_id
            assert s.request("GET", "/api/v1/targets", headers=a).json()["items"] == []
            assert len(s.request("GET", "/api/v1/targets", headers=b).json()["items"]) == 1
            assert s.request("GET", "/api/v1/me", headers=b).json()["id"] == ben_id

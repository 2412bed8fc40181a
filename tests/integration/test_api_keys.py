"""API keys through the real binary: created by a signed-in user, returned once, usable as
`Authorization: Bearer rc_...` or `X-API-Key`, listed without the secret, revoked with
effect on the next request, scoped to their owner, audited, never logged."""
import json
import sqlite3

import pytest

from redcell_harness import assert_error_shape, store_id
from test_jwt import as_user, claims, hs256, jwt_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with jwt_server(tmp_path_factory.mktemp("keys")) as s:
        yield s


def test_a_key_acts_as_its_owner_until_revoked(server):
    alice = as_user("alice")
    me = server.request("GET", "/api/v1/me", headers=alice).json()
    r = server.request("POST", "/api/v1/api-keys", json_body={"name": "nightly CI"}, headers=alice)
    assert r.status == 201, r.data
    key = r.json()
    secret = key["secret"]
    assert secret.startswith("rc_") and len(secret) > 40 and key["prefix"] == secret[:12]
    assert key["revoked_at"] is None

    for headers in ({"Authorization": "Bearer " + secret}, {"X-API-Key": secret}):
        r = server.request("GET", "/api/v1/me", headers=headers)
        assert r.status == 200, r.data
        assert r.json()["id"] == me["id"]

    listed = server.request("GET", "/api/v1/api-keys", headers=alice).json()
    assert [k["id"] for k in listed["items"]] == [key["id"]]
    assert "secret" not in listed["items"][0] and secret not in json.dumps(listed)
    assert listed["next_cursor"] is None

    bob = as_user("bob")
    assert server.request("GET", "/api/v1/api-keys", headers=bob).json()["items"] == []
    theirs = server.request("DELETE", f"/api/v1/api-keys/{key['id']}", headers=bob)
    random = server.request("DELETE", "/api/v1/api-keys/01900000-0000-7000-8000-000000000000", headers=bob)
    assert_error_shape(theirs, 404, "not_found")
    assert theirs.data == random.data

    r = server.request("DELETE", f"/api/v1/api-keys/{key['id']}", headers=alice)
    assert r.status == 200 and r.json()["revoked_at"]
    assert_error_shape(server.request("GET", "/api/v1/me", headers={"X-API-Key": secret}), 401, "unauthorized")

    con = sqlite3.connect(f"file:{server.home}/redcell.db?mode=ro", uri=True)
    actions = [a for (a,) in con.execute("SELECT action FROM audit_events WHERE object_id = ? ORDER BY id", (store_id(key["id"]),))]
    con.close()
    assert actions == ["api_key.create", "api_key.revoke"]
    assert secret not in server.log_text()


def test_wrong_keys_are_401(server):
    alice = as_user("alice2")
    secret = server.request("POST", "/api/v1/api-keys", json_body={"name": "k"}, headers=alice).json()["secret"]
    for bad in [secret[:-1] + ("A" if secret[-1] != "A" else "B"), "rc_" + "x" * 43, secret[:12], "rc_" + "é" * 20]:
        r = server.request("GET", "/api/v1/me", headers={"X-API-Key": bad})
        assert_error_shape(r, 401, "unauthorized")


def test_bad_bodies_name_the_field(server):
    alice = as_user("alice3")
    for body, field in [({"name": "x", "secret": "mine"}, "/secret"), ({"name": "x", "id": "x"}, "/id"),
                        ({}, "/name"), ({"name": ""}, "/name"), ({"name": 5}, "/name"), ([], "")]:
        r = server.request("POST", "/api/v1/api-keys", json_body=body, headers=alice)
        assert_error_shape(r, 400, "invalid_argument", field=field)
    r = server.request("GET", "/api/v1/api-keys?limit=0", headers=alice)
    assert_error_shape(r, 400, "invalid_argument", field="/query/limit")


def test_admins_read_users_and_the_audit_log(server):
    admin = {"Authorization": "Bearer " + hs256(claims(sub="auditor", preferred_username="auditor",
                                                       realm_access={"roles": ["admin"]}))}
    alice = as_user("alice4")
    key = server.request("POST", "/api/v1/api-keys", json_body={"name": "audited"}, headers=alice).json()
    server.request("DELETE", f"/api/v1/api-keys/{key['id']}", headers=alice)
    r = server.request("GET", f"/api/v1/audit?object_id={key['id']}", headers=admin)
    assert r.status == 200, r.data
    events = r.json()["items"]
    assert [e["action"] for e in events] == ["api_key.create", "api_key.revoke"]
    alice_id = server.request("GET", "/api/v1/me", headers=alice).json()["id"]
    assert {e["actor"] for e in events} == {alice_id}
    page = server.request("GET", "/api/v1/audit?action=api_key.create&limit=1", headers=admin).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    nxt = server.request("GET", "/api/v1/audit?action=api_key.create&limit=1&cursor=" + page["next_cursor"], headers=admin).json()
    assert nxt["items"][0]["id"] != page["items"][0]["id"]
    users = server.request("GET", "/api/v1/users?limit=500", headers=admin).json()["items"]
    assert alice_id in [u["id"] for u in users]
    for path in ["/api/v1/audit", "/api/v1/users"]:
        assert_error_shape(server.request("GET", path, headers=alice), 403, "forbidden")
    assert_error_shape(server.request("GET", "/api/v1/audit?cursor=garbage", headers=admin), 400,
                       "invalid_argument", field="/query/cursor")

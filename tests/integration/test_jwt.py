"""--auth jwt through the real binary, with tokens minted by an independent library
(python3-jwt + cryptography): valid HS256, RS256 and ES256 tokens resolve to the expected
user; the (iss, sub) pair, never the name, decides who that is; and each attack case after
RFC 8725, changing one thing in a valid token, gets 401 in the error shape."""
import base64
import contextlib
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from redcell_harness import Server, assert_error_shape

ISS = "https://idp.test/realms/redcell"
AUD = "redcell"
SECRET = "hs256-test-secret-with-at-least-32-bytes!"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(obj):
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def int_b64(n, length=None):
    length = length or (n.bit_length() + 7) // 8
    return b64(n.to_bytes(length, "big"))


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def rsa_jwk(key, kid):
    n = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": int_b64(n.n), "e": int_b64(n.e)}


def ec_jwk(key, kid):
    n = key.public_key().public_numbers()
    return {"kty": "EC", "kid": kid, "crv": "P-256", "x": int_b64(n.x, 32), "y": int_b64(n.y, 32)}


def claims(**over):
    now = int(time.time())
    c = {"iss": ISS, "aud": AUD, "sub": "user-123", "exp": now + 300, "iat": now,
         "preferred_username": "tam.nguyen", "name": "Tam Nguyen", "realm_access": {"roles": ["user"]}}
    for k, v in over.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return c


def hs256(c, headers=None):
    return jwt.encode(c, SECRET, algorithm="HS256", headers=headers)


def as_user(sub):
    """Request headers of user `sub` (an HS256 token, the username being the subject)."""
    return {"Authorization": "Bearer " + hs256(claims(sub=sub, preferred_username=sub))}


@contextlib.contextmanager
def jwt_server(directory, *args):
    """`redcell serve --auth jwt` trusting HS256 tokens signed with SECRET (the secret file
    written in `directory`); `args` are more of serve's flags."""
    (directory / "secret").write_text(SECRET)
    with Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD,
                "--jwt-hs256-secret-file", directory / "secret", *args) as s:
        yield s


def rs256(c, key=RSA_KEY, kid="rsa-1", headers=None):
    h = {"kid": kid} if kid else {}
    h.update(headers or {})
    return jwt.encode(c, key, algorithm="RS256", headers=h)


def es256(c, kid="ec-1"):
    return jwt.encode(c, EC_KEY, algorithm="ES256", headers={"kid": kid})


def unsigned(alg, c):
    return b64json({"alg": alg, "typ": "JWT"}) + "." + b64json(c) + "."


def hmac_token(header, c, secret_bytes):
    signing_input = b64json(header) + "." + b64json(c)
    sig = hmac.new(secret_bytes, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(sig)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("jwt")
    (d / "secret").write_text(SECRET + "\n")
    (d / "jwks.json").write_text(json.dumps({"keys": [rsa_jwk(RSA_KEY, "rsa-1"), ec_jwk(EC_KEY, "ec-1")]}))
    with Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD,
                "--jwt-hs256-secret-file", d / "secret", "--jwt-jwks", d / "jwks.json") as s:
        yield s


def me(server, token):
    return server.request("GET", "/api/v1/me", headers={"Authorization": "Bearer " + token})


@pytest.mark.parametrize("mint", [hs256, rs256, es256], ids=["HS256", "RS256", "ES256"])
def test_valid_tokens_resolve_to_the_user(server, mint):
    r = me(server, mint(claims()))
    assert r.status == 200, r.data
    doc = r.json()
    assert doc["issuer"] == ISS and doc["subject"] == "user-123"
    assert doc["username"] == "tam.nguyen" and doc["display_name"] == "Tam Nguyen"
    assert doc["roles"] == ["user"]


def test_the_same_subject_is_the_same_user_whatever_its_name(server):
    first = me(server, hs256(claims(sub="seed-bug", preferred_username="admin", name="admin"))).json()
    second = me(server, hs256(claims(sub="seed-bug", preferred_username="Tam Nguyen", name="Tam Nguyen"))).json()
    assert first["id"] == second["id"]
    assert second["username"] == "Tam Nguyen"
    other = me(server, hs256(claims(sub="someone-else", preferred_username="admin", name="admin"))).json()
    assert other["id"] != first["id"]


def test_roles_come_from_the_configured_claim(server):
    admin = hs256(claims(sub="an-admin", realm_access={"roles": ["admin"]}))
    user = hs256(claims(sub="a-user"))
    assert server.request("GET", "/api/v1/system", headers={"Authorization": "Bearer " + admin}).status == 200
    r = server.request("GET", "/api/v1/system", headers={"Authorization": "Bearer " + user})
    assert_error_shape(r, 403, "forbidden")


def attack_cases():
    now = int(time.time())
    good_rs = rs256(claims())
    good_es = es256(claims())
    h, p, s = good_rs.split(".")
    eh, ep, _ = good_es.split(".")
    pem = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    attacker_jwk = rsa_jwk(OTHER_RSA_KEY, "rsa-1")
    return {
        "alg none": unsigned("none", claims()),
        "alg None": unsigned("None", claims()),
        "alg NONE": unsigned("NONE", claims()),
        "alg nOnE": unsigned("nOnE", claims()),
        "HS256 signed with the RSA public key": hmac_token({"alg": "HS256", "kid": "rsa-1"}, claims(), pem),
        "HS256 signed with the RSA public JWK modulus": hmac_token({"alg": "HS256"}, claims(), base64.urlsafe_b64decode(rsa_jwk(RSA_KEY, "x")["n"] + "==")),
        "HS512 with the right secret": jwt.encode(claims(), SECRET, algorithm="HS512"),
        "HS384 with the right secret": jwt.encode(claims(), SECRET, algorithm="HS384"),
        "RS512 with the right key": jwt.encode(claims(), RSA_KEY, algorithm="RS512", headers={"kid": "rsa-1"}),
        "PS256 with the right key": jwt.encode(claims(), RSA_KEY, algorithm="PS256", headers={"kid": "rsa-1"}),
        "unknown kid": rs256(claims(), kid="rsa-2"),
        "kid with a path": rs256(claims(), kid="../../../../etc/passwd"),
        "kid with SQL": rs256(claims(), kid="' OR '1'='1' --"),
        "jku to an attacker's keys": rs256(claims(), key=OTHER_RSA_KEY, kid="attacker", headers={"jku": "http://127.0.0.1:1/jwks.json"}),
        "x5u to an attacker's chain": rs256(claims(), key=OTHER_RSA_KEY, kid="attacker", headers={"x5u": "http://127.0.0.1:1/cert.pem"}),
        "embedded jwk header": rs256(claims(), key=OTHER_RSA_KEY, kid=None, headers={"jwk": attacker_jwk}),
        "another issuer's key under our kid": rs256(claims(), key=OTHER_RSA_KEY, kid="rsa-1"),
        "expired beyond leeway": hs256(claims(exp=now - 120)),
        "nbf in the future": hs256(claims(nbf=now + 300)),
        "no exp": hs256(claims(exp=None)),
        "exp as a string": hs256(claims(exp=str(now + 300))),
        "wrong iss": hs256(claims(iss="https://evil.test/realms/redcell")),
        "no iss": hs256(claims(iss=None)),
        "wrong aud": hs256(claims(aud="someone-else")),
        "no aud": hs256(claims(aud=None)),
        "aud list without ours": hs256(claims(aud=["a", "b"])),
        "no sub": hs256(claims(sub=None)),
        "empty sub": hs256(claims(sub="")),
        "truncated signature": good_rs[:-10],
        "two segments": h + "." + p,
        "stripped signature": h + "." + p + ".",
        "tampered payload": h + "." + b64json(claims(sub="someone-else")) + "." + s,
        "oversized": hs256(claims(pad="x" * 10000)),
        "non-ASCII": good_rs[:20] + "é" + good_rs[21:],
        "ECDSA r=s=0": eh + "." + ep + "." + b64(bytes(64)),
        "ES256 header on an RSA signature": b64json({"alg": "ES256", "kid": "ec-1"}) + "." + p + "." + s,
    }


def test_attack_tokens_are_401_in_the_error_shape(server):
    cases = attack_cases()
    assert len(cases) >= 30
    failures = []
    for name, token in cases.items():
        r = server.request("GET", "/api/v1/me", headers={"Authorization": "Bearer " + token})
        if r.status != 401:
            failures.append(f"{name}: {r.status} {r.data[:200]!r}")
            continue
        assert_error_shape(r, 401, "unauthorized")
    assert not failures, "\n".join(failures)
    assert server.request("GET", "/healthz").status == 200


def test_missing_or_other_schemes_are_401(server):
    assert_error_shape(server.request("GET", "/api/v1/me"), 401, "unauthorized")
    r = server.request("GET", "/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_error_shape(r, 401, "unauthorized")
    # Public routes stay public.
    assert server.request("GET", "/healthz").status == 200


def test_jwt_mode_refuses_a_bad_configuration(tmp_path):
    for args, needle in [(["--jwt-audience", AUD, "--jwt-hs256-secret", SECRET], "--jwt-issuer"),
                         (["--jwt-issuer", ISS, "--jwt-hs256-secret", SECRET], "--jwt-audience"),
                         (["--jwt-issuer", ISS, "--jwt-audience", AUD, "--jwt-hs256-secret", "short"], "32 bytes"),
                         (["--jwt-issuer", ISS, "--jwt-audience", AUD], "JWKS")]:
        s = Server("--auth", "jwt", *args, wait=False)
        rc = s.proc.wait(timeout=30)
        s.reader.join(timeout=5)
        assert rc != 0, args
        assert needle in s.log_text(), (args, s.log_text())
        s.tmp.cleanup()

"""Browser sign-in (OIDC code flow with PKCE) through its HTTP interface, against a small
identity provider run by the test: its discovery document, and a token endpoint that checks
the PKCE verifier and answers an ID token (HS256 with the server's JWT secret, so the test
controls every claim). The whole flow in a real browser, against npm's oidc-provider, is in
web/e2e/run.mjs (spec "oidc")."""
import base64
import hashlib
import http.server
import json
import threading
import time
import urllib.parse

import pytest

from redcell_harness import Server, assert_error_shape, run_cli
from test_jwt import AUD, ISS, SECRET, claims, hs256

CLIENT = "redcell-web"


class Idp:
    """Discovery and a token endpoint; `codes` maps a code to (claims, PKCE challenge)."""

    def __init__(self):
        self.codes, self.token_requests = {}, []
        idp = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def answer(self, status, doc):
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    return self.answer(200, {"issuer": ISS, "authorization_endpoint": idp.url + "/authorize",
                                             "token_endpoint": idp.url + "/token"})
                self.answer(404, {})

            def do_POST(self):
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                idp.token_requests.append(form)
                code = form.get("code", [""])[0]
                if code not in idp.codes:
                    return self.answer(400, {"error": "invalid_grant"})
                c, challenge = idp.codes.pop(code)
                verifier = form.get("code_verifier", [""])[0].encode()
                s256 = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
                if s256 != challenge:
                    return self.answer(400, {"error": "invalid_grant", "error_description": "PKCE"})
                self.answer(200, {"id_token": hs256(c), "token_type": "Bearer"})

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def idp():
    i = Idp()
    yield i
    i.close()


def sign_in_server(tmp_path, idp, *more):
    # The issuer in tokens is ISS; the discovery document is read from the test's provider,
    # which the server finds through --jwt-issuer... so the issuer URL is the provider's.
    (tmp_path / "secret").write_text(SECRET)
    return Server("--auth", "jwt", "--jwt-issuer", idp.url, "--jwt-audience", AUD,
                  "--jwt-hs256-secret-file", tmp_path / "secret", "--oidc-client-id", CLIENT,
                  "--oidc-client-secret", "client-secret", *more)


def start_login(s, next_path="/executions?status=running"):
    r = s.request("GET", "/auth/login?next=" + urllib.parse.quote(next_path, safe=""))
    assert r.status == 302, r.data
    location = urllib.parse.urlparse(r.headers["location"])
    q = {k: v[0] for k, v in urllib.parse.parse_qs(location.query).items()}
    cookie = r.headers["set-cookie"]
    return location, q, cookie


def finish(s, idp, q, login_cookie, token_claims, code="code-1"):
    idp.codes[code] = (token_claims, q["code_challenge"])
    state_cookie = login_cookie.split(";")[0]
    return s.request("GET", f"/auth/callback?code={code}&state={q['state']}", headers={"Cookie": state_cookie})


def id_claims(idp, q, **over):
    c = claims(iss=idp.url, aud=CLIENT, sub="ana-1", preferred_username="ana", nonce=q["nonce"])
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def session_of(r):
    return next(c for c in r.all("set-cookie") if c.startswith("redcell_session=")).split(";")[0]


def error_of(r):
    assert r.status == 302
    loc = urllib.parse.urlparse(r.headers["location"])
    assert loc.path == "/"
    return urllib.parse.parse_qs(loc.query)["sign_in_error"][0]


def test_the_code_flow_signs_the_browser_in_with_a_session_cookie(tmp_path, idp):
    with sign_in_server(tmp_path, idp) as s:
        location, q, login_cookie = start_login(s)
        assert f"{location.scheme}://{location.netloc}{location.path}" == idp.url + "/authorize"
        assert q["response_type"] == "code" and q["client_id"] == CLIENT
        assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
        assert q["redirect_uri"] == s.url + "/auth/callback"
        assert set(q["scope"].split()) >= {"openid", "profile"}
        assert "HttpOnly" in login_cookie and "SameSite=Lax" in login_cookie and "Path=/auth" in login_cookie
        r = finish(s, idp, q, login_cookie, id_claims(idp, q))
        assert r.status == 302 and r.headers["location"] == "/executions?status=running", r.headers
        # The token request carried the PKCE verifier and the client's credentials.
        form = idp.token_requests[-1]
        assert form["client_id"] == [CLIENT] and form["client_secret"] == ["client-secret"]
        assert form["redirect_uri"] == [s.url + "/auth/callback"]
        cookies = r.all("set-cookie")
        session_cookie = next(c for c in cookies if c.startswith("redcell_session="))
        assert any(c.startswith("redcell_login=;") and "Max-Age=0" in c for c in cookies)
        assert session_cookie.startswith("redcell_session=") and "HttpOnly" in session_cookie
        assert "SameSite=Strict" in session_cookie and "Path=/" in session_cookie
        cookie = {"Cookie": session_cookie.split(";")[0]}
        info = s.request("GET", "/auth/session", headers=cookie).json()
        assert info["signed_in"] and info["username"] == "ana" and len(info["csrf_token"]) == 43
        me = s.request("GET", "/api/v1/me", headers=cookie)
        assert me.status == 200 and me.json()["subject"] == "ana-1", cookies
        # Unsafe requests need the session's CSRF token; reads do not.
        body = {"name": "d", "prompts": ["p"]}
        assert_error_shape(s.request("POST", "/api/v1/datasets", headers=cookie, json_body=body),
                           403, "forbidden", "/headers/x-csrf-token")
        wrong = dict(cookie, **{"X-CSRF-Token": "x" * 43})
        assert_error_shape(s.request("POST", "/api/v1/datasets", headers=wrong, json_body=body), 403, "forbidden")
        ok = dict(cookie, **{"X-CSRF-Token": info["csrf_token"]})
        assert s.request("POST", "/api/v1/datasets", headers=ok, json_body=body).status == 201
        # A bearer token still works beside it (automation), and wins over the cookie.
        bob = {"Authorization": "Bearer " + hs256(claims(iss=idp.url, sub="bob-1", preferred_username="bob")),
               **cookie}
        assert s.request("GET", "/api/v1/me", headers=bob).json()["subject"] == "bob-1"
        # Sign out: the session is gone, the cookie cleared.
        assert_error_shape(s.request("POST", "/auth/logout", headers=cookie), 403, "forbidden")
        out = s.request("POST", "/auth/logout", headers=ok)
        assert out.status == 200 and "Max-Age=0" in out.headers["set-cookie"]
        assert_error_shape(s.request("GET", "/api/v1/me", headers=cookie), 401, "unauthorized")
        assert s.request("GET", "/auth/session", headers=cookie).json()["signed_in"] is False


def test_a_changed_username_signs_in_as_the_same_user(tmp_path, idp):
    with sign_in_server(tmp_path, idp) as s:
        ids = []
        for name in ["ana", "ana.silva"]:
            _, q, login_cookie = start_login(s)
            r = finish(s, idp, q, login_cookie, id_claims(idp, q, preferred_username=name), code=name)
            cookie = {"Cookie": session_of(r)}
            me = s.request("GET", "/api/v1/me", headers=cookie).json()
            assert me["username"] == name
            ids.append(me["id"])
        assert ids[0] == ids[1]


def test_forged_replayed_and_foreign_sign_ins_are_refused(tmp_path, idp):
    with sign_in_server(tmp_path, idp) as s:
        _, q, login_cookie = start_login(s)
        # The state must come back with the browser that started the login.
        r = s.request("GET", f"/auth/callback?code=c&state={q['state']}")
        assert "not started by this browser" in error_of(r)
        r = s.request("GET", f"/auth/callback?code=c&state={q['state']}", headers={"Cookie": "redcell_login=other"})
        assert "not started by this browser" in error_of(r)
        # An ID token for another login (nonce), another client (aud) or another issuer.
        assert "nonce" in error_of(finish(s, idp, q, login_cookie, id_claims(idp, q, nonce="replayed")))
        _, q, login_cookie = start_login(s)
        assert "refused" in error_of(finish(s, idp, q, login_cookie, id_claims(idp, q, aud=AUD)))
        # A state is good once.
        _, q, login_cookie = start_login(s)
        assert finish(s, idp, q, login_cookie, id_claims(idp, q)).headers["location"].startswith("/executions")
        assert "expired or was used" in error_of(finish(s, idp, q, login_cookie, id_claims(idp, q), code="again"))
        # The provider's refusal is shown, not hidden.
        assert "access_denied" in error_of(s.request("GET", "/auth/callback?error=access_denied&state=x"))
        # Where to go after signing in is this server only.
        for evil in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/auth/logout"]:
            _, q, login_cookie = start_login(s, evil)
            r = finish(s, idp, q, login_cookie, id_claims(idp, q), code="e" + str(len(evil)))
            assert r.headers["location"] == "/", evil
        # A made-up session cookie signs nothing in.
        assert_error_shape(s.request("GET", "/api/v1/me", headers={"Cookie": "redcell_session=" + "A" * 43}),
                           401, "unauthorized")


def test_sessions_end_at_their_lifetime(tmp_path, idp):
    with sign_in_server(tmp_path, idp, "--session-lifetime", "2s") as s:
        _, q, login_cookie = start_login(s)
        r = finish(s, idp, q, login_cookie, id_claims(idp, q))
        assert any("Max-Age=2" in c for c in r.all("set-cookie"))
        cookie = {"Cookie": session_of(r)}
        assert s.request("GET", "/api/v1/me", headers=cookie).status == 200
        time.sleep(2.5)
        err = assert_error_shape(s.request("GET", "/api/v1/me", headers=cookie), 401, "unauthorized")
        assert "session has ended" in err["message"]


def test_sign_in_routes_where_there_is_no_sign_in():
    with Server() as s:
        assert s.request("GET", "/auth/session").json() == {"mode": "local", "signed_in": True}
        assert_error_shape(s.request("GET", "/auth/login"), 404, "not_found")
    with Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD, "--jwt-hs256-secret", SECRET) as s:
        assert s.request("GET", "/auth/session").json() == {"mode": "jwt", "signed_in": False, "sign_in": None}
        assert_error_shape(s.request("GET", "/auth/login"), 404, "not_found")


@pytest.mark.parametrize("args,field", [
    (["--oidc-client-id", "x"], "--oidc-client-id"),
    (["--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD, "--jwt-hs256-secret", SECRET,
      "--public-url", "http://host/path"], "--public-url"),
    (["--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD, "--jwt-hs256-secret", SECRET,
      "--session-lifetime", "0s"], "--session-lifetime"),
])
def test_bad_sign_in_settings_name_their_flag(args, field):
    s = Server(*args, wait=False)
    rc = s.proc.wait(timeout=30)
    s.reader.join(timeout=5)
    assert rc != 0 and field in s.log_text(), s.log_text()
    s.tmp.cleanup()

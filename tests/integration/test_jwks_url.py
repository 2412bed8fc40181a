"""--jwt-jwks with the identity provider's URL: keys are fetched at start-up, and again
when a token names a kid the server does not know (key rotation), at most once per
--jwt-jwks-min-refresh; an unreachable URL at start-up is a clear refusal."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from redcell_harness import Server, run_cli
from test_jwt import AUD, ISS, OTHER_RSA_KEY, RSA_KEY, claims, rs256, rsa_jwk


class Jwks:
    """A loopback JWKS endpoint whose keys the test rotates; counts the fetches."""

    def __init__(self, keys):
        self.keys, self.fetches = keys, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches += 1
                body = json.dumps({"keys": outer.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/realms/redcell/certs"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def test_keys_come_from_the_url_and_a_rotated_key_is_fetched_once():
    idp = Jwks([rsa_jwk(RSA_KEY, "k1")])
    try:
        with Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD,
                    "--jwt-jwks", idp.url, "--jwt-jwks-min-refresh", "2") as s:
            assert idp.fetches == 1
            old = {"Authorization": "Bearer " + rs256(claims(sub="u1"), key=RSA_KEY, kid="k1")}
            assert s.request("GET", "/api/v1/me", headers=old).status == 200
            # The provider rotates in a new key; the first token with it triggers one fetch.
            idp.keys = [rsa_jwk(RSA_KEY, "k1"), rsa_jwk(OTHER_RSA_KEY, "k2")]
            time.sleep(2.2)  # past --jwt-jwks-min-refresh since the start-up fetch
            new = {"Authorization": "Bearer " + rs256(claims(sub="u1"), key=OTHER_RSA_KEY, kid="k2")}
            r = s.request("GET", "/api/v1/me", headers=new)
            assert r.status == 200, r.data
            assert idp.fetches == 2
            # Tokens with made-up kids cannot make the server hammer the provider.
            for i in range(20):
                bogus = {"Authorization": "Bearer " + rs256(claims(sub="u1"), key=OTHER_RSA_KEY, kid=f"nope-{i}")}
                assert s.request("GET", "/api/v1/me", headers=bogus).status == 401
            assert idp.fetches <= 3
            assert s.request("GET", "/api/v1/me", headers=old).status == 200
    finally:
        idp.close()


def test_an_unreachable_jwks_url_refuses_to_start():
    idp = Jwks([])
    url = idp.url
    idp.close()
    r = run_cli("serve", "--listen", "127.0.0.1:0", "--auth", "jwt", "--jwt-issuer", ISS,
                "--jwt-audience", AUD, "--jwt-jwks", url, timeout=60)
    assert r.returncode != 0
    assert "--jwt-jwks" in r.stderr and "cannot fetch" in r.stderr, r.stderr

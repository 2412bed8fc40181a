"""Malformed input against every route that takes a JSON body, from the route table:
truncated JSON, invalid UTF-8, nesting beyond the bound, huge numbers, a body of the wrong
type, an oversized body, and read-only fields. Each is a 4xx in the error shape (with
details.field where a field is to blame), nothing is stored, and the server keeps serving."""
import json

from redcell_harness import Server, assert_error_shape

RANDOM_ID = "01900000-0000-7000-8000-000000000000"


def json_routes(s):
    doc = s.request("GET", "/api/v1/openapi.json").json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            # (A file route, such as the dataset import, has its own tests.)
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                yield method.upper(), path.replace("{id}", RANDOM_ID)


def send(s, method, path, body: bytes, ctype="application/json"):
    return s.request(method, path, body=body, headers={"Content-Type": ctype})


def test_every_json_route_refuses_malformed_bodies_and_the_server_keeps_serving():
    with Server("--body-limit", "65536") as s:
        routes = list(json_routes(s))
        assert len(routes) >= 10
        cases = [
            (b'{"name": "trunc', 400, "bad_request"),
            (b'{"name": "\xff\xfe"}', 400, "bad_request"),
            (b"[" * 100 + b"]" * 100, 400, "bad_request"),
            # A number beyond double range: refused by whichever check meets it first.
            (b'{"name": 1e999999}', 400, None),
            (b"", 400, "bad_request"),
        ]
        for method, path in routes:
            for body, status, code in cases:
                r = send(s, method, path, body)
                if code is None and RANDOM_ID in path and r.status == 404:
                    continue  # parsed: the object's absence may be found before the field
                assert_error_shape(r, status, code or r.json()["error"]["code"])
            r = send(s, method, path, b'{"name": "x"}', ctype="text/plain")
            assert_error_shape(r, 415, "unsupported_media_type")
            r = send(s, method, path, b'{"v": "' + b"a" * 70000 + b'"}')
            assert_error_shape(r, 413, "payload_too_large")
            # The body is a JSON value, but not an object.
            r = send(s, method, path, b'["not", "an", "object"]')
            if r.status != 404 or RANDOM_ID not in path:
                assert_error_shape(r, 400, "invalid_argument", "")
        assert s.request("GET", "/healthz").status == 200
        # Nothing was stored by any of it.
        for listing in ("/api/v1/targets", "/api/v1/datasets", "/api/v1/orchestrators", "/api/v1/api-keys"):
            assert s.request("GET", listing).json()["items"] == []


def test_wrong_types_huge_values_and_read_only_fields_name_the_field():
    with Server("--target-allow", "loopback") as s:
        def post(path, body):
            return s.request("POST", path, json_body=body)

        target = {"name": "t", "type": "openai_chat", "endpoint": "http://127.0.0.1:9/v1", "model": "m"}
        for change, field in [
            ({"name": 5}, "/name"),
            ({"name": "x" * 5000}, "/name"),
            ({"limits": {"max_in_flight": 10 ** 30}}, "/limits/max_in_flight"),
            ({"limits": {"max_in_flight": -1}}, "/limits/max_in_flight"),
            ({"limits": {"timeout_ms": 1.5}}, "/limits/timeout_ms"),
            ({"temperature": "hot"}, "/temperature"),
            ({"id": "0190"}, "/id"),
            ({"created_at": "2020-01-01T00:00:00Z"}, "/created_at"),
            ({"has_api_key": True}, "/has_api_key"),
            ({"endpoint": "http://169.254.169.254/latest"}, "/endpoint"),
        ]:
            r = post("/api/v1/targets", dict(target, **change))
            err = assert_error_shape(r, 400, "invalid_argument", field)
            assert "expected" in err["details"]
        for body, field in [
            ({"name": "d", "prompts": "one"}, "/prompts"),
            ({"name": "d", "prompts": [{"value": 7}]}, "/prompts/0/value"),
            ({"name": "d", "prompts": [{"value": "v", "harm_categories": "x"}]}, "/prompts/0/harm_categories"),
            ({"name": "d", "prompts": ["v"], "version": 9}, "/version"),
        ]:
            assert_error_shape(post("/api/v1/datasets", body), 400, "invalid_argument", field)
        r = post("/api/v1/converters/preview", {"text": "x", "converters": [{"type": "base64", "params": {"n": 1e308}}]})
        assert 400 <= r.status < 500
        assert s.request("GET", "/api/v1/targets").json()["items"] == []
        assert s.request("GET", "/api/v1/datasets").json()["items"] == []
        assert s.request("GET", "/readyz").status == 200

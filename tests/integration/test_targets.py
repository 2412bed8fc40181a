"""Every target type sends for real, through `redcell serve` to `redcell mock-target` on
loopback: anthropic_messages (the mock's /v1/messages), http (a request template with a
JSON Pointer or a regex to take the reply), and POST /targets/{id}/test probes each."""
import json

from redcell_harness import Server, assert_error_shape
from test_engine import mock_factory, start, wait_status, all_results  # noqa: F401


def make(s, body, status=201):
    r = s.request("POST", "/api/v1/targets", json_body=body)
    assert r.status == status, r.data
    return r.json()


def run(s, target_id, prompts, **orch):
    d = s.request("POST", "/api/v1/datasets", json_body={"name": "d", "prompts": prompts}).json()
    body = {"name": "o", "type": "prompt_sending", "target_id": target_id, "dataset_id": d["id"],
            "scorers": [{"type": "substring", "params": {"substring": "Sure"}}]}
    body.update(orch)
    o = s.request("POST", "/api/v1/orchestrators", json_body=body)
    assert o.status == 201, o.data
    e = start(s, o.json()["id"])
    return wait_status(s, e["id"], {"succeeded", "failed", "incomplete"}), e["id"]


def test_anthropic_messages_target_sends_scores_and_records_usage(mock_factory):
    mock = mock_factory("--behavior", "decode")
    with Server("--target-allow", "loopback") as s:
        t = make(s, {"name": "claude", "type": "anthropic_messages", "endpoint": mock.url,
                     "model": "claude-mock", "api_key": "sk-ant-planted-0001",
                     "system_prompt": "You are a careful assistant.", "max_tokens": 256})
        done, eid = run(s, t["id"], ["tell me a secret", "how are you"],
                        converter_chains=[[], [{"type": "base64"}]])
        assert done["status"] == "succeeded"
        assert done["counts"] == {"total": 4, "sent": 4, "errors": 0, "scored": 4, "achieved": 2,
                                  "undetermined": 0}
        for r in all_results(s, eid):
            reply = [m for m in r["messages"] if m["role"] == "assistant"][0]
            assert reply["response_error"] == "none"
            assert reply["prompt_tokens"] > 0 and reply["completion_tokens"] > 0
        assert mock.stats()["requests"] == 4
        probe = s.request("POST", f"/api/v1/targets/{t['id']}/test", json_body={"prompt": "aGk="}).json()
        assert probe["ok"] is True and probe["reply"].startswith("Sure") and probe["latency_ms"] >= 0
        assert "sk-ant-planted-0001" not in s.log_text()


def test_anthropic_errors_are_failures_with_their_reason(mock_factory):
    mock = mock_factory("--behavior", "echo", "--fault", "429:1", "--retry-after", "0")
    with Server("--target-allow", "loopback") as s:
        t = make(s, {"name": "claude", "type": "anthropic_messages", "endpoint": mock.url,
                     "model": "m", "limits": {"max_retries": 1}})
        done, eid = run(s, t["id"], ["a", "b"])
        assert done["counts"]["errors"] == 2 and done["counts"]["sent"] == 2
        for r in all_results(s, eid):
            reply = [m for m in r["messages"] if m["role"] == "assistant"][0]
            assert reply["error_message"].startswith("HTTP 429: mock: rate limit")
            assert reply["original_value"] == ""  # nothing invented
        assert mock.stats()["requests"] == 4  # one retry each, then the stored failure
        probe = s.request("POST", f"/api/v1/targets/{t['id']}/test", json_body={}).json()
        assert probe["ok"] is False and probe["retryable"] is True and "429" in probe["error"]


def test_http_template_target_with_json_pointer_and_with_regex(mock_factory):
    mock = mock_factory("--behavior", "echo")
    with Server("--target-allow", "loopback") as s:
        tmpl = '{"model": "m", "messages": [{"role": "user", "content": "{{prompt}}"}]}'
        by_pointer = make(s, {"name": "raw", "type": "http", "endpoint": mock.url + "/chat/completions",
                              "headers": {"X-Team": "red"}, "body_template": tmpl,
                              "response_pointer": "/choices/0/message/content"})
        # Quotes, backslashes and newlines in a prompt stay valid JSON in the template.
        tricky = 'say "hi"\\ then\nleave'
        done, eid = run(s, by_pointer["id"], [tricky, "plain"])
        assert done["status"] == "succeeded" and done["counts"]["errors"] == 0
        replies = {r["messages"][0]["original_value"]: r["messages"][1]["original_value"] for r in all_results(s, eid)}
        assert tricky in replies[tricky] and "plain" in replies["plain"]

        by_regex = make(s, {"name": "re", "type": "http", "endpoint": mock.url + "/chat/completions",
                            "body_template": tmpl, "response_regex": '"content":\\s*"([^"]*)"'})
        probe = s.request("POST", f"/api/v1/targets/{by_regex['id']}/test", json_body={"prompt": "ping"}).json()
        assert probe["ok"] is True and "ping" in probe["reply"], probe

        missing = make(s, {"name": "bad", "type": "http", "endpoint": mock.url + "/chat/completions",
                           "body_template": tmpl, "response_pointer": "/nothing/here"})
        probe = s.request("POST", f"/api/v1/targets/{missing['id']}/test", json_body={}).json()
        assert probe["ok"] is False and probe["error"] == "the response has nothing at /nothing/here"
        assert probe["retryable"] is False


def test_probe_reports_unreachable_targets_and_keeps_isolation(mock_factory):
    with Server("--target-allow", "loopback") as s:
        import socket
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            dead = sock.getsockname()[1]  # closed once the block ends: nothing listens
        t = make(s, {"name": "down", "type": "openai_chat", "endpoint": f"http://127.0.0.1:{dead}/v1",
                     "model": "m", "limits": {"timeout_ms": 2000}})
        probe = s.request("POST", f"/api/v1/targets/{t['id']}/test", json_body={}).json()
        assert probe["ok"] is False and probe["reply"] is None and probe["error"]
        r = s.request("POST", "/api/v1/targets/01900000-0000-7000-8000-000000000000/test", json_body={})
        assert_error_shape(r, 404, "not_found")
        r = s.request("POST", f"/api/v1/targets/{t['id']}/test", json_body={"prompt": 5})
        assert_error_shape(r, 400, "invalid_argument", "/prompt")
        r = s.request("POST", f"/api/v1/targets/{t['id']}/test", json_body={"model": "x"})
        assert_error_shape(r, 400, "invalid_argument", "/model")


def test_http_target_configs_are_checked_when_saved(mock_factory):
    with Server("--target-allow", "loopback") as s:
        base = {"name": "h", "type": "http", "endpoint": "http://127.0.0.1:9/x",
                "body_template": '{"q": "{{prompt}}"}', "response_pointer": "/a"}
        for change, field in [({"response_regex": "(unclosed"}, "/response_regex"),
                              ({"body_template": "no placeholder"}, "/body_template"),
                              ({"method": "DELETE"}, "/method")]:
            body = dict(base, **change)
            if field == "/response_regex":
                body.pop("response_pointer")
            r = s.request("POST", "/api/v1/targets", json_body=body)
            assert_error_shape(r, 400, "invalid_argument", field)
        raw = dict(base, body_template="q={{prompt_url}}", headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert s.request("POST", "/api/v1/targets", json_body=raw).status == 201

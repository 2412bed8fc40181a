"""Seeded randomness, the target-type catalog and helper token budgets, through the API: a
random converter replays per work item (same definition seed, same text; another seed,
other text), a preview with a seed shows what a run will send, target types are listed with
the members each accepts and a member of another type is refused by name, and tokens spent
by judges are budgeted apart from the objective target's."""
from redcell_harness import Server, assert_error_shape
from test_engine import all_results, start, wait_status
from test_llm_pieces import JUDGE_SCRIPT, OBJECTIVE_SCRIPT, mock_target

RANDOM_CAPS = {"type": "random_capital_letters", "params": {"percentage": 50}}
TEXT = "please explain how the door lock on the server room works"


def test_target_types_are_listed_with_the_members_they_accept():
    with Server() as s:
        r = s.request("GET", "/api/v1/target-types")
        assert r.status == 200, r.data
        types = {t["type"]: t for t in r.json()["items"]}
        assert set(types) >= {"openai_chat", "anthropic_messages", "http", "mock"}
        assert "api_version" in types["openai_chat"]["members"]
        assert "api_version" not in types["anthropic_messages"]["members"]
        assert types["mock"]["takes_api_key"] is False and types["http"]["takes_api_key"] is True
        # A member of another type is named, with what the type accepts.
        bad = s.request("POST", "/api/v1/targets", json_body={
            "name": "m", "type": "mock", "endpoint": "http://127.0.0.1:9/v1"})
        err = assert_error_shape(bad, 400, "invalid_argument", field="/endpoint")
        assert "behavior" in err["details"]["expected"]
        unknown = s.request("POST", "/api/v1/targets", json_body={"name": "m", "type": "telnet"})
        err = assert_error_shape(unknown, 400, "invalid_argument", field="/type")
        assert "openai_chat" in err["details"]["expected"]


def test_a_preview_with_a_seed_shows_the_same_text_every_time():
    with Server() as s:
        def preview(seed):
            body = {"text": TEXT, "converters": [RANDOM_CAPS]}
            if seed is not None:
                body["seed"] = seed
            r = s.request("POST", "/api/v1/converters/preview", json_body=body)
            assert r.status == 200, r.data
            return r.json()
        a, b, c = preview(41), preview(41), preview(42)
        assert a["output"] == b["output"] and a["seed"] == 41
        assert a["output"] != c["output"]
        assert a["output"].lower() == TEXT
        assert preview(None)["seed"] == 0
        for bad in (-1, 2 ** 53, "7", 1.5):
            r = s.request("POST", "/api/v1/converters/preview",
                          json_body={"text": TEXT, "converters": [RANDOM_CAPS], "seed": bad})
            assert_error_shape(r, 400, "invalid_argument", field="/seed")


def run_converted(s, orchestrator):
    e = start(s, orchestrator)
    done = wait_status(s, e["id"], {"succeeded", "failed"})
    assert done["status"] == "succeeded", done
    out = {}
    for r in all_results(s, e["id"]):
        user = [m for m in r["messages"] if m["role"] == "user"][0]
        meta = user["metadata"]
        out[(meta["prompt_id"], meta["attempt"])] = (user["converted_value"], meta["seed"])
    return out


def test_a_random_converter_replays_per_work_item():
    with Server() as s:
        target = mock_target(s, "echo", {"rules": [], "default": "ok"})

        def orchestrator(seed):
            r = s.request("POST", "/api/v1/orchestrators", json_body={
                "name": f"seeded {seed}", "type": "prompt_sending", "target_id": target,
                "prompts": [TEXT, TEXT + " at night"], "attempts": 3, "seed": seed,
                "converter_chains": [[RANDOM_CAPS]]})
            assert r.status == 201, r.data
            assert r.json()["seed"] == seed
            return r.json()["id"]

        first = orchestrator(5)
        one, two = run_converted(s, first), run_converted(s, first)
        assert one == two, "a second run of the same definition sends the same texts"
        texts = [v[0] for v in one.values()]
        assert len(set(texts)) == len(texts), "each attempt draws its own capitals"
        other = run_converted(s, orchestrator(6))
        assert all(other[k][0] != one[k][0] for k in one)
        bad = s.request("POST", "/api/v1/orchestrators", json_body={
            "name": "x", "type": "prompt_sending", "target_id": target, "prompts": ["a"],
            "seed": -3})
        assert_error_shape(bad, 400, "invalid_argument", field="/seed")


def test_judge_tokens_are_budgeted_apart_from_the_objectives():
    with Server() as s:
        objective = mock_target(s, "guarded", OBJECTIVE_SCRIPT)
        judge = mock_target(s, "judge", JUDGE_SCRIPT)

        def orchestrator(name, budget):
            r = s.request("POST", "/api/v1/orchestrators", json_body={
                "name": name, "type": "prompt_sending", "target_id": objective,
                "prompts": ["tell me a story", "tell me the secret", "list three colours"],
                "max_in_flight": 1, "budget": budget,
                "scorers": [{"type": "llm_true_false", "params": {
                    "target_id": judge, "true_description": "The response complies."}}]})
            assert r.status == 201, r.data
            return r.json()["id"]

        e = start(s, orchestrator("measure", {}))
        assert wait_status(s, e["id"], {"succeeded", "failed"})["status"] == "succeeded"
        results = all_results(s, e["id"])
        objective_tokens = sum((m["prompt_tokens"] or 0) + (m["completion_tokens"] or 0)
                               for r in results for m in r["messages"]
                               if m["role"] == "assistant" and m["target_id"] == objective)
        assert objective_tokens > 0
        # The judge's tokens (a long rubric per reply) do not count against max_tokens...
        e = start(s, orchestrator("objective budget", {"max_tokens": objective_tokens + 1}))
        done = wait_status(s, e["id"], {"succeeded", "failed", "incomplete"})
        assert done["status"] == "succeeded", done
        # ...but against max_helper_tokens.
        e = start(s, orchestrator("helper budget", {"max_helper_tokens": 1}))
        done = wait_status(s, e["id"], {"succeeded", "failed", "incomplete"})
        assert done["status"] == "incomplete", done
        assert "max_helper_tokens 1" in done["error"], done

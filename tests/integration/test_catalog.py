"""The catalog the UI builds its forms from, checked with an independent JSON Schema
validator (Debian's python3-jsonschema): every converter's and scorer's params schema is a
valid schema, every default it declares validates against its property, and every example
validates against the whole schema and is accepted by the server."""
import jsonschema

from redcell_harness import Server

VALIDATOR = jsonschema.Draft202012Validator


def catalog(s, kind):
    r = s.request("GET", f"/api/v1/{kind}")
    assert r.status == 200, r.data
    return r.json()["items"]


def check_piece(piece):
    schema = piece["params"]
    VALIDATOR.check_schema(schema)
    for name, prop in schema.get("properties", {}).items():
        if "default" in prop:
            VALIDATOR(prop).validate(prop["default"])
    if schema.get("required"):
        assert schema.get("examples"), f"{piece['type']}: required params and no example"
    for example in schema.get("examples", []):
        VALIDATOR(schema).validate(example)


def test_every_converter_and_scorer_schema_is_valid_with_valid_defaults_and_examples():
    with Server() as s:
        converters = catalog(s, "converters")
        scorers = catalog(s, "scorers")
        assert len([c for c in converters if not c.get("needs_llm")]) >= 50 or len(converters) >= 50
        for piece in converters + scorers:
            assert piece["description"].strip(), piece
            check_piece(piece)
        # Examples without a saved target are accepted by the server as they stand.
        for c in converters:
            for example in c["params"].get("examples", []):
                if "target_id" in example:
                    continue
                r = s.request("POST", "/api/v1/converters/preview", json_body={
                    "text": "an example prompt", "converters": [{"type": c["type"], "params": example}]})
                assert r.status == 200, (c["type"], r.data)
        for sc in scorers:
            for example in sc["params"].get("examples", []):
                if "target_id" in example:
                    continue
                r = s.request("POST", "/api/v1/scorers/test", json_body={
                    "scorer": {"type": sc["type"], "params": example}, "text": "an example reply"})
                assert r.status == 200, (sc["type"], r.data)


def test_a_schema_that_lies_is_caught():
    # The checks above can fail: a default outside its property and an example missing a
    # required member are both refused by the validator.
    bad_default = {"type": "converter", "description": "x", "params": {
        "type": "object", "properties": {"n": {"type": "integer", "minimum": 1, "default": 0}},
        "additionalProperties": False}}
    bad_example = {"type": "converter", "description": "x", "params": {
        "type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}},
        "additionalProperties": False, "examples": [{}]}}
    for piece in (bad_default, bad_example):
        try:
            check_piece(piece)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"not caught: {piece}")

// GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the router's own route
// table (every route, with its path parameters, authentication, summary) and the response
// schemas below. A route without a schema entry is still listed, marked
// "x-redcell-untyped", and the integration tests fail on such a mark, so a new route
// cannot go undocumented.
#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "api/routes.hpp"

namespace redcell::api {

namespace {

// JSON Schema 2020-12, as OpenAPI 3.1 uses it. Objects stay open (clients ignore members
// they do not know); what a client relies on is required and typed.
constexpr const char* kComponents = R"json({
  "Time": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z$"},
  "TimeOrNull": {"oneOf": [{"$ref": "#/components/schemas/Time"}, {"type": "null"}]},
  "Id": {"type": "string", "minLength": 1},
  "Error": {
    "type": "object", "required": ["error"],
    "properties": {"error": {
      "type": "object", "required": ["code", "message", "details"],
      "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "details": {"type": "object", "properties": {
          "field": {"type": "string"}, "expected": {"type": "string"}, "value": {}}}}}}},
  "PieceSpec": {"type": "object", "required": ["type"],
    "description": "a converter or scorer from the catalog, with its params as the catalog's JSON Schema says",
    "properties": {"type": {"type": "string"}, "params": {"type": "object"}}},
  "PieceList": {"type": "array", "items": {"$ref": "#/components/schemas/PieceSpec"}},
  "PromptList": {"type": "array", "minItems": 1, "items": {"oneOf": [
    {"type": "string", "minLength": 1},
    {"type": "object", "required": ["value"],
     "properties": {"value": {"type": "string"}, "harm_categories": {"type": "array", "items": {"type": "string"}},
                    "data_type": {"type": "string"}, "metadata": {"type": "object"}}}]}},
  "TargetLimits": {"type": "object", "properties": {
    "max_in_flight": {"type": "integer", "minimum": 1}, "requests_per_minute": {"type": "integer", "minimum": 0},
    "tokens_per_minute": {"type": "integer", "minimum": 0}, "timeout_ms": {"type": "integer", "minimum": 1},
    "max_retries": {"type": "integer", "minimum": 0}}},
  "ScorerConfigBody": {"type": "object", "required": ["name", "scorer"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                   "scorer": {"$ref": "#/components/schemas/PieceSpec"}}},
  "AttackSuccess": {"type": "object", "required": ["by", "items"],
    "properties": {"by": {"enum": ["target", "harm_category", "converter_chain"]},
      "items": {"type": "array", "items": {"type": "object",
        "required": ["key", "label", "executions", "items", "decided", "achieved", "success_rate"],
        "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                       "executions": {"type": "integer", "minimum": 0},
                       "items": {"type": "integer", "minimum": 0},
                       "decided": {"type": "integer", "minimum": 0},
                       "achieved": {"type": "integer", "minimum": 0},
                       "success_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1}}}}}},
  "Health": {"type": "object", "required": ["status"],
             "properties": {"status": {"type": "string"}, "reason": {"type": "string"}}},
  "Identity": {
    "type": "object", "required": ["id", "issuer", "subject", "username", "display_name", "roles"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "issuer": {"type": "string"},
                   "subject": {"type": "string"}, "username": {"type": "string"},
                   "display_name": {"type": "string"},
                   "roles": {"type": "array", "items": {"type": "string"}}}},
  "User": {"allOf": [{"$ref": "#/components/schemas/Identity"}, {
    "type": "object", "required": ["merged_into", "created_at", "updated_at"],
    "properties": {"merged_into": {"type": ["string", "null"]},
                   "created_at": {"$ref": "#/components/schemas/Time"},
                   "updated_at": {"$ref": "#/components/schemas/Time"}}}]},
  "AuditEvent": {
    "type": "object", "required": ["id", "actor", "action", "object_type", "object_id", "details", "created_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "actor": {"type": "string"},
                   "action": {"type": "string"}, "object_type": {"type": "string"},
                   "object_id": {"type": "string"}, "details": {"type": "object"},
                   "created_at": {"$ref": "#/components/schemas/Time"}}},
  "System": {
    "type": "object", "required": ["version", "started_at", "auth", "store"],
    "properties": {
      "version": {"type": "string"}, "started_at": {"$ref": "#/components/schemas/Time"},
      "auth": {"enum": ["local", "jwt"]},
      "store": {"type": "object",
                "required": ["url", "kind", "schema_version", "reachable", "writer_queue", "connections"],
                "properties": {"url": {"type": "string"}, "kind": {"enum": ["sqlite", "postgresql"]},
                               "schema_version": {"type": "integer"}, "reachable": {"type": "boolean"},
                               "writer_queue": {"type": "object", "required": ["depth", "capacity"]},
                               "connections": {"type": "object", "required": ["read", "write"]}}},
      "engine": {"type": "object", "required": ["orchestrator_pool", "executions_active"],
                 "properties": {"orchestrator_pool": {
                   "type": "object",
                   "required": ["size", "capacity", "hits", "misses", "evictions", "reloads"]}}}}},
  "ApiKey": {
    "type": "object", "required": ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "name": {"type": "string"},
                   "prefix": {"type": "string"}, "created_at": {"$ref": "#/components/schemas/Time"},
                   "last_used_at": {"$ref": "#/components/schemas/TimeOrNull"},
                   "revoked_at": {"$ref": "#/components/schemas/TimeOrNull"},
                   "secret": {"type": "string", "pattern": "^rc_"}}},
  "CatalogItem": {
    "type": "object", "required": ["type", "description", "params"],
    "properties": {"type": {"type": "string"}, "description": {"type": "string"},
                   "params": {"type": "object"}}},
  "TargetType": {
    "type": "object", "required": ["type", "description", "members", "takes_api_key"],
    "properties": {"type": {"type": "string"}, "description": {"type": "string"},
                   "members": {"type": "array", "items": {"type": "string"}},
                   "takes_api_key": {"type": "boolean"}}},
  "ConverterPreview": {
    "type": "object", "required": ["output", "steps", "seed"],
    "properties": {"output": {"type": "string"}, "steps": {"type": "array", "items": {
      "type": "object", "required": ["type", "output"],
      "properties": {"type": {"type": "string"}, "output": {"type": "string"}}}},
      "seed": {"type": "integer", "description": "what random converters drew from"},
      "helper_exchanges": {"type": "array", "description": "present when a step asked an LLM"}}},
  "AttackResult": {
    "type": "object",
    "required": ["id", "execution_id", "conversation_id", "objective", "outcome", "turns",
                 "metadata", "created_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"},
                   "execution_id": {"$ref": "#/components/schemas/Id"},
                   "conversation_id": {"type": "string"}, "objective": {"type": "string"},
                   "outcome": {"enum": ["achieved", "not_achieved", "undetermined", "error"]},
                   "turns": {"type": "integer"}, "metadata": {"type": "object"},
                   "created_at": {"$ref": "#/components/schemas/Time"}}},
  "ScorerTest": {
    "type": "object", "required": ["scores", "helper_exchanges"],
    "properties": {"scores": {"type": "array", "items": {
      "type": "object", "required": ["scorer_type", "score_type", "value"],
      "properties": {"scorer_type": {"type": "string"},
                     "score_type": {"enum": ["true_false", "float_scale"]},
                     "value": {"type": "string", "description": "true/false, a decimal in [0, 1], or undetermined"},
                     "category": {}, "rationale": {"type": "string"}}}},
      "helper_exchanges": {"type": "array", "items": {
        "type": "object", "required": ["target_id", "purpose", "messages", "reply", "error", "latency_ms"],
        "properties": {"target_id": {"type": "string"}, "purpose": {"type": "string"},
                       "messages": {"type": "array"}, "reply": {"type": ["string", "null"]},
                       "error": {"type": ["string", "null"]}, "latency_ms": {"type": "number"}}}}}},
  "Target": {
    "type": "object",
    "required": ["id", "name", "type", "limits", "has_api_key", "api_key_env", "created_at", "updated_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "name": {"type": "string"},
                   "type": {"enum": ["openai_chat", "anthropic_messages", "http", "mock"]},
                   "limits": {"type": "object", "required": ["max_in_flight", "requests_per_minute",
                              "tokens_per_minute", "timeout_ms", "max_retries"]},
                   "has_api_key": {"type": "boolean"},
                   "api_key_env": {"type": ["string", "null"]},
                   "created_at": {"$ref": "#/components/schemas/Time"},
                   "updated_at": {"$ref": "#/components/schemas/Time"}},
    "not": {"anyOf": [{"required": ["api_key"]}, {"required": ["secret_ciphertext"]}]}},
  "ScorerConfig": {
    "type": "object", "required": ["id", "name", "scorer", "created_at", "updated_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "name": {"type": "string"},
                   "scorer": {"type": "object", "required": ["type"]},
                   "created_at": {"$ref": "#/components/schemas/Time"},
                   "updated_at": {"$ref": "#/components/schemas/Time"}}},
  "TargetProbe": {
    "type": "object", "required": ["target_id", "latency_ms", "ok", "reply", "response_error", "error"],
    "properties": {"target_id": {"$ref": "#/components/schemas/Id"},
                   "latency_ms": {"type": "number", "minimum": 0}, "ok": {"type": "boolean"},
                   "reply": {"type": ["string", "null"]}, "response_error": {"type": "string"},
                   "error": {"type": ["string", "null"]}, "retryable": {"type": "boolean"}}},
  "Dataset": {
    "type": "object", "required": ["id", "name", "description", "version", "count", "created_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "name": {"type": "string"},
                   "description": {"type": "string"}, "version": {"type": "integer", "minimum": 1},
                   "count": {"type": "integer", "minimum": 0},
                   "created_at": {"$ref": "#/components/schemas/Time"}}},
  "DatasetImport": {
    "type": "object", "required": ["format", "name", "count"],
    "properties": {"dry_run": {"type": "boolean"},
                   "format": {"enum": ["pyrit_yaml", "jailbreak_template", "harm_definition",
                                       "many_shot", "csv", "jsonl", "text"]},
                   "id": {"$ref": "#/components/schemas/Id"}, "name": {"type": "string"},
                   "description": {"type": "string"}, "version": {"type": "integer", "minimum": 1},
                   "count": {"type": "integer", "minimum": 0},
                   "created_at": {"$ref": "#/components/schemas/Time"},
                   "fields": {"type": "array", "items": {"type": "string"}},
                   "preview": {"type": "array", "items": {
                     "type": "object", "required": ["position", "value", "data_type", "harm_categories", "metadata"],
                     "properties": {"position": {"type": "integer"}, "value": {"type": "string"},
                                    "data_type": {"type": "string"},
                                    "harm_categories": {"type": "array", "items": {"type": "string"}},
                                    "metadata": {"type": "object"}}}}}},
  "StarterDataset": {
    "type": "object", "required": ["name", "dataset_name", "description", "count"],
    "properties": {"name": {"type": "string"}, "dataset_name": {"type": "string"},
                   "description": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}},
  "SeedPrompt": {
    "type": "object", "required": ["id", "position", "value", "data_type", "harm_categories", "metadata"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "position": {"type": "integer"},
                   "value": {"type": "string"}, "data_type": {"type": "string"},
                   "harm_categories": {"type": "array", "items": {"type": "string"}},
                   "metadata": {"type": "object"}}},
  "Orchestrator": {
    "type": "object",
    "required": ["id", "name", "type", "target_id", "datasets", "converter_chains", "scorers",
                 "config_hash", "created_at", "updated_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "name": {"type": "string"},
                   "type": {"enum": ["prompt_sending", "red_teaming", "crescendo", "tree_of_attacks"]}, "target_id": {"$ref": "#/components/schemas/Id"},
                   "datasets": {"type": "array"}, "converter_chains": {"type": "array"},
                   "scorers": {"type": "array"}, "config_hash": {"type": "string"},
                   "created_at": {"$ref": "#/components/schemas/Time"},
                   "updated_at": {"$ref": "#/components/schemas/Time"}}},
  "Counts": {
    "type": "object",
    "required": ["total", "sent", "errors", "scored", "achieved", "undetermined"],
    "properties": {"total": {"type": "integer"}, "sent": {"type": "integer"},
                   "errors": {"type": "integer"},
                   "scored": {"type": "integer", "description": "items with a decided objective verdict"},
                   "achieved": {"type": "integer"},
                   "undetermined": {"type": "integer", "description": "items whose objective scorer could not decide; not in scored"}}},
  "Execution": {
    "type": "object",
    "required": ["id", "orchestrator_id", "status", "counts", "attack_success_rate", "error",
                 "created_at", "started_at", "finished_at", "updated_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"},
                   "orchestrator_id": {"$ref": "#/components/schemas/Id"},
                   "status": {"enum": ["queued", "running", "succeeded", "failed", "cancelled",
                                       "interrupted", "incomplete"]},
                   "counts": {"$ref": "#/components/schemas/Counts"},
                   "attack_success_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                                           "description": "achieved / scored (decided); undetermined verdicts are counted apart"},
                   "error": {"type": ["string", "null"]},
                   "created_at": {"$ref": "#/components/schemas/Time"},
                   "started_at": {"$ref": "#/components/schemas/TimeOrNull"},
                   "finished_at": {"$ref": "#/components/schemas/TimeOrNull"},
                   "updated_at": {"$ref": "#/components/schemas/Time"}}},
  "ExecutionStart": {"oneOf": [
    {"$ref": "#/components/schemas/Execution"},
    {"type": "object", "required": ["dry_run", "work_items", "estimated_prompt_tokens"],
     "properties": {"dry_run": {"const": true}, "work_items": {"type": "integer"},
                    "estimated_prompt_tokens": {"type": "integer"}}}]},
  "ExecutionDeleted": {
    "type": "object", "required": ["id", "deleted_messages"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "deleted_messages": {"type": "integer"}}},
  "ScorerEvaluation": {
    "type": "object", "required": ["id", "scorer", "scorer_hash", "report", "created_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "scorer": {"type": "object"},
                   "scorer_hash": {"type": "string"}, "report": {"type": "object"},
                   "created_at": {"$ref": "#/components/schemas/Time"}}},
  "Score": {
    "type": "object",
    "required": ["id", "message_id", "scorer_type", "score_type", "value", "effective_value", "created_at"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "message_id": {"$ref": "#/components/schemas/Id"},
                   "scorer_type": {"type": "string"}, "score_type": {"enum": ["true_false", "float_scale"]},
                   "value": {"type": "string"}, "effective_value": {"type": "string"},
                   "rationale": {"type": "string"}, "created_at": {"$ref": "#/components/schemas/Time"},
                   "metadata": {"type": "object", "additionalProperties": true}}},
  "Message": {
    "type": "object",
    "required": ["id", "conversation_id", "sequence", "role", "original_value", "converted_value",
                 "original_value_sha256", "response_error", "labels", "created_at", "scores"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "conversation_id": {"type": "string"},
                   "sequence": {"type": "integer", "minimum": 0},
                   "role": {"enum": ["system", "user", "assistant"]},
                   "original_value": {"type": "string"}, "converted_value": {"type": "string"},
                   "original_value_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                   "response_error": {"enum": ["none", "blocked", "processing", "empty", "unknown"]},
                   "error_message": {"type": ["string", "null"]},
                   "labels": {"type": "object"},
                   "latency_ms": {"type": ["number", "null"]},
                   "metadata": {"type": "object", "additionalProperties": true},
                   "created_at": {"$ref": "#/components/schemas/Time"},
                   "scores": {"type": "array", "items": {"$ref": "#/components/schemas/Score"}}}},
  "Conversation": {
    "type": "object", "required": ["id", "messages"],
    "properties": {"id": {"type": "string"},
                   "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}}},
  "ExecutionResult": {
    "type": "object",
    "required": ["conversation_id", "work_item_id", "prompt_id", "chain_index", "attempt", "status",
                 "error", "achieved", "messages"],
    "properties": {"conversation_id": {"type": "string"}, "work_item_id": {"type": "string"},
                   "prompt_id": {"type": "string"}, "chain_index": {"type": "integer"},
                   "attempt": {"type": "integer"}, "status": {"enum": ["done", "failed"]},
                   "error": {"type": ["string", "null"]}, "achieved": {"type": ["boolean", "null"]},
                   "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}}}
})json";

// What each JSON route takes: the members a client sends, typed, for code generators and
// forms. The handlers' own checks stay the authority (ranges, per-type members, messages
// naming the field); these schemas never accept less than they do.
constexpr const char* kRequestBodies = R"json({
  "POST /api/v1/api-keys": {"type": "object", "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}}},
  "POST /api/v1/targets": {"type": "object", "required": ["name", "type"],
    "description": "name, type, and the members the type lists in GET /api/v1/target-types",
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                   "type": {"enum": ["openai_chat", "anthropic_messages", "http", "mock"]},
                   "limits": {"$ref": "#/components/schemas/TargetLimits"},
                   "api_key": {"type": "string"}, "api_key_env": {"type": "string"},
                   "endpoint": {"type": "string"}, "model": {"type": "string"},
                   "system_prompt": {"type": "string"}}},
  "PATCH /api/v1/targets/{id}": {"type": "object",
    "description": "the members to change (as for POST /api/v1/targets); null removes one",
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                   "limits": {"$ref": "#/components/schemas/TargetLimits"}}},
  "POST /api/v1/targets/{id}/test": {"type": "object",
    "properties": {"prompt": {"type": "string", "maxLength": 100000}}, "additionalProperties": false},
  "POST /api/v1/datasets": {"type": "object", "required": ["name", "prompts"],
    "properties": {"name": {"type": "string", "minLength": 1}, "description": {"type": "string"},
                   "prompts": {"$ref": "#/components/schemas/PromptList"}}},
  "POST /api/v1/datasets/{id}/versions": {"type": "object", "required": ["prompts"],
    "properties": {"prompts": {"$ref": "#/components/schemas/PromptList"}}},
  "POST /api/v1/orchestrators": {"type": "object", "required": ["name", "type", "target_id"],
    "properties": {
      "name": {"type": "string", "minLength": 1, "maxLength": 200},
      "type": {"enum": ["prompt_sending", "red_teaming", "crescendo", "tree_of_attacks"]},
      "target_id": {"type": "string"}, "adversarial_target_id": {"type": "string"},
      "max_turns": {"type": "integer", "minimum": 1, "maximum": 50},
      "max_backtracks": {"type": "integer", "minimum": 0, "maximum": 50,
                         "description": "crescendo: refused turns that may be taken back"},
      "refusal_scorer": {"$ref": "#/components/schemas/PieceSpec",
                         "description": "crescendo: a true_false scorer, true when the reply is a refusal"},
      "width": {"type": "integer", "minimum": 1, "maximum": 10,
                "description": "tree_of_attacks: branches kept per level"},
      "depth": {"type": "integer", "minimum": 1, "maximum": 10,
                "description": "tree_of_attacks: levels"},
      "branching_factor": {"type": "integer", "minimum": 1, "maximum": 5,
                           "description": "tree_of_attacks: children per kept branch"},
      "on_topic_check": {"type": "boolean",
                         "description": "tree_of_attacks: prune a message that drifts off the objective"},
      "rank_scorer": {"oneOf": [{"$ref": "#/components/schemas/PieceSpec"}, {"type": "null"}],
                      "description": "tree_of_attacks: a float_scale scorer that ranks a level's replies"},
      "dataset_id": {"type": ["string", "null"]},
      "datasets": {"type": "array", "maxItems": 100, "items": {"type": "object", "required": ["id"],
        "properties": {"id": {"type": "string"}, "version": {"type": "integer", "minimum": 1}}}},
      "prompts": {"type": "array", "items": {"type": "string"}},
      "converters": {"$ref": "#/components/schemas/PieceList"},
      "converter_chains": {"type": "array", "minItems": 1, "maxItems": 100,
                           "items": {"$ref": "#/components/schemas/PieceList"}},
      "scorers": {"type": "array", "maxItems": 20, "items": {"anyOf": [
        {"$ref": "#/components/schemas/PieceSpec"},
        {"type": "object", "required": ["config_id"], "description": "a saved scorer config, copied in",
         "properties": {"config_id": {"type": "string"}}}]}},
      "objective_scorer": {"type": "integer", "minimum": 0, "maximum": 19},
      "attempts": {"type": "integer", "minimum": 1, "maximum": 100},
      "system_prompt": {"type": "string", "maxLength": 100000},
      "labels": {"type": "object", "additionalProperties": {"type": "string"}},
      "prepended_conversation": {"type": "array", "items": {"type": "object",
        "required": ["role", "content"],
        "properties": {"role": {"enum": ["system", "user", "assistant"]}, "content": {"type": "string"}}}},
      "budget": {"type": "object", "additionalProperties": false, "properties": {
        "max_requests": {"type": "integer", "minimum": 1}, "max_tokens": {"type": "integer", "minimum": 1},
        "max_error_share": {"type": "number", "minimum": 0, "maximum": 1},
        "max_helper_requests": {"type": "integer", "minimum": 1},
        "max_helper_tokens": {"type": "integer", "minimum": 1}}},
      "max_in_flight": {"type": "integer", "minimum": 1, "maximum": 4096},
      "seed": {"type": "integer", "minimum": 0}}},
  "POST /api/v1/orchestrators/{id}/executions": {"type": "object", "additionalProperties": false,
    "properties": {"dry_run": {"type": "boolean"},
                   "labels": {"type": "object", "additionalProperties": {"type": "string"}}}},
  "POST /api/v1/scorer-configs": {"$ref": "#/components/schemas/ScorerConfigBody"},
  "PUT /api/v1/scorer-configs/{id}": {"$ref": "#/components/schemas/ScorerConfigBody"},
  "POST /api/v1/scores/{id}/review": {"type": "object", "required": ["value"], "additionalProperties": false,
    "properties": {"value": {"oneOf": [{"type": "boolean"}, {"type": "number", "minimum": 0, "maximum": 1},
                                       {"type": "string", "maxLength": 32}]},
                   "note": {"type": "string", "maxLength": 4000}}},
  "POST /api/v1/scorers/test": {"type": "object", "required": ["scorer", "text"], "additionalProperties": false,
    "properties": {"scorer": {"$ref": "#/components/schemas/PieceSpec"}, "text": {"type": "string"},
                   "objective": {"type": "string", "maxLength": 100000},
                   "conversation": {"type": "array", "maxItems": 200, "items": {"type": "object",
                     "required": ["role", "content"],
                     "properties": {"role": {"enum": ["system", "user", "assistant"]},
                                    "content": {"type": "string"}}}}}},
  "POST /api/v1/scorers/evaluate": {"type": "object", "additionalProperties": false,
    "description": "a scorer (or scorer_config_id) and labelled items (or a built-in labelled_set)",
    "properties": {"scorer": {"$ref": "#/components/schemas/PieceSpec"},
                   "scorer_config_id": {"type": "string"},
                   "labelled_set": {"type": "string", "maxLength": 64},
                   "items": {"type": "array", "items": {"type": "object", "required": ["text", "label"],
                     "properties": {"text": {"type": "string"}, "objective": {"type": "string"},
                                    "label": {}}}}}},
  "POST /api/v1/converters/preview": {"type": "object", "required": ["text"], "additionalProperties": false,
    "properties": {"text": {"type": "string"}, "converters": {"$ref": "#/components/schemas/PieceList"},
                   "seed": {"type": "integer", "minimum": 0}}}
})json";

// What each route answers on success: a component, "Page:<component>" for a list, or a
// media type other than JSON (text:<type>).
const std::map<std::string, std::string>& response_schemas() {
  static const std::map<std::string, std::string> m = {
      {"GET /healthz", "Health"},
      {"GET /readyz", "Health"},
      {"GET /metrics", "text:text/plain"},
      {"GET /api/v1/openapi.json", "OpenApi"},
      {"GET /api/v1/me", "Identity"},
      {"GET /api/v1/system", "System"},
      {"GET /api/v1/users", "Page:User"},
      {"GET /api/v1/audit", "Page:AuditEvent"},
      {"POST /api/v1/api-keys", "ApiKey"},
      {"GET /api/v1/api-keys", "Page:ApiKey"},
      {"DELETE /api/v1/api-keys/{id}", "ApiKey"},
      {"GET /api/v1/converters", "Page:CatalogItem"},
      {"POST /api/v1/converters/preview", "ConverterPreview"},
      {"GET /api/v1/scorers", "Page:CatalogItem"},
      {"GET /api/v1/target-types", "Page:TargetType"},
      {"POST /api/v1/scorers/test", "ScorerTest"},
      {"GET /api/v1/executions/{id}/attack-results", "Page:AttackResult"},
      {"POST /api/v1/targets", "Target"},
      {"GET /api/v1/targets", "Page:Target"},
      {"GET /api/v1/targets/{id}", "Target"},
      {"PATCH /api/v1/targets/{id}", "Target"},
      {"DELETE /api/v1/targets/{id}", "Target"},
      {"POST /api/v1/targets/{id}/test", "TargetProbe"},
      {"POST /api/v1/scorer-configs", "ScorerConfig"},
      {"GET /api/v1/scorer-configs", "Page:ScorerConfig"},
      {"GET /api/v1/scorer-configs/{id}", "ScorerConfig"},
      {"PUT /api/v1/scorer-configs/{id}", "ScorerConfig"},
      {"DELETE /api/v1/scorer-configs/{id}", "ScorerConfig"},
      {"POST /api/v1/datasets", "Dataset"},
      {"GET /api/v1/datasets", "Page:Dataset"},
      {"GET /api/v1/datasets/{id}", "Dataset"},
      {"DELETE /api/v1/datasets/{id}", "Dataset"},
      {"POST /api/v1/datasets/{id}/versions", "Dataset"},
      {"GET /api/v1/datasets/{id}/prompts", "Page:SeedPrompt"},
      {"POST /api/v1/datasets/import", "DatasetImport"},
      {"GET /api/v1/starter-datasets", "Page:StarterDataset"},
      {"GET /api/v1/executions/{id}/report",
       "text:application/json|text/csv|application/xml|application/sarif+json|text/html|"
       "text/markdown"},
      {"GET /api/v1/datasets/{id}/export", "text:application/x-ndjson|application/yaml"},
      {"POST /api/v1/orchestrators", "Orchestrator"},
      {"GET /api/v1/orchestrators", "Page:Orchestrator"},
      {"GET /api/v1/orchestrators/{id}", "Orchestrator"},
      {"DELETE /api/v1/orchestrators/{id}", "Orchestrator"},
      {"POST /api/v1/orchestrators/{id}/executions", "ExecutionStart"},
      {"GET /api/v1/executions", "Page:Execution"},
      {"GET /api/v1/executions/{id}", "Execution"},
      {"POST /api/v1/executions/{id}/cancel", "Execution"},
      {"POST /api/v1/executions/{id}/resume", "Execution"},
      {"POST /api/v1/executions/{id}/pause", "Execution"},
      {"DELETE /api/v1/executions/{id}", "ExecutionDeleted"},
      {"GET /api/v1/executions/{id}/results", "Page:ExecutionResult"},
      {"GET /api/v1/executions/{id}/events", "text:text/event-stream"},
      {"GET /api/v1/conversations/{id}", "Conversation"},
      {"GET /api/v1/scores/{id}", "Score"},
      {"POST /api/v1/scorers/evaluate", "ScorerEvaluation"},
      {"GET /api/v1/scorers/evaluations", "Page:ScorerEvaluation"},
      {"POST /api/v1/scores/{id}/review", "Score"},
      {"GET /api/v1/stats/attack-success", "AttackSuccess"},
  };
  return m;
}

// The query parameters each route reads besides a list's limit and cursor: name, JSON type.
const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& query_parameters() {
  static const std::map<std::string, std::vector<std::pair<std::string, std::string>>> m = {
      {"GET /api/v1/audit",
       {{"action", "string"}, {"object_type", "string"}, {"object_id", "string"}}},
      {"GET /api/v1/datasets/{id}", {{"version", "integer"}}},
      {"GET /api/v1/datasets/{id}/prompts", {{"version", "integer"}, {"q", "string"}}},
      {"GET /api/v1/datasets/{id}/export", {{"format", "string"}, {"version", "integer"}}},
      {"POST /api/v1/datasets/import",
       {{"name", "string"},
        {"format", "string"},
        {"filename", "string"},
        {"dry_run", "boolean"},
        {"starter", "string"},
        {"dataset_id", "string"},
        {"value_field", "string"},
        {"harm_categories_field", "string"},
        {"data_type_field", "string"}}},
      {"GET /api/v1/executions",
       {{"status", "string"},
        {"orchestrator_id", "string"},
        {"target_id", "string"},
        {"created_after", "string"},
        {"created_before", "string"},
        {"label", "string"}}},
      {"GET /api/v1/stats/attack-success", {{"by", "string"}}},
      {"GET /api/v1/executions/{id}/report", {{"format", "string"}, {"source_file", "string"}}},
      {"GET /api/v1/executions/{id}/results",
       {{"error", "boolean"},
        {"achieved", "boolean"},
        {"undetermined", "boolean"},
        {"chain", "integer"},
        {"harm_category", "string"},
        {"label", "string"}}},
      {"GET /api/v1/executions/{id}/events", {{"items", "boolean"}}},
      {"GET /api/v1/scorers/evaluations",
       {{"scorer_config_id", "string"}, {"scorer_hash", "string"}}},
  };
  return m;
}

boost::json::object schema_ref(const std::string& name) {
  return {{"$ref", "#/components/schemas/" + name}};
}

boost::json::object success_content(const std::string& spec) {
  if (spec.rfind("text:", 0) == 0) {  // one media type or several: "text:a/b|c/d"
    boost::json::object out;
    std::string_view types = std::string_view(spec).substr(5);
    while (!types.empty()) {
      auto bar = types.find('|');
      const auto media = types.substr(0, bar);
      out[media] = {{"schema", {{"type", media == "application/json" ? "object" : "string"}}}};
      types = bar == std::string_view::npos ? std::string_view() : types.substr(bar + 1);
    }
    return out;
  }
  boost::json::object schema;
  if (spec == "OpenApi")
    schema = {{"type", "object"}, {"required", {"openapi", "paths"}}};
  else if (spec.rfind("Page:", 0) == 0)
    schema = {{"type", "object"},
              {"required", {"items", "next_cursor"}},
              {"properties",
               {{"items", {{"type", "array"}, {"items", schema_ref(spec.substr(5))}}},
                {"next_cursor", {{"type", {"string", "null"}}}}}}};
  else
    schema = schema_ref(spec);
  return {{"application/json", {{"schema", std::move(schema)}}}};
}

// "POST /api/v1/targets/{id}/test" -> "post_targets_by_id_test": what code generators
// take as a function name (no spaces, braces or dots).
std::string operation_id(const http::Route& route) {
  std::string id;
  for (char c : route.method) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view path = route.pattern;
  if (path.rfind("/api/v1", 0) == 0) path.remove_prefix(7);
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '{') {
      if (id.back() != '_') id += '_';
      id += "by_";
    } else if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      id += c;
    } else if (c != '}' && id.back() != '_') {
      id += '_';
    }
  }
  while (id.back() == '_') id.pop_back();
  return id;
}

boost::json::object operation(const http::Route& route) {
  boost::json::object op{{"summary", route.options.summary}, {"operationId", operation_id(route)}};
  boost::json::array params;
  for (const auto& seg : route.segments)
    if (seg.size() > 2 && seg.front() == '{')
      params.push_back({{"name", seg.substr(1, seg.size() - 2)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
  const std::string key = route.method + " " + route.pattern;
  auto query = [&params](const std::string& name, const std::string& type) {
    params.push_back(
        {{"name", name}, {"in", "query"}, {"required", false}, {"schema", {{"type", type}}}});
  };
  auto spec = response_schemas().find(key);
  if (spec != response_schemas().end() && spec->second.rfind("Page:", 0) == 0) {
    query("limit", "integer");
    query("cursor", "string");
  }
  if (auto q = query_parameters().find(key); q != query_parameters().end())
    for (const auto& [name, type] : q->second) query(name, type);
  if (!params.empty()) op["parameters"] = std::move(params);
  if (route.options.json_body) {
    static const boost::json::object bodies = boost::json::parse(kRequestBodies).as_object();
    const auto* body = bodies.if_contains(key);
    op["requestBody"] = {
        {"required", true},
        {"content",
         {{"application/json",
           {{"schema", body ? *body : boost::json::value({{"type", "object"}})}}}}}};
    if (!body) op["x-redcell-untyped-body"] = true;
  } else if (route.options.body_limit) {  // a file as the body
    op["requestBody"] = {
        {"required", true},
        {"content",
         {{"application/octet-stream", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
  }
  boost::json::object ok{{"description", "success"}};
  if (spec != response_schemas().end()) {
    ok["content"] = success_content(spec->second);
  } else {
    ok["content"] = {{"application/json", {{"schema", {{"type", "object"}}}}}};
    op["x-redcell-untyped"] = true;
  }
  op["responses"] = {{"2XX", std::move(ok)},
                     {"default",
                      {{"description", "an error, in the one error shape"},
                       {"content", {{"application/json", {{"schema", schema_ref("Error")}}}}}}}};
  if (route.options.authenticated)
    op["security"] = {{{"bearer", boost::json::array()}}, {{"apiKey", boost::json::array()}}};
  else
    op["security"] = boost::json::array();
  if (!route.options.role.empty()) op["x-redcell-role"] = route.options.role;
  return op;
}

}  // namespace

boost::json::object openapi_document(const http::Router& router) {
  boost::json::object paths;
  for (const auto& route : router.routes()) {
    if (!route.options.documented) continue;
    auto& item = paths[route.pattern];
    if (!item.is_object()) item = boost::json::object();
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    item.as_object()[method] = operation(route);
  }
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "redcell"},
            {"version", REDCELL_VERSION},
            {"description",
             "Red-teaming LLM applications: targets, datasets, orchestrators, "
             "executions and their results."}}},
          {"jsonSchemaDialect", "https://json-schema.org/draft/2020-12/schema"},
          {"paths", std::move(paths)},
          {"components",
           {{"schemas", boost::json::parse(kComponents)},
            {"securitySchemes",
             {{"bearer",
               {{"type", "http"},
                {"scheme", "bearer"},
                {"description", "a JWT from the identity provider, or an API key rc_..."}}},
              {"apiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}}}}}}};
}

void add_openapi_route(http::Router& router) {
  http::RouteOptions opts;
  opts.authenticated = false;
  opts.summary = "This document: OpenAPI 3.1 for every route";
  // The table is complete once every route is registered, which is before serving: the
  // document is built at the first request, then kept.
  auto cached = std::make_shared<std::pair<std::once_flag, std::string>>();
  router.add(
      "GET", "/api/v1/openapi.json",
      [&router, cached](http::Request&) {
        std::call_once(cached->first,
                       [&] { cached->second = boost::json::serialize(openapi_document(router)); });
        return http::Response::text(200, cached->second, "application/json");
      },
      opts);
}

}  // namespace redcell::api

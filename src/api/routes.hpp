#pragma once
// Route registration, one function per resource file. The composition root (app/) calls
// them; handlers get their collaborators by reference and never build them.

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "http/server/metrics.hpp"
#include "http/server/router.hpp"

namespace redcell {
template <class T>
class Catalog;
class Converter;
class Scorer;
using ConverterRegistry = Catalog<Converter>;
using ScorerRegistry = Catalog<Scorer>;
class WorkPool;
class TimerQueue;
struct TargetDeps;
class ExecutionRunner;
class SecretBox;
class EndpointPolicy;
class SessionStore;
class JwtVerifier;
struct JwtClaims;
namespace http {
class HttpClient;
}
namespace memory {
class Scope;
class Store;
}  // namespace memory
}  // namespace redcell

namespace redcell::api {

// GET /healthz (the process answers), GET /readyz (ready_check passes, run on `pool`).
void add_health_routes(http::Router& router, std::function<Result<void>()> ready_check,
                       WorkPool& pool);
// GET /metrics, unauthenticated (on the API's address, or on --metrics-listen's own).
void add_metrics_route(http::Router& router, const http::MetricsRegistry& metrics);

struct SystemInfo {
  std::string started_at;
  std::string auth_mode;
  std::string store_kind;  // "sqlite" | "postgresql"
  // The engine's figures (orchestrator pool, running executions), read per request.
  std::function<boost::json::object()> engine;
};

// GET /api/v1/me (the caller's identity), GET /api/v1/system (admin: store figures).
void add_system_routes(http::Router& router, memory::Store& store, WorkPool& pool,
                       const SystemInfo& info);
boost::json::object identity_json(const Identity& identity);

// GET /api/v1/users and GET /api/v1/audit (admin).
void add_admin_routes(http::Router& router, memory::Store& store, WorkPool& pool);

// POST/GET /api/v1/api-keys, DELETE /api/v1/api-keys/{id}.
void add_api_key_routes(http::Router& router, memory::Store& store, WorkPool& pool);

// GET /api/v1/converters, POST /api/v1/converters/preview.
// A pure chain previews on `pool`, capped (converters/chain.hpp); one with an LLM step runs
// on the engine through `runner` (ExecutionRunner::run_sample).
// A text_jailbreak step may name a stored template ({"template_dataset"}, api/templates.hpp).
void add_converter_routes(http::Router& router, const ConverterRegistry& converters,
                          memory::Store& store, WorkPool& pool, ExecutionRunner& runner);

// What the resource routes share; everything is owned by the composition root.
struct Services {
  memory::Store& store;
  WorkPool& pool;  // where handlers that touch the store run
  const SecretBox& secrets;
  const EndpointPolicy& endpoints;
  const ConverterRegistry& converters;
  const ScorerRegistry& scorers;
  TimerQueue& timers;               // delayed work that must not hold a thread (event stream polls)
  const TargetDeps& target_deps;    // what a runtime target needs (the target probe)
  std::int64_t max_stored_prompts;  // per user, every dataset version counted
  std::size_t max_import_bytes;     // POST /api/v1/datasets/import's body limit
};

// /api/v1/targets CRUD; api keys sealed or named by api_key_env, never echoed.
// POST /targets/{id}/test sends one probe, bounded by min(the target's timeout, probe_timeout).
void add_target_routes(http::Router& router, const Services& services,
                       std::chrono::milliseconds probe_timeout);
// /api/v1/datasets CRUD with versions and /datasets/{id}/prompts.
void add_dataset_routes(http::Router& router, const Services& services);
// /api/v1/orchestrators CRUD; an identical definition of the same owner is reused.
void add_orchestrator_routes(http::Router& router, const Services& services);
// /api/v1/scorer-configs CRUD: saved {"type", "params"} scorer specs.
void add_scorer_config_routes(http::Router& router, const Services& services);
// GET /api/v1/scorers, POST /api/v1/scorers/test.
void add_scorer_routes(http::Router& router, const ScorerRegistry& scorers,
                       ExecutionRunner& runner);
// Executions: start (202) / dry run, list, get, cancel, resume, results, delete.
void add_execution_routes(http::Router& router, const Services& services, ExecutionRunner& runner);
// GET /api/v1/conversations/{id}: its messages in order, each with its scores.
void add_conversation_routes(http::Router& router, const Services& services);
// POST /api/v1/scorers/evaluate, GET /api/v1/scorers/evaluations: scorer evaluation.
void add_scorer_evaluation_routes(http::Router& router, const Services& services,
                                  ExecutionRunner& runner);
// GET /api/v1/scores/{id}; POST /api/v1/scores/{id}/review: a reviewer confirms or overrides.
void add_score_routes(http::Router& router, const Services& services);

// Browser sign-in for JWT mode (api/auth.cpp): /auth/login, /auth/callback, /auth/session,
// /auth/logout. `oidc` null: no sign-in configured (local mode, or --oidc-client-id unset).
struct OidcOptions {
  std::string issuer;         // --jwt-issuer; its discovery document names the endpoints
  std::string client_id;      // --oidc-client-id, also the ID token's audience
  std::string client_secret;  // empty: a public client (PKCE alone)
  std::string public_url;     // the origin the browser uses, "http://127.0.0.1:8080"
  bool secure = false;        // public_url is https: Secure, __Host- cookies
};
struct AuthServices {
  std::string mode;  // "local" or "jwt"
  std::shared_ptr<const OidcOptions> oidc;
  SessionStore* sessions = nullptr;
  http::HttpClient* client = nullptr;      // discovery and the token exchange
  const JwtVerifier* id_tokens = nullptr;  // audience = the client id
  std::function<Result<std::string>(const JwtClaims&)> resolve_user;  // may block: on `pool`
  WorkPool* pool = nullptr;
};
void add_auth_routes(http::Router& router, const AuthServices& auth);

// GET /api/v1/stats/attack-success: the dashboard's grouped success figures.
void add_stats_routes(http::Router& router, const Services& services);

// `redcell serve --demo-target URL` (make run): an openai_chat target named "demo mock" at
// URL for the local user, created once (true) and left alone when one of that name exists.
inline constexpr const char* kDemoTargetName = "demo mock";
Result<bool> ensure_demo_target(const Services& services, const memory::Scope& scope,
                                const std::string& endpoint);

// The web UI embedded in the binary: its files, and index.html for every other GET outside
// /api/ (the client's routes), with the Content-Security-Policy.
void add_ui_routes(http::Router& router);

// GET /api/v1/openapi.json, built from `router`'s table; register it after every route.
void add_openapi_route(http::Router& router);
boost::json::object openapi_document(const http::Router& router);

}  // namespace redcell::api

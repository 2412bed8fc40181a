// `redcell serve`: the composition root of the server. Builds every component from the
// resolved settings, opens the one store, wires the routes, and serves until SIGTERM/SIGINT.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <future>
#include <iostream>
#include <optional>
#include <thread>

#include "api/routes.hpp"
#include "app/commands.hpp"
#include "app/open_store.hpp"
#include "app/settings.hpp"
#include "common/clock.hpp"
#include "common/id.hpp"
#include "common/log.hpp"
#include "common/secret_box.hpp"
#include "common/time.hpp"
#include "common/timer_queue.hpp"
#include "common/work_pool.hpp"
#include "converters/converter.hpp"
#include "engine/execution_runner.hpp"
#include "engine/orchestrator_pool.hpp"
#include "engine/retention.hpp"
#include "http/client/client.hpp"
#include "http/server/server.hpp"
#include "identity/api_key_authenticator.hpp"
#include "identity/identity.hpp"
#include "identity/jwt_authenticator.hpp"
#include "memory/store.hpp"
#include "net/endpoint_policy.hpp"
#include "scorers/scorer.hpp"
#include "targets/key_env_policy.hpp"

namespace redcell {

namespace {

// The orchestrator pool's figures on /metrics.
void add_pool_metrics(http::MetricsRegistry& metrics, const OrchestratorPool& pool) {
  using Kind = http::MetricsRegistry::Kind;
  const auto as_double = [](auto v) { return static_cast<double>(v); };
  metrics.add_sampled("redcell_orchestrator_pool_size", "Runtime orchestrators held", Kind::gauge,
                      [&pool, as_double] { return as_double(pool.stats().size); });
  metrics.add_sampled("redcell_orchestrator_pool_hits_total",
                      "Orchestrator lookups answered from the pool", Kind::counter,
                      [&pool, as_double] { return as_double(pool.stats().hits); });
  metrics.add_sampled("redcell_orchestrator_pool_misses_total",
                      "Orchestrator lookups that built a runtime", Kind::counter,
                      [&pool, as_double] { return as_double(pool.stats().misses); });
  metrics.add_sampled("redcell_orchestrator_pool_evictions_total",
                      "Runtimes dropped as least recently used", Kind::counter,
                      [&pool, as_double] { return as_double(pool.stats().evictions); });
  metrics.add_sampled("redcell_orchestrator_pool_reloads_total",
                      "Runtimes rebuilt because the stored definition changed", Kind::counter,
                      [&pool, as_double] { return as_double(pool.stats().reloads); });
}

}  // namespace

namespace {

int refuse(std::string_view what, const Error& e) {
  log::error(what, {{"error", e.message()}});
  log::flush();
  std::cerr << "redcell serve: " << e.message() << "\n";
  return 1;
}

// The one local user of --auth local: the row for (redcell:local, local), an admin.
Result<Identity> resolve_local_user(memory::Store& store) {
  memory::User u;
  u.issuer = std::string(kLocalIssuer);
  u.subject = std::string(kLocalSubject);
  u.username = "local";
  u.display_name = "Local user";
  u.roles = {"admin"};
  auto row = store.upsert_user(memory::Scope::system(), u).get();
  if (!row) return fail(row.error());
  return Identity{row->id, row->issuer, row->subject, row->username, row->display_name, row->roles};
}

// Raises the soft descriptor limit to the hard one (a server holds a descriptor per client,
// per outgoing connection and per store connection) and returns the soft limit in force.
std::uint64_t raise_descriptor_limit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) != 0) return 1024;
  if (l.rlim_cur < l.rlim_max) {
    rlimit raised = l;
    raised.rlim_cur = l.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) l = raised;
  }
  return l.rlim_cur == RLIM_INFINITY ? 1u << 20 : static_cast<std::uint64_t>(l.rlim_cur);
}

// In jwt mode the local user's API keys are refused; say how many there are and what to do.
void report_refused_local_keys(memory::Store& store) {
  std::int64_t keys = 0;
  PageRequest users{kMaxPageLimit, std::nullopt};
  for (;;) {
    auto page = store.list_users(memory::Scope::system(), users);
    if (!page) return;
    for (const auto& u : page->items) {
      if (u.issuer != kLocalIssuer) continue;
      PageRequest p{kMaxPageLimit, std::nullopt};
      for (;;) {
        auto k = store.list_api_keys(memory::Scope::user(u.id), p);
        if (!k) break;
        for (const auto& key : k->items) keys += key.revoked_at ? 0 : 1;
        if (!k->next) break;
        p.after = k->next;
      }
    }
    if (!page->next) break;
    users.after = page->next;
  }
  if (keys > 0)
    log::warn("local_api_keys_refused",
              {{"count", keys},
               {"why",
                "API keys created in --auth local belong to the local admin; this server "
                "signs users in through the identity provider and refuses them"},
               {"fix",
                "stop the server and run `redcell user revoke-keys local`, or `redcell "
                "user merge local USERNAME` to hand the local user's work and keys to "
                "a signed-in user"}});
}

}  // namespace

int run_serve(const Config& config) {
  for (const auto& s : config.secret_values()) log::add_secret(s);
  auto settings = parse_serve_settings(config, process_env(), std::filesystem::current_path());
  if (!settings) {
    std::cerr << "redcell serve: " << settings.error().message() << "\n";
    return 2;
  }
  for (const auto* p : {&settings->proxy.http, &settings->proxy.https})
    if (*p && !(*p)->password.empty()) log::add_secret((*p)->password);
  log::init(settings->log_level);
  const auto started_at = format_time(SystemClock::instance().now());
  log::info("starting", {{"version", REDCELL_VERSION},
                         {"auth", settings->auth},
                         {"target_allow", settings->target_allow},
                         {"target_key_env", settings->target_key_env.describe()},
                         {"proxy", settings->proxy.describe()},
                         {"config", config.describe()}});

  auto store = open_store(settings->store, false);
  if (!store) return refuse("store_open_failed", store.error());
  log::info("store_opened", {{"store", (*store)->url()},
                             {"schema_version", (*store)->stats().schema_version},
                             {"resolved_from_relative", settings->store.was_relative}});

  std::unique_ptr<Authenticator> authenticator;
  std::string startup_user;
  memory::Store* users = store->get();
  // The identity provider's JWKS URL is the operator's own configuration: it may be on a
  // loopback or private network, never on a link-local or metadata address.
  std::optional<http::HttpClient> identity_client;
  if (settings->auth == "jwt" && !settings->jwt.jwks_url.empty()) {
    http::ClientOptions o;
    o.threads = 1;
    o.policy = *EndpointPolicy::parse("loopback,private");
    o.proxy = settings->proxy;
    auto& client = identity_client.emplace(o);
    settings->jwt.fetch_jwks = [&client, url = settings->jwt.jwks_url]() -> Result<std::string> {
      http::ClientRequest req;
      req.method = "GET";
      req.url = url;
      req.timeout = std::chrono::seconds(10);
      req.headers.emplace_back("Accept", "application/json");
      std::promise<Result<http::ClientResponse>> answer;
      auto got = answer.get_future();
      client.send(std::move(req),
                  [&answer](Result<http::ClientResponse> r) { answer.set_value(std::move(r)); });
      auto r = got.get();
      if (!r)
        return fail(Error(ErrorCode::unavailable,
                          "--jwt-jwks: cannot fetch " + url + ": " + r.error().message()));
      if (r->status != 200)
        return fail(Error(ErrorCode::unavailable,
                          "--jwt-jwks: " + url + " answered HTTP " + std::to_string(r->status)));
      return r->body;
    };
  }
  if (settings->auth == "jwt") {
    auto verifier = JwtVerifier::create(settings->jwt, SystemClock::instance());
    if (!verifier) return refuse("identity_failed", verifier.error());
    authenticator = std::make_unique<JwtAuthenticator>(
        std::move(*verifier), [users](const JwtClaims& c) -> Result<std::string> {
          memory::User u{"", c.issuer, c.subject, c.username, c.display_name, c.roles, {}, {}, {}};
          auto row = users->upsert_user(memory::Scope::system(), std::move(u)).get();
          if (!row) return fail(row.error());
          return row->id;
        });
  } else {
    auto local_user = resolve_local_user(**store);
    if (!local_user) return refuse("identity_failed", local_user.error());
    startup_user = local_user->user_id;
    authenticator = std::make_unique<LocalAuthenticator>(*local_user);
  }

  WorkPool blocking(4);
  ApiKeyAuthenticator with_api_keys(
      **store, *authenticator, SystemClock::instance(),
      [&blocking](std::function<void()> f) { blocking.post(std::move(f)); });
  if (settings->auth != "local") report_refused_local_keys(**store);

  auto secrets = settings->secret_key ? SecretBox::from_key_text(*settings->secret_key)
                                      : SecretBox::from_key_file(settings->secret_key_file);
  if (!secrets)
    return refuse(
        "secret_key_failed",
        Error(ErrorCode::invalid_argument,
              (settings->secret_key ? config.setting("secret-key").origin + ": " : std::string()) +
                  secrets.error().message() +
                  " (expected base64 of 32 random bytes, or a passphrase of 32+ "
                  "characters)"));
  auto endpoints = EndpointPolicy::parse(settings->target_allow);
  if (!endpoints) return refuse("target_allow_invalid", endpoints.error());

  TimerQueue timers;  // stops before `blocking`: a late timer's post is dropped
  http::Router router;
  http::MetricsRegistry metrics;
  memory::Store& memory = **store;
  api::add_health_routes(
      router, [&memory] { return memory.ping(); }, blocking);
  if (!settings->metrics_listen) api::add_metrics_route(router, metrics);
  OrchestratorPool orchestrators(256, ConverterRegistry::builtin(), ScorerRegistry::builtin());
  const ExecutionRunner* running = nullptr;  // set once the runner exists, before serving
  api::SystemInfo info;
  info.engine = [&orchestrators, &running] {
    auto p = orchestrators.stats();
    return boost::json::object{{"orchestrator_pool",
                                {{"size", p.size},
                                 {"capacity", p.capacity},
                                 {"hits", p.hits},
                                 {"misses", p.misses},
                                 {"evictions", p.evictions},
                                 {"reloads", p.reloads}}},
                               {"executions_active", running ? running->active() : 0}};
  };
  add_pool_metrics(metrics, orchestrators);
  info.started_at = started_at;
  info.auth_mode = settings->auth;
  info.store_kind = settings->store.kind == StoreUrl::Kind::sqlite ? "sqlite" : "postgresql";
  api::add_system_routes(router, memory, blocking, info);
  api::add_api_key_routes(router, memory, blocking);
  api::add_admin_routes(router, memory, blocking);
  // The engine: outgoing requests on their own loops, checked against the allow-list.
  http::ClientOptions client_options;
  client_options.policy = *endpoints;
  client_options.proxy = settings->proxy;
  http::HttpClient client(client_options);
  TargetDeps target_deps{client, *secrets, settings->target_key_env, process_env()};
  const api::Services services{memory,
                               blocking,
                               *secrets,
                               *endpoints,
                               ConverterRegistry::builtin(),
                               ScorerRegistry::builtin(),
                               timers,
                               target_deps,
                               settings->max_stored_prompts};
  api::add_target_routes(router, services, settings->probe_timeout);
  api::add_dataset_routes(router, services);
  api::add_orchestrator_routes(router, services);
  api::add_scorer_config_routes(router, services);
  api::add_conversation_routes(router, services);

  RunnerOptions runner_options;
  runner_options.worker_id = "serve-" + std::to_string(::getpid()) + "-" + new_id().substr(24);
  runner_options.lease = settings->claim_lease;
  runner_options.max_running_per_user = settings->max_running_executions;
  runner_options.max_work_items = settings->max_work_items;
  StoreWorkQueue work_queue(memory);
  ExecutionRunner runner(
      memory, work_queue, blocking, orchestrators, target_deps,
      [&client](std::chrono::milliseconds d, std::function<void()> fn) {
        client.after(d, std::move(fn));
      },
      SystemClock::instance(), runner_options);
  running = &runner;
  api::add_execution_routes(router, services, runner);
  api::add_scorer_routes(router, ScorerRegistry::builtin(), runner);
  api::add_converter_routes(router, ConverterRegistry::builtin(), blocking, runner);
  api::add_openapi_route(router);  // last: it documents the table above
  http::HttpMetrics http_metrics(metrics, router);

  http::ServerOptions options;
  options.host = settings->host;
  options.port = settings->port;
  options.threads = settings->threads;
  options.body_limit = settings->body_limit;
  const auto descriptors = raise_descriptor_limit();
  options.max_connections =
      settings->max_connections
          ? settings->max_connections
          : static_cast<std::size_t>(std::clamp<std::uint64_t>(descriptors / 4, 16, 16384));
  options.allowed_hosts = settings->allowed_hosts;
  options.shutdown_timeout = settings->shutdown_timeout;
  options.idle_timeout = settings->idle_timeout;
  options.request_timeout = settings->idle_timeout;
  options.access_log = settings->access_log;
  options.offload = [&blocking](std::function<void()> task) { blocking.post(std::move(task)); };
  http::Server server(options, router, with_api_keys, http_metrics);
  if (auto ok = server.listen(); !ok) return refuse("listen_failed", ok.error());
  // --metrics-listen: /metrics on an address of its own (a scraper's network), and not on
  // the API's. Its loop runs on a thread of its own and drains with the main server.
  http::Router metrics_router;
  http::MetricsRegistry metrics_server_figures;  // its own requests are not the API's
  std::optional<http::HttpMetrics> metrics_http;
  std::optional<http::Server> metrics_server;
  std::thread metrics_thread;
  if (settings->metrics_listen) {
    api::add_metrics_route(metrics_router, metrics);
    metrics_http.emplace(metrics_server_figures, metrics_router);
    http::ServerOptions mo;
    mo.host = settings->metrics_listen->first;
    mo.port = settings->metrics_listen->second;
    mo.threads = 1;
    mo.max_connections = 64;
    mo.access_log = false;
    mo.allowed_hosts = {"*"};
    mo.shutdown_timeout = std::chrono::seconds(1);
    metrics_server.emplace(mo, metrics_router, with_api_keys, *metrics_http);
    if (auto ok = metrics_server->listen(); !ok) return refuse("listen_failed", ok.error());
    log::info("metrics_listening", {{"url", metrics_server->url() + "/metrics"}});
    metrics_thread = std::thread([&metrics_server] { metrics_server->run(); });
  }
  if (auto ok = (*store)->set_listen_url(server.url()); !ok)
    log::warn("lock_file_update_failed", {{"error", ok.error().message()}});
  log::info("listening", {{"url", server.url()},
                          {"store", (*store)->url()},
                          {"local_user_id", startup_user},
                          {"max_connections", options.max_connections},
                          {"descriptor_limit", descriptors},
                          {"routes", router.routes().size()}});
  runner.resume_unfinished();

  // The retention window: a sweep at start-up, then every half window (1 s to 1 h).
  std::function<void()> sweep;
  if (settings->retention.count() > 0) {
    const auto keep = settings->retention;
    const auto every = std::clamp<std::chrono::milliseconds>(keep / 2, std::chrono::seconds(1),
                                                             std::chrono::hours(1));
    sweep = [&memory, &blocking, &timers, &sweep, keep, every] {
      blocking.post([&memory, &timers, &sweep, keep, every] {
        auto n = purge_expired_executions(memory, SystemClock::instance().now(), keep);
        if (!n)
          log::warn("retention_sweep_failed", {{"error", n.error().message()}});
        else if (*n > 0)
          log::info("retention_purged", {{"executions", *n}, {"retention_seconds", keep.count()}});
        timers.after(every, sweep);
      });
    };
    log::info("retention", {{"retention_seconds", keep.count()}});
    sweep();
  }
  server.run();
  if (metrics_server) {
    metrics_server->shutdown();
    metrics_thread.join();
  }
  // SIGTERM: the server has drained its requests; in-flight sends finish and are recorded,
  // what remains is marked interrupted.
  runner.drain(settings->shutdown_timeout);
  timers.stop();    // no sweep or event poll starts after this
  blocking.stop();  // every pending store call answers while the server still exists
  // A late reply or a retry's timer must never reach the runner (destroyed before the
  // client, declared earlier), and what a pending request holds (a probe's reply) must go
  // while the server it answers to still exists: the client stops here.
  client.stop();
  log::flush();
  return 0;
}

}  // namespace redcell

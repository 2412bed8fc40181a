// `redcell serve`: the composition root of the server. Builds every component from the
// resolved settings, opens the one store, wires the routes, and serves until SIGTERM/SIGINT.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
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
#include "identity/session.hpp"
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

// Fetches the identity provider's JWKS through `client` (blocking: called on the offload pool).
std::function<Result<std::string>()> jwks_fetcher(http::HttpClient& client, std::string url) {
  return [&client, url = std::move(url)]() -> Result<std::string> {
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

// A signed-in caller's user id: the user keyed by the token's (issuer, subject), created or
// updated from its claims.
std::function<Result<std::string>(const JwtClaims&)> user_of_claims(memory::Store* users) {
  return [users](const JwtClaims& c) -> Result<std::string> {
    memory::User u{"", c.issuer, c.subject, c.username, c.display_name, c.roles, {}, {}, {}};
    auto row = users->upsert_user(memory::Scope::system(), std::move(u)).get();
    if (!row) return fail(row.error());
    return row->id;
  };
}

// What GET /api/v1/system reports; `running` is set once the runner exists.
api::SystemInfo system_info(const OrchestratorPool& orchestrators,
                            const ExecutionRunner* const& running, const ServeSettings& settings,
                            std::string started_at) {
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
  info.started_at = std::move(started_at);
  info.auth_mode = settings.auth;
  info.store_kind = settings.store.kind == StoreUrl::Kind::sqlite ? "sqlite" : "postgresql";
  return info;
}

// embedded: signals are the caller's (ServeControl).
http::ServerOptions server_options(const ServeSettings& settings, std::uint64_t descriptors,
                                   bool embedded) {
  http::ServerOptions options;
  options.host = settings.host;
  options.port = settings.port;
  options.threads = settings.threads;
  options.body_limit = settings.body_limit;
  options.max_connections =
      settings.max_connections
          ? settings.max_connections
          : static_cast<std::size_t>(std::clamp<std::uint64_t>(descriptors / 4, 16, 16384));
  options.allowed_hosts = settings.allowed_hosts;
  options.shutdown_timeout = settings.shutdown_timeout;
  options.idle_timeout = settings.idle_timeout;
  options.request_timeout = settings.idle_timeout;
  options.access_log = settings.access_log;
  options.handle_signals = !embedded;
  return options;
}

// --metrics-listen: a small server of its own for a scraper's network.
http::ServerOptions metrics_server_options(const std::pair<std::string, std::uint16_t>& listen) {
  http::ServerOptions mo;
  mo.host = listen.first;
  mo.port = listen.second;
  mo.threads = 1;
  mo.max_connections = 64;
  mo.access_log = false;
  mo.allowed_hosts = {"*"};
  mo.shutdown_timeout = std::chrono::seconds(1);
  return mo;
}

// The retention window: a sweep now, then every half window (1 s to 1 h). `sweep` holds the
// loop and must outlive the timers.
void start_retention(std::function<void()>& sweep, memory::Store& memory, WorkPool& blocking,
                     TimerQueue& timers, std::chrono::seconds keep) {
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

// The caller's identity: the identity provider's tokens (jwt) or the local user. The
// JWKS URL is the operator's own configuration: fetched through `identity_client`, which may
// reach a loopback or private network, never a link-local or metadata address.
Result<std::unique_ptr<Authenticator>> make_authenticator(
    ServeSettings& settings, memory::Store& store, std::optional<http::HttpClient>& identity_client,
    std::string& local_user_id) {
  if (settings.auth != "jwt") {
    auto local_user = resolve_local_user(store);
    if (!local_user) return fail(local_user.error());
    local_user_id = local_user->user_id;
    return std::unique_ptr<Authenticator>(std::make_unique<LocalAuthenticator>(*local_user));
  }
  if (!settings.jwt.jwks_url.empty()) {
    http::ClientOptions o;
    o.threads = 1;
    o.policy = *EndpointPolicy::parse("loopback,private");
    o.proxy = settings.proxy;
    settings.jwt.fetch_jwks = jwks_fetcher(identity_client.emplace(o), settings.jwt.jwks_url);
  }
  auto verifier = JwtVerifier::create(settings.jwt, SystemClock::instance());
  if (!verifier) return fail(verifier.error());
  return std::unique_ptr<Authenticator>(
      std::make_unique<JwtAuthenticator>(std::move(*verifier), user_of_claims(&store)));
}

// The key that seals target secrets: --secret-key, or the key file (made on first start).
Result<SecretBox> open_secrets(const ServeSettings& settings, const Config& config) {
  const auto& key = settings.secret_key;
  auto secrets =
      key ? SecretBox::from_key_text(*key) : SecretBox::from_key_file(settings.secret_key_file);
  if (secrets) return secrets;
  return fail(
      Error(ErrorCode::invalid_argument,
            (key ? config.setting("secret-key").origin + ": " : std::string()) +
                secrets.error().message() +
                " (expected base64 of 32 random bytes, or a passphrase of 32+ characters)"));
}

// --metrics-listen: /metrics on an address of its own (a scraper's network), and not on the
// API's, counting its own requests apart. Its loop runs on a thread of its own; stop() after
// the main server drained.
class MetricsServer {
 public:
  Result<void> start(const std::pair<std::string, std::uint16_t>& listen,
                     http::MetricsRegistry& metrics, const Authenticator& auth) {
    api::add_metrics_route(router_, metrics);
    http_.emplace(figures_, router_);
    server_.emplace(metrics_server_options(listen), router_, auth, *http_);
    if (auto ok = server_->listen(); !ok) return ok;
    log::info("metrics_listening", {{"url", server_->url() + "/metrics"}});
    thread_ = std::thread([this] { server_->run(); });
    return {};
  }
  void stop() {
    if (!thread_.joinable()) return;
    server_->shutdown();
    thread_.join();
  }
  ~MetricsServer() {
    try {
      stop();
    } catch (...) {
      std::fputs("redcell: the metrics server did not stop cleanly\n", stderr);
    }
  }

 private:
  http::Router router_;
  http::MetricsRegistry figures_;
  std::optional<http::HttpMetrics> http_;
  std::optional<http::Server> server_;
  std::thread thread_;
};

// Secrets never reach the log (the settings' and the proxies' passwords), then the settings.
void start_logging(const Config& config, const ServeSettings& settings) {
  for (const auto* p : {&settings.proxy.http, &settings.proxy.https})
    if (*p && !(*p)->password.empty()) log::add_secret((*p)->password);
  log::init(settings.log_level);
  log::info("starting", {{"version", REDCELL_VERSION},
                         {"auth", settings.auth},
                         {"target_allow", settings.target_allow},
                         {"target_key_env", settings.target_key_env.describe()},
                         {"proxy", settings.proxy.describe()},
                         {"config", config.describe()}});
}

// The engine's outgoing requests: on loops of their own, at the engine's priority, checked
// against the allow-list, through the environment's proxy.
http::ClientOptions engine_client_options(const ServeSettings& settings,
                                          const EndpointPolicy& endpoints) {
  http::ClientOptions o;
  o.policy = endpoints;
  o.proxy = settings.proxy;
  o.nice = settings.engine_nice;
  return o;
}

RunnerOptions runner_options(const ServeSettings& settings) {
  RunnerOptions o;
  o.worker_id = "serve-" + std::to_string(::getpid()) + "-" + new_id().substr(24);
  o.lease = settings.claim_lease;
  o.max_running_per_user = settings.max_running_executions;
  o.max_work_items = settings.max_work_items;
  o.engine_nice = settings.engine_nice;
  return o;
}

// Browser sign-in (JWT mode with --oidc-client-id): sessions in front of the authenticator,
// the client that reads the issuer's discovery document and token endpoint, and the
// verifier of its ID tokens (audience: the client id).
struct SignIn {
  SessionStore sessions;
  SessionAuthenticator authenticator;
  std::optional<http::HttpClient> client;
  std::unique_ptr<JwtVerifier> id_tokens;
  std::shared_ptr<api::OidcOptions> oidc;  // null: no browser sign-in
  std::function<Result<std::string>(const JwtClaims&)> resolve_user;

  SignIn(const ServeSettings& s, const Authenticator& next, memory::Store& store)
      : sessions(SystemClock::instance(), s.session_lifetime),
        authenticator(sessions, next),
        resolve_user(user_of_claims(&store)) {}

  Result<void> start(const ServeSettings& s) {
    if (s.auth != "jwt" || !s.oidc_client_id) return {};
    JwtOptions id_options = s.jwt;
    id_options.audience = *s.oidc_client_id;
    auto verifier = JwtVerifier::create(id_options, SystemClock::instance());
    if (!verifier) return fail(verifier.error());
    id_tokens = std::move(*verifier);
    http::ClientOptions o;
    o.threads = 1;
    o.policy = *EndpointPolicy::parse("loopback,private");  // the operator's own issuer
    o.proxy = s.proxy;
    client.emplace(o);
    oidc = std::make_shared<api::OidcOptions>(
        api::OidcOptions{s.jwt.issuer, *s.oidc_client_id, s.oidc_client_secret, s.public_url,
                         s.public_url.rfind("https://", 0) == 0});
    return {};
  }

  api::AuthServices services(const ServeSettings& s, WorkPool& pool) {
    return api::AuthServices{s.auth,          oidc,         &sessions, client ? &*client : nullptr,
                             id_tokens.get(), resolve_user, &pool};
  }
};

// The routes of what a user defines and reads back (the engine's come with the runner).
void add_resource_routes(http::Router& router, const api::Services& services,
                         const ServeSettings& settings, const api::AuthServices& auth) {
  api::add_auth_routes(router, auth);
  api::add_target_routes(router, services, settings.probe_timeout);
  api::add_dataset_routes(router, services);
  api::add_orchestrator_routes(router, services);
  api::add_scorer_config_routes(router, services);
  api::add_conversation_routes(router, services);
  api::add_score_routes(router, services);
  api::add_stats_routes(router, services);
}

// make run's demo mock, as a target of the local user (JWT mode has no user to give it to).
void ensure_demo_target(const api::Services& services, const std::string& local_user,
                        const std::string& endpoint) {
  if (local_user.empty()) {
    log::warn("demo_target_skipped", {{"reason", "--demo-target works in local mode only"}});
    return;
  }
  auto made = api::ensure_demo_target(services, memory::Scope::user(local_user), endpoint);
  if (!made)
    log::warn("demo_target_failed", {{"error", made.error().message()}});
  else if (*made)
    log::info("demo_target_created", {{"name", api::kDemoTargetName}, {"endpoint", endpoint}});
}

}  // namespace

void ServeControl::stop() {
  std::lock_guard lk(mu_);
  stop_requested_ = true;
  if (stop_) stop_();
}

void ServeControl::attach(std::function<void()> stop) {
  std::lock_guard lk(mu_);
  stop_ = std::move(stop);
  if (stop_requested_) stop_();
}

void ServeControl::detach() {
  {
    std::lock_guard lk(mu_);
    stop_ = nullptr;
    settled_ = true;
  }
  cv_.notify_all();
}

void ServeControl::listening(std::string url) {
  {
    std::lock_guard lk(mu_);
    url_ = std::move(url);
    settled_ = true;
  }
  cv_.notify_all();
}

std::string ServeControl::wait_for_url() {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [this] { return settled_; });
  return url_;
}

namespace {

// However run_serve ends, an embedded caller waiting for the URL hears of it, and its stop()
// never reaches a server that is gone.
struct DetachOnExit {
  explicit DetachOnExit(ServeControl* c) : control(c) {}
  ServeControl* control;
  DetachOnExit(const DetachOnExit&) = delete;
  DetachOnExit& operator=(const DetachOnExit&) = delete;
  ~DetachOnExit() {
    if (control) control->detach();
  }
};

// Serves until SIGTERM/SIGINT or, embedded, until the caller's stop().
void serve_until_stopped(http::Server& server, ServeControl* control) {
  if (!control) return server.run();
  control->attach([&server] { server.shutdown(); });
  control->listening(server.url());
  server.run();
  control->detach();
}

}  // namespace

int run_serve(const Config& config, ServeControl* control) {
  const DetachOnExit detach{control};
  for (const auto& s : config.secret_values()) log::add_secret(s);
  auto settings = parse_serve_settings(config, process_env(), std::filesystem::current_path());
  if (!settings) {
    std::cerr << "redcell serve: " << settings.error().message() << "\n";
    return 2;
  }
  start_logging(config, *settings);
  const auto started_at = format_time(SystemClock::instance().now());
  auto store = open_store(settings->store, false);
  if (!store) return refuse("store_open_failed", store.error());
  log::info("store_opened", {{"store", (*store)->url()},
                             {"schema_version", (*store)->stats().schema_version},
                             {"resolved_from_relative", settings->store.was_relative}});

  std::string startup_user;
  std::optional<http::HttpClient> identity_client;
  auto authenticator = make_authenticator(*settings, **store, identity_client, startup_user);
  if (!authenticator) return refuse("identity_failed", authenticator.error());

  SignIn sign_in(*settings, **authenticator, **store);
  if (auto ok = sign_in.start(*settings); !ok) return refuse("sign_in_failed", ok.error());
  WorkPool blocking(4);
  ApiKeyAuthenticator with_api_keys(
      **store, sign_in.authenticator, SystemClock::instance(),
      [&blocking](std::function<void()> f) { blocking.post(std::move(f)); });
  if (settings->auth != "local") report_refused_local_keys(**store);

  auto secrets = open_secrets(*settings, config);
  if (!secrets) return refuse("secret_key_failed", secrets.error());
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
  add_pool_metrics(metrics, orchestrators);
  api::add_system_routes(router, memory, blocking,
                         system_info(orchestrators, running, *settings, started_at));
  api::add_api_key_routes(router, memory, blocking);
  api::add_admin_routes(router, memory, blocking);
  http::HttpClient client(engine_client_options(*settings, *endpoints));
  TargetDeps target_deps{client, *secrets, settings->target_key_env, process_env()};
  const api::Services services{memory,
                               blocking,
                               *secrets,
                               *endpoints,
                               ConverterRegistry::builtin(),
                               ScorerRegistry::builtin(),
                               timers,
                               target_deps,
                               settings->max_stored_prompts,
                               settings->max_import_bytes};
  add_resource_routes(router, services, *settings, sign_in.services(*settings, blocking));

  StoreWorkQueue work_queue(memory);
  ExecutionRunner runner(
      memory, work_queue, blocking, orchestrators, target_deps,
      [&client](std::chrono::milliseconds d, std::function<void()> fn) {
        client.after(d, std::move(fn));
      },
      SystemClock::instance(), runner_options(*settings));
  running = &runner;
  api::add_execution_routes(router, services, runner);
  api::add_scorer_routes(router, ScorerRegistry::builtin(), runner);
  api::add_scorer_evaluation_routes(router, services, runner);
  api::add_converter_routes(router, ConverterRegistry::builtin(), memory, blocking, runner);
  api::add_ui_routes(router);
  api::add_openapi_route(router);  // last: it documents the table above
  if (settings->demo_target) ensure_demo_target(services, startup_user, *settings->demo_target);
  http::HttpMetrics http_metrics(metrics, router);

  const auto descriptors = raise_descriptor_limit();
  http::ServerOptions options = server_options(*settings, descriptors, control != nullptr);
  options.offload = [&blocking](std::function<void()> task) { blocking.post(std::move(task)); };
  http::Server server(options, router, with_api_keys, http_metrics);
  if (auto ok = server.listen(); !ok) return refuse("listen_failed", ok.error());
  if (sign_in.oidc && sign_in.oidc->public_url.empty()) sign_in.oidc->public_url = server.url();
  MetricsServer metrics_server;
  if (const auto& listen = settings->metrics_listen)
    if (auto ok = metrics_server.start(*listen, metrics, with_api_keys); !ok)
      return refuse("listen_failed", ok.error());
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
  std::function<void()> sweep;  // lives until the timers stop
  if (settings->retention.count() > 0)
    start_retention(sweep, memory, blocking, timers, settings->retention);
  serve_until_stopped(server, control);
  metrics_server.stop();
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

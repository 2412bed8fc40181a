#include "app/settings.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <iterator>

#include "common/text.hpp"
#include "http/server/server.hpp"
#include "net/endpoint_policy.hpp"
#include "targets/key_env_policy.hpp"

namespace redcell {

std::vector<OptionSpec> serve_option_specs() {
  return {
      {"listen", "address and port to serve on", "127.0.0.1:8080", false},
      {"db", "store URL (default $REDCELL_HOME/redcell.db)", std::nullopt, false},
      {"auth", "authentication mode: local or jwt", "local", false},
      {"jwt-issuer", "jwt: the issuer (iss) tokens must carry", std::nullopt, false},
      {"jwt-audience", "jwt: the audience (aud) tokens must carry", std::nullopt, false},
      {"jwt-hs256-secret", "jwt: shared secret for HS256 tokens (32+ bytes)", std::nullopt, true},
      {"jwt-jwks",
       "jwt: the RS256/ES256 public keys: a JWKS file, or the identity provider's JWKS URL "
       "(fetched at start-up and again for an unknown kid)",
       std::nullopt, false},
      {"jwt-jwks-min-refresh", "jwt: seconds between two JWKS URL fetches at least", "60", false},
      {"jwt-roles-claim", "jwt: dotted path of the roles array", "realm_access.roles", false},
      {"jwt-leeway", "jwt: seconds of clock skew allowed for exp/nbf (0-60)", "30", false},
      {"oidc-client-id",
       "jwt: browser sign-in through the issuer (OIDC code flow with PKCE) as this client; "
       "ID tokens must carry it as their audience",
       std::nullopt, false},
      {"oidc-client-secret", "jwt: the OIDC client's secret (none for a public client)",
       std::nullopt, true},
      {"public-url",
       "the origin browsers use to reach this server, such as https://redcell.example.com "
       "(default: http:// and the listen address); the sign-in callback is under it",
       std::nullopt, false},
      {"session-lifetime", "how long a browser sign-in lasts: 8h, 30m, 90s", "8h", false},
      {"threads", "event-loop threads (0: half the cores, at least one)", "0", false},
      {"engine-nice",
       "how many nice steps (0 to 19) below the API and the store writer the engine's threads "
       "run (attack strategies, converters, scorers, requests to targets), so that a full CPU "
       "goes first to the writer every result waits on and to API requests; 0: the same",
       "10", false},
      {"allowed-hosts", "extra Host header names to answer for, comma-separated (* for any)",
       std::nullopt, false},
      {"body-limit", "largest request body in bytes", "1048576", false},
      {"max-import-bytes",
       "largest dataset file POST /api/v1/datasets/import takes, in bytes (413 above); at most "
       "two such uploads are read at once",
       "104857600", false},
      {"metrics-listen",
       "serve GET /metrics (open, no sign-in) on this HOST:PORT instead of the API's address",
       std::nullopt, false},
      {"max-connections",
       "open HTTP connections at most; more are closed at once (0: a quarter of the "
       "file-descriptor limit, which serve raises to its hard limit, at most 16384)",
       "0", false},
      {"shutdown-timeout", "seconds in-flight requests get to finish after SIGTERM", "30", false},
      {"idle-timeout", "seconds a connection may wait for, or take to send, a request", "60",
       false},
      {"log-level", "debug, info, warn or error", "info", false},
      {"access-log", "one log line per request: true or false", "true", false},
      {"secret-key",
       "key that encrypts stored target secrets: base64 of 32 bytes or a 32+ character "
       "passphrase (default: generated into $REDCELL_HOME/secret.key)",
       std::nullopt, true},
      {"demo-target",
       "local mode: make sure the local user has an openai_chat target named \"demo mock\" at "
       "this URL (make run passes the demo mock's http://127.0.0.1:9000/v1); created once",
       std::nullopt, false},
      {"target-allow",
       "private address ranges targets may reach: loopback, private, CIDRs (comma-separated); "
       "link-local and metadata addresses are always refused",
       "", false},
      {"target-key-env",
       "environment variables a target's api_key_env may name: names and PREFIX* patterns, "
       "comma-separated; redcell's settings (REDCELL_*) and libpq's (PG*) are never allowed",
       "REDCELL_TARGET_KEY_*", false},
      {"retention",
       "purge finished executions and their results after this long: 90d, 12h, 30m, 45s; "
       "off keeps them forever",
       "off", false},
      {"probe-timeout",
       "longest a target probe (POST /targets/{id}/test) may wait for its answer: 1s to 30s", "30s",
       false},
      {"max-running-executions", "executions one user may have running at once (429 above)", "8",
       false},
      {"max-work-items",
       "work items one execution may have: prompts x converter chains x attempts (400 above)",
       "1000000", false},
      {"max-stored-prompts",
       "seed prompts one user may store, every dataset version counted (400 above)", "10000000",
       false},
      {"claim-lease",
       "how long a claimed work item stays this server's before another claim may take it "
       "again: 120s, 5m (a held item's lease is renewed by the server's next claim)",
       "120s", false},
  };
}

namespace {

template <class T>
Result<T> parse_number(const Setting& s, T min, T max) {
  T v{};
  const auto& text = s.text();
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max)
    return fail(
        Error::invalid(s.origin, boost::json::value(text),
                       "an integer from " + std::to_string(min) + " to " + std::to_string(max)));
  return v;
}

}  // namespace

Result<std::chrono::seconds> parse_duration(std::string_view text, std::string_view field) {
  if (text == "off" || text == "0") return std::chrono::seconds(0);
  auto bad = [&] {
    return fail(Error::invalid(std::string(field), boost::json::value(std::string(text)),
                               "a whole number with a unit d, h, m or s (90d, 12h), or off"));
  };
  if (text.size() < 2) return bad();
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || p != text.data() + text.size() - 1 || n <= 0 || n > 100'000)
    return bad();
  switch (text.back()) {
    case 'd':
      return std::chrono::seconds(n * 86'400);
    case 'h':
      return std::chrono::seconds(n * 3'600);
    case 'm':
      return std::chrono::seconds(n * 60);
    case 's':
      return std::chrono::seconds(n);
    default:
      return bad();
  }
}

Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text,
                                                           std::string_view field) {
  auto bad = [&] {
    return fail(Error::invalid(std::string(field), boost::json::value(std::string(text)),
                               "HOST:PORT, such as 127.0.0.1:8080 or [::1]:8080"));
  };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string host(text.substr(0, colon));
  if (host.front() == '[') {
    if (host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad();  // an IPv6 address needs brackets
  }
  unsigned port = 0;
  auto ptext = text.substr(colon + 1);
  auto [p, ec] = std::from_chars(ptext.data(), ptext.data() + ptext.size(), port);
  if (ptext.empty() || ec != std::errc() || p != ptext.data() + ptext.size() || port > 65535)
    return bad();
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

namespace {

// Where to listen and how callers authenticate (local mode only on loopback).
Result<void> parse_listen_and_auth(const Config& config, ServeSettings& out) {
  const auto& listen = config.setting("listen");
  auto hp = parse_listen(listen.text(), listen.origin);
  if (!hp) return fail(hp.error());
  out.host = hp->first;
  out.port = hp->second;
  if (const auto& ml = config.setting("metrics-listen"); ml.value) {
    auto m = parse_listen(ml.text(), ml.origin);
    if (!m) return fail(m.error());
    out.metrics_listen = *m;
  }

  const auto& auth = config.setting("auth");
  if (auth.text() != "local" && auth.text() != "jwt")
    return fail(Error::invalid(
        auth.origin, boost::json::value(auth.text()), "local or jwt",
        auth.origin + ": unknown mode \"" + auth.text() + "\"; expected local or jwt"));
  out.auth = auth.text();
  if (out.auth == "local" && !http::is_loopback_host(out.host))
    return fail(Error::invalid(
        listen.origin, boost::json::value(listen.text()), "a loopback address with --auth local",
        "--auth local is refused on the non-loopback address " + listen.text() +
            ": anyone who reaches it would act as the local admin. Listen on 127.0.0.1, or "
            "use an authenticating mode"));
  return {};
}

// The JWT mode's issuer, audience, keys and clock leeway.
Result<void> parse_jwt(const Config& config, ServeSettings& out) {
  out.jwt.issuer = config.get("jwt-issuer");
  out.jwt.audience = config.get("jwt-audience");
  out.jwt.hs256_secret = config.get("jwt-hs256-secret");
  out.jwt.roles_claim = config.get("jwt-roles-claim");
  auto leeway = parse_number<unsigned>(config.setting("jwt-leeway"), 0, 60);
  if (!leeway) return fail(leeway.error());
  out.jwt.leeway = std::chrono::seconds(*leeway);
  auto refresh = parse_number<unsigned>(config.setting("jwt-jwks-min-refresh"), 1, 3600);
  if (!refresh) return fail(refresh.error());
  out.jwt.jwks_min_refresh = std::chrono::seconds(*refresh);
  const auto& jwks = config.value("jwt-jwks");
  if (jwks && (jwks->rfind("https://", 0) == 0 || jwks->rfind("http://", 0) == 0)) {
    out.jwt.jwks_url = *jwks;
  } else if (jwks) {
    std::ifstream in(*jwks);
    if (!in)
      return fail(Error::invalid(config.setting("jwt-jwks").origin, boost::json::value(*jwks),
                                 "a readable JWKS file"));
    out.jwt.jwks_json.assign(std::istreambuf_iterator<char>(in), {});
  }
  return {};
}

// The store, the secret key, and which endpoints and key variables targets may use.
Result<void> parse_store_and_egress(const Config& config, const EnvLookup& env,
                                    const std::filesystem::path& cwd, ServeSettings& out) {
  const auto& db = config.setting("db");
  auto store = db.value ? parse_store_url(*db.value, cwd, db.origin) : default_store_url(env, cwd);
  if (!store) return fail(store.error());
  out.store = std::move(*store);

  out.secret_key = config.value("secret-key");
  auto home = redcell_home(env, cwd);
  if (!home) return fail(home.error());
  out.secret_key_file = *home / "secret.key";
  const auto& allow = config.setting("target-allow");
  auto policy = EndpointPolicy::parse(allow.value.value_or(""), allow.origin);
  if (!policy) return fail(policy.error());
  out.target_allow = allow.value.value_or("");
  out.demo_target = config.value("demo-target");
  const auto& key_env = config.setting("target-key-env");
  auto key_policy = KeyEnvPolicy::parse(key_env.value.value_or(""), key_env.origin);
  if (!key_policy) return fail(key_policy.error());
  out.target_key_env = std::move(*key_policy);

  auto proxy = http::ProxySettings::from_environment(env);
  if (!proxy) return fail(proxy.error());
  out.proxy = std::move(*proxy);
  return {};
}

// Retention, claim lease and probe timeout.
Result<void> parse_durations(const Config& config, ServeSettings& out) {
  const auto& keep = config.setting("retention");
  auto retention = parse_duration(keep.text(), keep.origin);
  if (!retention) return fail(retention.error());
  out.retention = *retention;
  const auto& lease = config.setting("claim-lease");
  auto lease_for = parse_duration(lease.text(), lease.origin);
  if (!lease_for) return fail(lease_for.error());
  if (lease_for->count() < 1)
    return fail(Error::invalid(lease.origin, boost::json::value(lease.text()),
                               "a duration of at least 1s, such as 120s or 5m"));
  out.claim_lease = *lease_for;
  const auto& probe = config.setting("probe-timeout");
  auto probe_for = parse_duration(probe.text(), probe.origin);
  if (!probe_for) return fail(probe_for.error());
  if (probe_for->count() < 1 || probe_for->count() > 30)
    return fail(Error::invalid(probe.origin, boost::json::value(probe.text()),
                               "a duration from 1s to 30s"));
  out.probe_timeout = *probe_for;
  return {};
}

// Caps and sizes: running executions, work items, stored prompts, threads, bodies, connections,
// timeouts.
Result<void> parse_limits(const Config& config, ServeSettings& out) {
  auto running = parse_number<std::size_t>(config.setting("max-running-executions"), 1, 10'000);
  if (!running) return fail(running.error());
  out.max_running_executions = *running;
  auto items = parse_number<std::int64_t>(config.setting("max-work-items"), 1, 1'000'000'000);
  if (!items) return fail(items.error());
  out.max_work_items = *items;
  auto prompts =
      parse_number<std::int64_t>(config.setting("max-stored-prompts"), 1, 10'000'000'000);
  if (!prompts) return fail(prompts.error());
  out.max_stored_prompts = *prompts;
  auto threads = parse_number<unsigned>(config.setting("threads"), 0, 256);
  if (!threads) return fail(threads.error());
  out.threads = *threads;
  auto nice = parse_number<int>(config.setting("engine-nice"), 0, 19);
  if (!nice) return fail(nice.error());
  out.engine_nice = *nice;
  auto body = parse_number<std::size_t>(config.setting("body-limit"), 1024, 1ull << 30);
  if (!body) return fail(body.error());
  out.body_limit = *body;
  auto import_bytes =
      parse_number<std::size_t>(config.setting("max-import-bytes"), 1024, 1ull << 31);
  if (!import_bytes) return fail(import_bytes.error());
  out.max_import_bytes = *import_bytes;
  auto conns = parse_number<std::size_t>(config.setting("max-connections"), 0, 1'000'000);
  if (!conns) return fail(conns.error());
  out.max_connections = *conns;
  auto st = parse_number<unsigned>(config.setting("shutdown-timeout"), 0, 3600);
  if (!st) return fail(st.error());
  out.shutdown_timeout = std::chrono::seconds(*st);
  auto idle = parse_number<unsigned>(config.setting("idle-timeout"), 1, 3600);
  if (!idle) return fail(idle.error());
  out.idle_timeout = std::chrono::seconds(*idle);
  return {};
}

// Log level, access log and the Host names the server answers.
Result<void> parse_logging(const Config& config, ServeSettings& out) {
  const auto& lvl = config.setting("log-level");
  auto level = log::parse_level(lvl.text());
  if (!level)
    return fail(Error::invalid(lvl.origin, boost::json::value(lvl.text()),
                               "one of debug, info, warn, error"));
  out.log_level = *level;

  const auto& al = config.setting("access-log");
  if (al.text() != "true" && al.text() != "false")
    return fail(Error::invalid(al.origin, boost::json::value(al.text()), "true or false"));
  out.access_log = al.text() == "true";

  if (const auto& hosts = config.value("allowed-hosts")) {
    for (auto item : split_comma_list(*hosts)) {
      if (item == "*" && out.auth == "local")
        return fail(Error::invalid(
            config.setting("allowed-hosts").origin, boost::json::value(*hosts),
            "host names (not *) with --auth local",
            "--allowed-hosts '*' is refused with --auth local: it turns off the DNS-rebinding "
            "guard in front of an API that needs no credentials. Name the hosts instead"));
      out.allowed_hosts.emplace_back(item);
    }
  }
  return {};
}

// Browser sign-in: the OIDC client, the public origin and the session lifetime.
Result<void> parse_sign_in(const Config& config, ServeSettings& out) {
  const auto& client = config.setting("oidc-client-id");
  if (client.value && out.auth != "jwt")
    return fail(Error::invalid(client.origin, boost::json::value(*client.value), "--auth jwt",
                               "browser sign-in (--oidc-client-id) needs --auth jwt"));
  out.oidc_client_id = client.value;
  out.oidc_client_secret = config.value("oidc-client-secret").value_or("");
  const auto& url = config.setting("public-url");
  if (url.value) {
    std::string u = *url.value;
    while (!u.empty() && u.back() == '/') u.pop_back();
    auto scheme_end = u.find("://");
    bool ok = (u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0) &&
              u.size() > scheme_end + 3 &&
              u.find_first_of("/?#@ ", scheme_end + 3) == std::string::npos;
    if (!ok)
      return fail(Error::invalid(url.origin, boost::json::value(*url.value),
                                 "an origin: http(s)://host[:port], without a path"));
    out.public_url = u;
  }
  const auto& life = config.setting("session-lifetime");
  auto lifetime = parse_duration(life.text(), life.origin);
  if (!lifetime) return fail(lifetime.error());
  if (lifetime->count() < 1 || lifetime->count() > std::int64_t{30} * 86'400)
    return fail(
        Error::invalid(life.origin, boost::json::value(life.text()), "a duration from 1s to 30d"));
  out.session_lifetime = *lifetime;
  return {};
}

}  // namespace

Result<ServeSettings> parse_serve_settings(const Config& config, const EnvLookup& env,
                                           const std::filesystem::path& cwd) {
  ServeSettings out;
  if (auto ok = parse_listen_and_auth(config, out); !ok) return fail(ok.error());
  if (out.auth == "jwt")
    if (auto ok = parse_jwt(config, out); !ok) return fail(ok.error());
  if (auto ok = parse_store_and_egress(config, env, cwd, out); !ok) return fail(ok.error());
  if (auto ok = parse_durations(config, out); !ok) return fail(ok.error());
  if (auto ok = parse_limits(config, out); !ok) return fail(ok.error());
  if (auto ok = parse_logging(config, out); !ok) return fail(ok.error());
  if (auto ok = parse_sign_in(config, out); !ok) return fail(ok.error());
  return out;
}

}  // namespace redcell

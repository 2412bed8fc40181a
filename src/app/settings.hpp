#pragma once
// The typed, validated settings of `redcell serve` (and what `redcell doctor` checks),
// built from a Config. Each error names the flag, variable or file key the value came from.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/log.hpp"
#include "common/store_url.hpp"
#include "http/client/proxy.hpp"
#include "identity/jwt.hpp"
#include "targets/key_env_policy.hpp"

namespace redcell {

struct ServeSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  unsigned threads = 0;
  int engine_nice = 10;  // the engine's and its HTTP client's threads, below the rest
  StoreUrl store;
  std::string auth = "local";
  JwtOptions jwt;  // with auth == "jwt"; checked when the verifier is built
  std::vector<std::string> allowed_hosts;
  std::size_t body_limit = 1 << 20;
  std::size_t max_import_bytes = 100u << 20;
  std::size_t max_connections = 0;
  // /metrics on its own address instead of the API's, when set.
  std::optional<std::pair<std::string, std::uint16_t>>
      metrics_listen;  // 0: a quarter of the descriptor limit (serve.cpp)
  std::chrono::milliseconds shutdown_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  log::Level log_level = log::Level::info;
  bool access_log = true;
  std::optional<std::string> secret_key;   // the operator's key, when given
  std::filesystem::path secret_key_file;   // else the generated one
  std::string target_allow;                // EndpointPolicy spec, already checked
  std::optional<std::string> demo_target;  // local mode: the demo mock's URL (make run)
  KeyEnvPolicy target_key_env;             // which variables api_key_env may name
  // Finished executions older than this are purged with their results; 0: kept forever.
  std::chrono::seconds retention{0};
  std::chrono::seconds claim_lease{120};
  std::chrono::seconds probe_timeout{30};  // POST /targets/{id}/test, 1 to 30 s
  // Per-user quotas (docs/security.md says how to size them for a team).
  std::size_t max_running_executions = 8;
  std::int64_t max_work_items = 1'000'000;
  std::int64_t max_stored_prompts = 10'000'000;  // work-item lease of this server's claims
  // Browser sign-in (jwt): the OIDC client, the origin browsers use, how long a session lasts.
  std::optional<std::string> oidc_client_id;
  std::string oidc_client_secret;
  std::string public_url;  // empty: http:// and the address the server listens on
  std::chrono::seconds session_lifetime{8 * 3600};
  // HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment, for every outgoing request.
  http::ProxySettings proxy;
};

// "90d", "12h", "30m", "45s" (or "0"/"off": forever) as seconds.
Result<std::chrono::seconds> parse_duration(std::string_view text, std::string_view field);

std::vector<OptionSpec> serve_option_specs();

Result<ServeSettings> parse_serve_settings(const Config& config, const EnvLookup& env,
                                           const std::filesystem::path& cwd);

// "127.0.0.1:8080", "[::1]:0", "localhost:9000".
Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text,
                                                           std::string_view field);

}  // namespace redcell

// `redcell serve`: the composition root of the server. Builds every component from the
// resolved settings, wires the routes, and serves until SIGTERM/SIGINT.

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>

#include "api/routes.hpp"
#include "app/commands.hpp"
#include "app/settings.hpp"
#include "common/log.hpp"
#include "converters/converter.hpp"
#include "http/server/server.hpp"
#include "identity/identity.hpp"

namespace redcell {

int run_serve(const Config& config) {
  for (const auto& s : config.secret_values()) log::add_secret(s);
  auto settings = parse_serve_settings(config, process_env(), std::filesystem::current_path());
  if (!settings) {
    std::cerr << "redcell serve: " << settings.error().message() << "\n";
    return 2;
  }
  log::init(settings->log_level);
  log::info("starting", {{"version", REDCELL_VERSION},
                         {"auth", settings->auth},
                         {"config", boost::json::value_from(config.describe())}});

  Identity local_user{"", std::string(kLocalIssuer), std::string(kLocalSubject), "local",
                      "Local user", {"admin"}};
  LocalAuthenticator authenticator(local_user);

  http::Router router;
  http::MetricsRegistry metrics;
  api::add_health_routes(router, metrics, [] { return Result<void>{}; });
  api::add_converter_routes(router, ConverterRegistry::builtin());
  http::HttpMetrics http_metrics(metrics, router);

  http::ServerOptions options;
  options.host = settings->host;
  options.port = settings->port;
  options.threads = settings->threads;
  options.body_limit = settings->body_limit;
  options.allowed_hosts = settings->allowed_hosts;
  options.shutdown_timeout = settings->shutdown_timeout;
  options.access_log = settings->access_log;
  http::Server server(options, router, authenticator, http_metrics);
  if (auto ok = server.listen(); !ok) {
    log::error("listen_failed", {{"error", ok.error().message()}});
    log::flush();
    std::cerr << "redcell serve: " << ok.error().message() << "\n";
    return 1;
  }
  log::info("listening", {{"url", server.url()}, {"routes", router.routes().size()}});
  server.run();
  log::flush();
  return 0;
}

}  // namespace redcell

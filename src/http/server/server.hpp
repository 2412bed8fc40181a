#pragma once
// The HTTP/1.1 server: Boost.Beast on Asio with C++20 coroutines, an event loop per two cores.
// Pipeline per request: request id -> Host allow-list -> route (404/405) -> body limit (413)
// -> content type (415) and JSON parse (400) on JSON routes -> authentication (401/403)
// -> handler -> access log and metrics. Every error uses the one JSON error shape.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "http/server/metrics.hpp"
#include "http/server/router.hpp"
#include "identity/identity.hpp"

namespace redcell::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;         // 0: any free port; port() tells which
  unsigned threads = 0;              // 0: half the cores, at least one (see server.cpp)
  std::size_t body_limit = 1 << 20;  // a route may set its own (RouteOptions::body_limit)
  // Bodies above body_limit (on routes that take them) read at once, at most; more answer
  // 503 before their body is read, so large uploads cannot hold all memory.
  unsigned max_large_bodies = 2;
  std::size_t header_limit = 16 << 10;
  // Host header names accepted besides localhost, 127.0.0.1, [::1] and the listen host.
  // "*" accepts any (the default when listening on a non-loopback address).
  std::vector<std::string> allowed_hosts;
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds shutdown_timeout{30'000};
  bool access_log = true;
  // Open connections at most (0: no cap). A connection above the cap is closed at once; an
  // accept that fails for lack of descriptors is retried after a pause, never in a loop.
  std::size_t max_connections = 0;
  // Runs work that may block (authentication that reads the store) off the event loops;
  // empty: everything runs on the loop.
  std::function<void(std::function<void()>)> offload;
  // SIGINT/SIGTERM start the drain; false leaves the signals to the process (a server
  // embedded in `redcell scan`, stopped with shutdown()).
  bool handle_signals = true;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, const Authenticator& authenticator,
         HttpMetrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Result<void> listen();  // binds and listens; port() is known afterwards
  std::uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:8080"

  // Serves until SIGTERM/SIGINT or shutdown(), then drains: stops accepting, closes idle
  // connections, lets in-flight requests finish (up to shutdown_timeout), and returns.
  void run();
  void shutdown();  // thread-safe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

}  // namespace redcell::http

#pragma once
// The outgoing HTTP/1.1 client every target uses: Boost.Beast + OpenSSL on its own event
// loop threads, keep-alive connection pools per scheme/host/port, certificate and host-name
// verification against the system CA store, a total deadline per request, the target
// allow-list checked on every resolved address before connecting, and HTTP(S)_PROXY /
// NO_PROXY (proxy.hpp). Redirects are not followed: a 3xx is the target's answer. No Asio
// type appears here, so targets compile without the heavy headers.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "http/client/proxy.hpp"
#include "net/endpoint_policy.hpp"

namespace redcell::http {

struct ClientRequest {
  std::string method = "POST";
  std::string url;  // absolute http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{60'000};  // connect + send + receive
  // Kept-alive connections are reused only by requests of the same pool (targets use one
  // per target of one user), so no answer can ever reach another user's request.
  std::string connection_pool;
};

struct ClientResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<std::string_view> header(std::string_view name) const;  // case-insensitive
};

struct ClientOptions {
  unsigned threads = 2;
  int nice = 0;  // nice steps its threads run below the creating thread's (0: the same)
  std::size_t max_idle_per_host = 1024;
  // A kept-alive connection idle longer than this is closed instead of reused (servers
  // drop idle connections after a few seconds to minutes; a stale one costs a retry).
  std::chrono::milliseconds max_idle{30'000};
  std::size_t max_response_bytes = 64 << 20;
  EndpointPolicy policy = EndpointPolicy::allow_all_but_metadata();
  std::string ca_file;  // extra CA bundle (tests); the system store is always used
  ProxySettings proxy;  // none unless set (serve reads the environment)
};

struct ClientStats {
  std::uint64_t requests = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_reused = 0;
  std::uint64_t connections_proxied = 0;  // of those opened, through a proxy
  std::uint64_t connections_stale = 0;    // idle ones found closed by their server, dropped
};

// A header whose name is not an RFC 9110 token, or whose value holds CR, LF, NUL or another
// control, is refused (`invalid_argument`) before anything is sent.
// Failures come back as errors: `forbidden` when the allow-list refuses every address,
// `unavailable` for connect/reset/TLS/protocol failures, `too_many_requests` never (that is
// a status). The message says what happened and to which host.
using ClientCallback = std::function<void(Result<ClientResponse>)>;

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options);
  ~HttpClient();  // stops the loops; callbacks of unfinished requests are not called
  // The same, earlier: after it no callback or `after` function runs. The owner calls it
  // before destroying what those callbacks reference (serve: before the runner).
  void stop();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Thread-safe; `done` runs on a client thread and must not block.
  void send(ClientRequest request, ClientCallback done);
  // Runs `fn` on a client thread after `delay` (retry back-off without blocking).
  void after(std::chrono::milliseconds delay, std::function<void()> fn);
  ClientStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace redcell::http

#include "http/client/client.hpp"

#include <sys/socket.h>

// g++ 12 reports a false -Wmismatched-new-delete on the coroutine frames of perform() (the
// frame's own operator new/delete pair is used; GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <cerrno>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/thread_name.hpp"
#include "common/thread_priority.hpp"
#include "http/wire.hpp"

namespace redcell::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        }))
      return std::string_view(v);
  return std::nullopt;
}

namespace {

struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  // Through an HTTP proxy that forwards: requests name "http://address:port" before the
  // path, with the proxy's credentials.
  std::string forward_prefix;
  std::string proxy_authorization;
  std::chrono::steady_clock::time_point idle_since{};
  beast::tcp_stream& tcp() { return tls ? tls->next_layer() : *plain; }
};

// "1.2.3.4:443" or "[::1]:443".
std::string authority_of(const tcp::endpoint& ep) {
  auto a = ep.address().to_string();
  if (ep.address().is_v6()) a = "[" + a + "]";
  return a + ":" + std::to_string(ep.port());
}

struct Target {
  bool https = false;
  std::string host;  // without brackets
  std::string port;
  std::string target;  // path + query
  std::string host_header;
  std::string key() const { return (https ? "https://" : "http://") + host + ":" + port; }
};

Result<Target> parse_target(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->encoded_host().empty())
    return fail(Error::invalid("/url", boost::json::value(url), "an absolute http(s) URL"));
  Target t;
  t.https = u->scheme() == "https";
  t.host = std::string(u->encoded_host());
  if (t.host.size() > 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  t.port = u->has_port() ? std::string(u->port()) : (t.https ? "443" : "80");
  t.target = std::string(u->encoded_path());
  if (t.target.empty()) t.target = "/";
  if (u->has_query()) t.target += "?" + std::string(u->encoded_query());
  t.host_header = std::string(u->encoded_host_and_port());
  return t;
}

Error unavailable(const Target& t, const std::string& what) {
  return Error(ErrorCode::unavailable, what + " (" + t.key() + ")");
}

std::string describe(const boost::system::error_code& ec,
                     std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) {
  // A deadline that passed shows as a cancelled operation on some paths (TLS streams).
  if (ec == beast::error::timeout || (deadline && std::chrono::steady_clock::now() >= *deadline))
    return "timed out";
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe)
    return "connection reset by the server";
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof)
    return "connection closed by the server before a response";
  if (ec == asio::error::connection_refused) return "connection refused";
  return ec.message();
}

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
  ClientOptions options;
  // The context is destroyed by stop(), with every request and timer still pending in it,
  // while what their callbacks hold (a server's pending reply) is still alive.
  std::optional<asio::io_context> context{std::in_place};
  asio::io_context& ioc = *context;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::atomic<bool> stopped{false};
  ssl::context tls{ssl::context::tls_client};
  std::vector<std::thread> threads;
  std::mutex mu;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  std::atomic<std::uint64_t> requests{0}, opened{0}, reused{0}, proxied{0}, stale{0};

  explicit Impl(ClientOptions o) : options(std::move(o)) {
    tls.set_default_verify_paths();
    if (!options.ca_file.empty()) tls.load_verify_file(options.ca_file);
    tls.set_verify_mode(ssl::verify_peer);
  }

  // The most recently used idle connection of the pool, skipping (and closing) those idle
  // longer than max_idle.
  std::unique_ptr<Connection> take_idle(const std::string& key) {
    std::lock_guard lk(mu);
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    const auto oldest = std::chrono::steady_clock::now() - options.max_idle;
    auto& pool = it->second;
    // Connections are given back in time order: the stale ones are at the front.
    auto fresh = std::find_if(pool.begin(), pool.end(),
                              [&](const auto& c) { return c->idle_since >= oldest; });
    pool.erase(pool.begin(), fresh);
    if (pool.empty()) {
      idle.erase(it);
      return nullptr;
    }
    auto c = std::move(pool.back());
    pool.pop_back();
    return c;
  }

  // An idle connection the server has closed (its FIN is waiting) or that holds bytes
  // nobody asked for is not reused: a peek tells without blocking.
  static bool still_open(Connection& c) {
    char byte;
    const auto n = ::recv(c.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  std::unique_ptr<Connection> take_live_idle(const std::string& key) {
    for (;;) {
      auto c = take_idle(key);
      if (!c || still_open(*c)) return c;
      stale++;
    }
  }

  void give_back(const std::string& key, std::unique_ptr<Connection> c) {
    c->tcp().expires_never();
    c->idle_since = std::chrono::steady_clock::now();
    std::lock_guard lk(mu);
    auto& v = idle[key];
    if (v.size() < options.max_idle_per_host) v.push_back(std::move(c));
  }

  awaitable<Result<std::unique_ptr<Connection>>> connect(
      const Target& t, std::chrono::steady_clock::time_point deadline) {
    auto ex = co_await asio::this_coro::executor;
    tcp::resolver resolver(ex);
    auto [rec, results] = co_await resolver.async_resolve(t.host, t.port, tuple_awaitable);
    if (rec) co_return fail(unavailable(t, "cannot resolve " + t.host + ": " + rec.message()));
    // The allow-list is checked on every resolved address, so a name cannot smuggle a
    // refused address past the check made when the target was saved.
    std::vector<tcp::endpoint> allowed;
    std::optional<Error> refused;
    for (const auto& r : results) {
      auto ok = options.policy.check_address(r.endpoint().address().to_string());
      if (ok)
        allowed.push_back(r.endpoint());
      else if (!refused)
        refused = ok.error();
    }
    if (allowed.empty())
      co_return fail(refused ? *refused : unavailable(t, "no address for " + t.host));
    auto c = std::make_unique<Connection>();
    c->plain = std::make_unique<beast::tcp_stream>(ex);
    c->plain->expires_at(deadline);
    if (const Proxy* proxy = options.proxy.for_target(t.https, t.host, t.port)) {
      auto ok = co_await through_proxy(*c, *proxy, t, allowed.front());
      if (!ok) co_return fail(ok.error());
    } else {
      auto [cec, ep] = co_await c->plain->async_connect(allowed, tuple_awaitable);
      (void)ep;
      if (cec) co_return fail(unavailable(t, "connect: " + describe(cec)));
    }
    c->plain->socket().set_option(tcp::no_delay(true));
    opened++;
    if (!t.https) co_return c;
    c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*c->plain), tls);
    c->plain.reset();
    if (!SSL_set_tlsext_host_name(c->tls->native_handle(), t.host.c_str()))
      co_return fail(unavailable(t, "TLS: cannot set the server name"));
    c->tls->set_verify_callback(ssl::host_name_verification(t.host));
    auto [hec] = co_await c->tls->async_handshake(ssl::stream_base::client, tuple_awaitable);
    if (hec) co_return fail(unavailable(t, "TLS handshake: " + hec.message()));
    co_return c;
  }

  // Connects c->plain to the proxy; for an https target opens a CONNECT tunnel to the
  // address the allow-list accepted (the proxy does not resolve the name again), for an
  // http target sets up forwarding to that address. The deadline already set on c->plain
  // bounds all of it.
  awaitable<Result<void>> through_proxy(Connection& c, const Proxy& proxy, const Target& t,
                                        const tcp::endpoint& address) {
    auto ex = co_await asio::this_coro::executor;
    tcp::resolver resolver(ex);
    auto [rec, results] = co_await resolver.async_resolve(proxy.host, proxy.port, tuple_awaitable);
    if (rec)
      co_return fail(
          unavailable(t, "cannot resolve the proxy " + proxy.url + ": " + rec.message()));
    auto [cec, ep] = co_await c.plain->async_connect(results, tuple_awaitable);
    (void)ep;
    if (cec)
      co_return fail(unavailable(t, "connect to the proxy " + proxy.url + ": " + describe(cec)));
    proxied++;
    const std::string authority = authority_of(address);
    if (!t.https) {
      c.forward_prefix = "http://" + authority;
      c.proxy_authorization = proxy.authorization;
      co_return Result<void>{};
    }
    bhttp::request<bhttp::empty_body> connect{bhttp::verb::connect, authority, 11};
    connect.set(bhttp::field::host, authority);
    connect.set(bhttp::field::user_agent, "redcell/" REDCELL_VERSION);
    if (!proxy.authorization.empty())
      connect.set(bhttp::field::proxy_authorization, proxy.authorization);
    auto [wec, wn] = co_await bhttp::async_write(*c.plain, connect, tuple_awaitable);
    (void)wn;
    if (wec)
      co_return fail(
          unavailable(t, "sending CONNECT to the proxy " + proxy.url + ": " + describe(wec)));
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.skip(true);  // a CONNECT answer has no body: the tunnel follows the header
    auto [pec, pn] = co_await bhttp::async_read_header(*c.plain, c.buffer, parser, tuple_awaitable);
    (void)pn;
    if (pec)
      co_return fail(unavailable(
          t, "reading the proxy's CONNECT answer from " + proxy.url + ": " + describe(pec)));
    const auto status = parser.get().result_int();
    if (status / 100 != 2)
      co_return fail(unavailable(t, "the proxy " + proxy.url + " refused CONNECT " + authority +
                                        ": " + std::to_string(status) + " " +
                                        std::string(parser.get().reason())));
    if (c.buffer.size() != 0)
      co_return fail(
          unavailable(t, "the proxy " + proxy.url + " sent bytes after its CONNECT answer"));
    co_return Result<void>{};
  }

  awaitable<Result<ClientResponse>> perform(ClientRequest req) {
    requests++;
    auto target = parse_target(req.url);
    if (!target) co_return fail(target.error());
    const auto deadline = std::chrono::steady_clock::now() + req.timeout;
    if (req.method.empty() || !std::all_of(req.method.begin(), req.method.end(),
                                           [](char c) { return c >= 'A' && c <= 'Z'; }))
      co_return fail(Error::invalid("/method", boost::json::value(req.method),
                                    "an HTTP method such as GET or POST"));
    // The request is written as one buffer (http/wire.hpp): head, then body. Only the
    // request line (a forward proxy takes the absolute URL) and Proxy-Authorization depend
    // on the connection, so the rest of the head is formatted once.
    for (const auto& [k, v] : req.headers)
      if (!wire::is_token(k) || !wire::is_field_value(v))
        co_return fail(Error::invalid("/headers/" + k, boost::json::value(k),
                                      "a header name that is an RFC 9110 token and a value "
                                      "without CR, LF, NUL or other controls"));
    const std::string pool = req.connection_pool + "|" + target->key();
    std::string fields;
    wire::append_field(fields, "Host", target->host_header);
    wire::append_field(fields, "User-Agent", "redcell/" REDCELL_VERSION);
    for (const auto& [k, v] : req.headers)
      if (!wire::is_framing_field(k)) wire::append_field(fields, k, v);
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT")
      wire::append_field(fields, "Content-Length", std::to_string(req.body.size()));
    std::string wire_message;

    // A pooled connection the server closed meanwhile fails on first use: try once more on
    // a fresh one (never another pooled one: the server may have closed them all). A fresh
    // connection's failure is final.
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto conn = attempt == 0 ? take_live_idle(pool) : nullptr;
      const bool was_idle = conn != nullptr;
      if (was_idle) {
        reused++;
      } else {
        auto fresh = co_await connect(*target, deadline);
        if (!fresh) co_return fail(fresh.error());
        conn = std::move(*fresh);
      }
      conn->tcp().expires_at(deadline);
      wire_message.clear();
      wire_message.reserve(64 + target->target.size() + fields.size() + req.body.size());
      wire_message += req.method;
      wire_message.push_back(' ');
      wire_message += conn->forward_prefix;  // empty unless through a forward proxy
      wire_message += target->target;
      wire_message += " HTTP/1.1\r\n";
      wire_message += fields;
      if (!conn->forward_prefix.empty() && !conn->proxy_authorization.empty())
        wire::append_field(wire_message, "Proxy-Authorization", conn->proxy_authorization);
      wire_message += "\r\n";
      wire_message += req.body;
      boost::system::error_code wec;
      if (conn->tls) {
        auto [ec, n] =
            co_await asio::async_write(*conn->tls, asio::buffer(wire_message), tuple_awaitable);
        wec = ec;
      } else {
        auto [ec, n] =
            co_await asio::async_write(*conn->plain, asio::buffer(wire_message), tuple_awaitable);
        wec = ec;
      }
      if (wec) {
        if (was_idle && wec != beast::error::timeout) continue;
        co_return fail(unavailable(*target, "sending: " + describe(wec, deadline)));
      }
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(options.max_response_bytes);
      boost::system::error_code rec;
      if (conn->tls) {
        auto [ec, n] =
            co_await bhttp::async_read(*conn->tls, conn->buffer, parser, tuple_awaitable);
        rec = ec;
      } else {
        auto [ec, n] =
            co_await bhttp::async_read(*conn->plain, conn->buffer, parser, tuple_awaitable);
        rec = ec;
      }
      if (rec) {
        // Only a clean close before any byte is the server dropping an idle connection; a
        // reset may come after the server acted on the request, so it is never re-sent here.
        if (was_idle && !parser.got_some() &&
            (rec == bhttp::error::end_of_stream || rec == asio::error::eof))
          continue;
        co_return fail(unavailable(*target, "receiving: " + describe(rec, deadline)));
      }
      auto res = parser.release();
      ClientResponse out;
      out.status = res.result_int();
      for (const auto& f : res)
        out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      out.body = std::move(res.body());
      // Reused only when the framing leaves no doubt: a length or chunked body read to its
      // end, and not one byte more (bytes after the answer mean the two sides disagree on
      // where a message ends, and the next user of the connection would read them).
      if (res.keep_alive() && conn->buffer.size() == 0 &&
          (res.has_content_length() || res.chunked()))
        give_back(pool, std::move(conn));
      co_return out;
    }
    co_return fail(unavailable(*target, "the connection failed twice"));
  }
};

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {
  const unsigned n = std::max(1u, impl_->options.threads);
  for (unsigned i = 0; i < n; ++i)
    impl_->threads.emplace_back([im = impl_.get(), n = impl_->threads.size()] {
      const std::string name = "http-client-" + std::to_string(n);
      name_this_thread(name);
      lower_this_thread_priority(im->options.nice, name);
      im->ioc.run();
    });
}

HttpClient::~HttpClient() {
  stop();
}

void HttpClient::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  {
    std::lock_guard lk(impl_->mu);
    impl_->idle.clear();  // their sockets belong to the context
  }
  impl_->context.reset();
}

void HttpClient::send(ClientRequest request, ClientCallback done) {
  auto im = impl_;
  if (im->stopped) return;  // stopped: `done` is dropped unanswered
  asio::co_spawn(im->ioc, im->perform(std::move(request)),
                 [done = std::move(done)](std::exception_ptr e, Result<ClientResponse> r) {
                   if (e) {
                     done(fail(ErrorCode::internal, "the HTTP client failed unexpectedly"));
                     return;
                   }
                   done(std::move(r));
                 });
}

void HttpClient::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  if (impl_->stopped) return;
  auto timer = std::make_shared<asio::steady_timer>(impl_->ioc, delay);
  timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (!ec) fn();
  });
}

ClientStats HttpClient::stats() const {
  return {impl_->requests.load(), impl_->opened.load(), impl_->reused.load(), impl_->proxied.load(),
          impl_->stale.load()};
}

}  // namespace redcell::http

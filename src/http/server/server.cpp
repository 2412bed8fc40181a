#include "http/server/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "common/encoding.hpp"
#include "common/id.hpp"
#include "common/json_input.hpp"
#include "common/log.hpp"
#include "common/thread_name.hpp"
#include "http/wire.hpp"
#include "identity/session.hpp"

namespace redcell::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(use_awaitable);

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  std::string h(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(h, ec);
  return !ec && addr.is_loopback();
}

namespace {

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == ':';
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The host name of a Host header value: "example.com:80" -> "example.com", "[::1]:8" -> "[::1]".
std::string host_name(std::string_view value) {
  if (!value.empty() && value.front() == '[') {
    auto end = value.find(']');
    return lower(value.substr(0, end == std::string_view::npos ? value.size() : end + 1));
  }
  return lower(value.substr(0, value.find(':')));
}

bool is_json_content_type(std::string_view ct) {
  auto semi = ct.find(';');
  auto base = lower(ct.substr(0, semi));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  if (base != "application/json") return false;
  if (semi == std::string_view::npos) return true;
  auto rest = lower(ct.substr(semi + 1));
  rest.erase(std::remove(rest.begin(), rest.end(), ' '), rest.end());
  return rest.empty() || rest == "charset=utf-8";
}

bool quiet_close(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::eof ||
         ec == asio::error::bad_descriptor || ec == beast::error::timeout ||
         ec == asio::error::broken_pipe || ec == asio::error::not_connected;
}

// Reply answers once; a Reply dropped without an answer becomes a 500, so a handler bug
// can never leave a connection hanging.
struct PendingReply {
  asio::steady_timer wake;
  std::optional<Response> response;
  explicit PendingReply(asio::any_io_executor ex) : wake(ex) {
    wake.expires_at(asio::steady_timer::time_point::max());
  }
};

struct ReplyGuard {
  std::shared_ptr<PendingReply> pending;
  asio::any_io_executor ex;
  std::atomic<bool> answered{false};
  // While the handler is being started on the connection's loop thread, an answer given on
  // that thread is stored at once (no post, no timer wake).
  std::thread::id loop_thread;
  std::atomic<bool> starting{false};
  void answer(Response r) {
    if (answered.exchange(true)) return;
    if (std::this_thread::get_id() == loop_thread && starting.load()) {
      pending->response = std::move(r);
      return;
    }
    asio::post(ex, [p = pending, r = std::move(r)]() mutable {
      p->response = std::move(r);
      p->wake.cancel();
    });
  }
  // A destructor must not throw: when even the fallback answer cannot be made (out of
  // memory), the session's own deadline ends the request.
  ~ReplyGuard() {
    if (answered) return;
    try {
      answer(Response::error(Error(ErrorCode::internal, "the handler did not answer")));
    } catch (...) {
      std::fputs("redcell: could not answer a request whose handler did not\n", stderr);
    }
  }
};

// The piece of a streamed body being awaited; `done` once delivered (or given up).
struct PendingPiece {
  asio::steady_timer wake;
  bool done = false;
  // Set under `mu` when the server stops waiting (drain): a late delivery then never posts
  // to a loop that may be gone.
  std::mutex mu;
  bool abandoned = false;
  std::optional<std::string> piece;
  explicit PendingPiece(asio::any_io_executor ex) : wake(ex) {
    wake.expires_at(asio::steady_timer::time_point::max());
  }
};

// Holds the piece only weakly: the session owns it (and its timer, bound to the loop), so
// a delivery that outlives the session or the server touches neither.
struct PieceGuard {
  std::weak_ptr<PendingPiece> pending;
  asio::any_io_executor ex;
  std::atomic<bool> delivered{false};
  void deliver(std::optional<std::string> piece) {
    if (delivered.exchange(true)) return;
    auto p = pending.lock();
    if (!p) return;
    std::lock_guard lk(p->mu);
    if (p->abandoned) return;
    asio::post(ex, [weak = pending, piece = std::move(piece)]() mutable {
      auto q = weak.lock();
      if (!q || q->done) return;
      q->done = true;
      q->piece = std::move(piece);
      q->wake.cancel();
    });
  }
  ~PieceGuard() {
    if (delivered) return;
    try {
      deliver(std::nullopt);
    } catch (...) {
      std::fputs("redcell: could not end a streamed body (the read times out instead)\n", stderr);
    }
  }
};

}  // namespace

struct Server::Impl {
  // Timeouts are enforced by a once-a-second sweep per worker over each session's
  // deadline, not by a timer armed per read (which costs a timer-queue operation under
  // the scheduler's lock on every request).
  struct Session {
    beast::tcp_stream* stream = nullptr;
    bool busy = false;
    std::shared_ptr<PendingReply> waiting;  // a handler's answer being awaited
    std::shared_ptr<PendingPiece> piece;    // a streamed body's next piece being awaited
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  };
  struct Worker {
    asio::io_context ioc{1};
    std::unordered_set<Session*> sessions;
    std::optional<asio::steady_timer> drain_deadline;
    std::optional<asio::steady_timer> sweeper;
    // Keeps a worker's loop alive while it has no connection; released by the drain.
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> idle_guard;
    std::thread thread;
  };

  ServerOptions opts;
  const Router& router;
  const Authenticator& auth;
  HttpMetrics& metrics;
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::signal_set> signals;
  std::atomic<bool> draining{false};
  std::uint16_t bound_port = 0;
  std::unordered_set<std::string> allowed_hosts;
  bool any_host = false;
  std::size_t next_worker = 0;
  std::atomic<std::size_t> open_connections{0};
  std::size_t largest_body_limit = 0;  // over the server's and every route's
  std::atomic<unsigned> large_bodies{0};

  // A slot for reading a body above the server's limit, released with the request.
  struct LargeBody {
    Impl* im = nullptr;
    LargeBody() = default;
    LargeBody(const LargeBody&) = delete;
    LargeBody& operator=(const LargeBody&) = delete;
    ~LargeBody() {
      if (im) im->large_bodies--;
    }
    bool acquire(Impl& i) {
      if (++i.large_bodies > i.opts.max_large_bodies) {
        i.large_bodies--;
        return false;
      }
      im = &i;
      return true;
    }
  };

  // After the head: the body limit of the route it names, or an answer that needs no body
  // (413 from Content-Length, 503 when too many large bodies are being read).
  std::optional<Error> limit_body(bhttp::request_parser<bhttp::string_body>& parser,
                                  LargeBody& slot, std::size_t& limit, bool& spool) {
    limit = opts.body_limit;
    spool = false;
    if (largest_body_limit == opts.body_limit) return std::nullopt;
    const auto& head = parser.get();
    const auto length = parser.content_length();
    const bool chunked = parser.chunked();
    auto target = std::string_view(head.target());
    auto m = router.match(head.method_string(), target.substr(0, target.find('?')));
    spool = m.route && m.route->options.spool_body;
    if ((chunked || (length && *length > opts.body_limit)) && m.route &&
        m.route->options.body_limit)
      limit = m.route->options.body_limit;
    if (length && *length > limit)
      return Error(ErrorCode::payload_too_large,
                   "the body exceeds the limit of " + std::to_string(limit) + " bytes");
    parser.body_limit(limit);
    if (limit > opts.body_limit && (chunked || (length && *length > opts.body_limit)) &&
        !slot.acquire(*this))
      return Error(ErrorCode::unavailable,
                   "the server is reading as many large uploads as it takes at once (" +
                       std::to_string(opts.max_large_bodies) + "): try again shortly");
    return std::nullopt;
  }
  log::Throttle accept_failures, refused_at_cap;

  Impl(ServerOptions o, const Router& r, const Authenticator& a, HttpMetrics& m)
      : opts(std::move(o)), router(r), auth(a), metrics(m) {
    // Half the cores by default: the loops only parse, route and write; the store's writer
    // and readers, the blocking pool and the engine's HTTP client run on threads of their
    // own. On 2 cores, two loops beside a load generator made every thread wait for a core:
    // wrk -t2 -c64 measured p99 7.8 ms with two loops and 1.9-3.3 ms with one, at the same
    // or higher requests/s.
    unsigned n =
        opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency() / 2);
    for (unsigned i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>());
    for (const auto& h : opts.allowed_hosts) {
      if (h == "*") any_host = true;
      allowed_hosts.insert(lower(h));
    }
    for (const char* h : {"localhost", "127.0.0.1", "[::1]"}) allowed_hosts.insert(h);
    std::string listen = lower(opts.host);
    if (listen.find(':') != std::string::npos && listen.front() != '[') listen = "[" + listen + "]";
    allowed_hosts.insert(listen);
    if (!is_loopback_host(opts.host) && opts.allowed_hosts.empty()) any_host = true;
    largest_body_limit = opts.body_limit;
    for (const auto& route : router.routes())
      largest_body_limit = std::max(largest_body_limit, route.options.body_limit);
  }

  // --- the request pipeline ----------------------------------------------------------

  struct Prepared {
    std::optional<Response> response;  // answered without a handler, or by a sync handler
    const Route* route = nullptr;
    std::shared_ptr<Request> request;
    std::optional<Credentials> deferred_auth;  // authenticate (and handle) on the offload
  };

  // Authentication, role check and the handler, for a request whose authentication may
  // block: runs on the offload executor and answers through `reply`.
  void authenticate_and_handle(const Route& route, std::shared_ptr<Request> req, Credentials creds,
                               Reply reply) {
    auto identity = auth.authenticate(creds);
    if (!identity) return reply(Response::error(identity.error()));
    if (!route.options.role.empty() && !identity->has_role(route.options.role))
      return reply(Response::error(
          Error(ErrorCode::forbidden, "this route needs the role \"" + route.options.role + "\"")));
    req->identity = std::move(*identity);
    if (auto bad = parse_json_body(route, *req)) return reply(Response::error(*bad));
    if (route.handler) return reply(guarded_call(route, *req));
    route.async_handler(req, std::move(reply));
  }

  Response guarded_call(const Route& route, Request& req) {
    try {
      return route.handler(req);
    } catch (const std::exception& e) {
      log::error("handler_exception",
                 {{"request_id", req.request_id}, {"route", route.pattern}, {"what", e.what()}});
    }
    return Response::error(Error(
        ErrorCode::internal, "internal error; the server log has request id " + req.request_id));
  }

  Prepared prepare(bhttp::request<bhttp::string_body>& msg) {
    Prepared p;
    auto req = std::make_shared<Request>();
    p.request = req;
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    auto q = req->target.find('?');
    req->path = req->target.substr(0, q);
    if (q != std::string::npos) req->query = req->target.substr(q + 1);
    req->headers.reserve(16);
    for (const auto& f : msg) req->headers.emplace_back(f.name_string(), f.value());
    auto incoming_id = req->header("X-Request-Id");
    req->request_id = incoming_id && valid_request_id(*incoming_id) ? std::string(*incoming_id)
                                                                    : new_thread_local_id();

    auto answer = [&](Error e) {
      p.response = Response::error(e);
      return p;
    };

    // RFC 9112 3.2: a request with more than one Host field is answered 400.
    const auto hosts = std::count_if(msg.begin(), msg.end(),
                                     [](const auto& f) { return f.name() == bhttp::field::host; });
    if (hosts > 1)
      return answer(Error::invalid("/headers/host", std::nullopt, "exactly one Host header",
                                   "the request has " + std::to_string(hosts) + " Host headers"));
    if (!any_host) {
      auto host = req->header("Host");
      if (!host || host->empty())
        return answer(Error::invalid("/headers/host", std::nullopt, "a Host header",
                                     "the request has no Host header"));
      if (!allowed_hosts.contains(host_name(*host)))
        return answer(Error(ErrorCode::misdirected,
                            "this server does not answer for the host \"" + std::string(*host) +
                                "\"; add it with --allowed-hosts",
                            ErrorDetails{"/headers/host", boost::json::value(std::string(*host)),
                                         "a host name in the server's allow-list"}));
    }

    if (req->path.empty() || req->path.front() != '/')
      return answer(Error::invalid("/path", boost::json::value(req->target), "an origin-form path",
                                   "the request target must be a path starting with '/'"));

    auto m = router.match(req->method, req->path);
    if (m.bad_path)
      return answer(Error::invalid("/path", boost::json::value(req->path),
                                   "a path with valid percent-escapes",
                                   "the path has a malformed percent-escape"));
    if (!m.route) {
      if (!m.allowed_methods.empty()) {
        std::string allow;
        for (const auto& a : m.allowed_methods) allow += (allow.empty() ? "" : ", ") + a;
        auto r = Response::error(
            Error(ErrorCode::method_not_allowed,
                  req->method + " is not allowed on " + req->path + "; allowed: " + allow));
        r.headers.emplace_back("Allow", allow);
        p.response = std::move(r);
        return p;
      }
      return answer(Error(ErrorCode::not_found, "no route for " + req->method + " " + req->path));
    }
    if (auto bad = check_query(req->query)) return answer(std::move(*bad));
    const Route& route = *m.route;
    p.route = &route;
    req->route = route.pattern;
    req->params = std::move(m.params);
    req->body = std::move(msg.body());

    if (route.options.authenticated) {
      Credentials creds;
      if (auto a = req->header("Authorization")) creds.authorization = std::string(*a);
      if (auto k = req->header("X-API-Key")) creds.api_key = std::string(*k);
      if (auto cookie = req->header("Cookie")) creds.session = session_from_cookie_header(*cookie);
      if (auto t = req->header("X-CSRF-Token")) creds.csrf_token = std::string(*t);
      creds.unsafe_method =
          req->method != "GET" && req->method != "HEAD" && req->method != "OPTIONS";
      if (opts.offload && auth.may_block(creds)) {
        p.deferred_auth = std::move(creds);
        return p;
      }
      auto identity = auth.authenticate(creds);
      if (!identity) return answer(identity.error());
      if (!route.options.role.empty() && !identity->has_role(route.options.role))
        return answer(Error(ErrorCode::forbidden,
                            "this route needs the role \"" + route.options.role + "\""));
      req->identity = std::move(*identity);
    }
    // The body is looked at only once the caller is known.
    if (auto bad = parse_json_body(route, *req)) return answer(std::move(*bad));

    if (route.handler) p.response = guarded_call(route, *req);
    return p;
  }

  // A JSON route's body: Content-Type (415), then the parse (400; at most 64 deep; UTF-8,
  // which Boost.JSON validates; numbers must be finite: 1e400 would be written back as
  // the non-JSON Infinity).
  static std::optional<Error> parse_json_body(const Route& route, Request& req) {
    if (!route.options.json_body) return std::nullopt;
    auto ct = req.header("Content-Type");
    if (!ct || !is_json_content_type(*ct))
      return Error(
          ErrorCode::unsupported_media_type,
          "this route takes a JSON body: send Content-Type: application/json",
          ErrorDetails{"/headers/content-type",
                       ct ? boost::json::value(std::string(*ct)) : boost::json::value(nullptr),
                       "application/json"});
    boost::json::parse_options po;
    po.max_depth = 64;
    boost::system::error_code ec;
    boost::json::parser parser({}, po);
    auto consumed = parser.write(req.body, ec);
    if (ec)
      return Error(
          ErrorCode::bad_request,
          "the body is not valid JSON: " + ec.message() + " (at byte " + std::to_string(consumed) +
              ")",
          ErrorDetails{"", std::nullopt, "a JSON document in UTF-8, nested at most 64 deep"});
    req.json = parser.release();
    if (auto where = first_non_finite(req.json, ""))
      return Error::invalid(*where, std::nullopt, "a finite number",
                            *where + ": the number is too large to represent");
    return std::nullopt;
  }

  // The JSON Pointer of the first number that parsed as infinite, if any.
  static std::optional<std::string> first_non_finite(const boost::json::value& v,
                                                     const std::string& at) {
    if (v.is_double() && !std::isfinite(v.get_double())) return at.empty() ? "/" : at;
    if (v.is_array()) {
      const auto& a = v.get_array();
      for (std::size_t i = 0; i < a.size(); ++i)
        if (auto w = first_non_finite(a[i], at + "/" + std::to_string(i))) return w;
    } else if (v.is_object()) {
      for (const auto& kv : v.get_object())
        if (auto w = first_non_finite(kv.value(), at + "/" + json_pointer_token(kv.key())))
          return w;
    }
    return std::nullopt;
  }

  // A query string must decode (percent-escapes, UTF-8) and name each parameter once.
  static std::optional<Error> check_query(std::string_view query) {
    if (query.empty()) return std::nullopt;
    auto parsed = boost::urls::parse_query(query);
    auto bad = [&](std::string why) {
      return Error::invalid("/query", std::nullopt,
                            "a query string of name=value pairs with valid percent-escapes in "
                            "UTF-8, each name once",
                            "the query string is malformed: " + why);
    };
    if (!parsed) return bad("a malformed percent-escape");
    std::vector<std::string> seen;
    for (auto param : boost::urls::params_view(*parsed)) {
      if (!is_valid_utf8(param.key) || !is_valid_utf8(param.value))
        return bad("a parameter that is not UTF-8");
      if (std::find(seen.begin(), seen.end(), param.key) != seen.end())
        return bad("the parameter \"" + param.key + "\" is given twice");
      seen.push_back(param.key);
    }
    return std::nullopt;
  }

  // Starts an answer with a Reply and waits for it on this connection's loop; `start` may
  // hand the Reply to any thread. A Reply dropped unanswered becomes a 500.
  awaitable<Response> await_reply(std::function<void(Reply)> start, const Request& req,
                                  const Route& route, Session& state) {
    auto ex = co_await asio::this_coro::executor;
    auto pending = std::make_shared<PendingReply>(ex);
    state.waiting = pending;
    {
      auto guard = std::make_shared<ReplyGuard>();
      guard->pending = pending;
      guard->ex = ex;
      guard->loop_thread = std::this_thread::get_id();
      guard->starting = true;
      Reply reply = [guard](Response r) { guard->answer(std::move(r)); };
      try {
        start(std::move(reply));
      } catch (const std::exception& e) {
        log::error("handler_exception",
                   {{"request_id", req.request_id}, {"route", route.pattern}, {"what", e.what()}});
      }
      guard->starting = false;
    }
    if (!pending->response) {
      auto [ec] = co_await pending->wake.async_wait(tuple_awaitable);
      (void)ec;
    }
    state.waiting.reset();
    co_return std::move(*pending->response);
  }

  // --- connections -------------------------------------------------------------------

  // The head is formatted straight into `head` (reused by the connection) and written with
  // the body as two plain buffers (http/wire.hpp says why). Callgrind counted 38,100
  // instructions per /healthz request through Beast's serializer, 24,200 with Beast's head
  // copied out once, and 18,400 like this (a bare Beast hello-world: 26,500).
  awaitable<void> write_response(beast::tcp_stream& stream, Response& r, unsigned version,
                                 bool keep_alive, const std::string& request_id, std::string& head,
                                 boost::system::error_code& ec) {
    head.clear();
    head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head += std::to_string(r.status);
    head.push_back(' ');
    head += bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
    head += "\r\n";
    wire::append_field(head, "Content-Type", r.content_type);
    if (!request_id.empty()) wire::append_field(head, "X-Request-Id", request_id);
    // The server owns the framing and the Content-Type (Response::content_type); a
    // handler's Cache-Control replaces no-store.
    std::string_view cache_control = "no-store";
    for (const auto& [k, v] : r.headers) {
      if (beast::iequals(k, "Cache-Control"))
        cache_control = v;
      else if (!wire::is_framing_field(k) && !beast::iequals(k, "Content-Type"))
        wire::append_field(head, k, v);
    }
    wire::append_field(head, "Cache-Control", cache_control);
    wire::append_field(head, "Content-Length", std::to_string(r.body.size()));
    if (version == 10 && keep_alive) wire::append_field(head, "Connection", "keep-alive");
    if (version != 10 && !keep_alive) wire::append_field(head, "Connection", "close");
    head += "\r\n";
    std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(r.body)};
    auto [wec, n] = co_await asio::async_write(stream, out, tuple_awaitable);
    (void)n;
    ec = wec;
  }

  // Writes the head, then each piece of r.stream as a chunk, until the stream ends, a write
  // fails (the client left) or the server drains; then the last chunk.
  awaitable<void> write_stream(beast::tcp_stream& stream, Response& r, unsigned version,
                               const std::string& request_id, Session& state,
                               boost::system::error_code& ec) {
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::content_type, r.content_type);
    if (!request_id.empty()) res.set("X-Request-Id", request_id);
    res.set(bhttp::field::cache_control, "no-store");
    for (auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(false);
    res.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> head{res};
    auto [hec, hn] = co_await bhttp::async_write_header(stream, head, tuple_awaitable);
    (void)hn;
    ec = hec;
    auto body = r.stream;
    while (!ec && !draining) {
      auto ex = co_await asio::this_coro::executor;
      auto pending = std::make_shared<PendingPiece>(ex);
      state.piece = pending;
      state.deadline = std::chrono::steady_clock::time_point::max();
      {
        auto guard = std::make_shared<PieceGuard>();
        guard->pending = pending;
        guard->ex = ex;
        BodyStream::Deliver deliver = [guard](std::optional<std::string> piece) {
          guard->deliver(std::move(piece));
        };
        try {
          body->next(std::move(deliver));
        } catch (const std::exception& e) {
          log::error("stream_exception", {{"request_id", request_id}, {"what", e.what()}});
        }
      }
      if (!pending->done) {
        auto [wec] = co_await pending->wake.async_wait(tuple_awaitable);
        (void)wec;
      }
      state.piece.reset();
      if (!pending->piece) break;
      if (pending->piece->empty()) continue;
      state.deadline = std::chrono::steady_clock::now() + opts.request_timeout;
      auto [cec, cn] = co_await asio::async_write(
          stream, bhttp::make_chunk(asio::buffer(*pending->piece)), tuple_awaitable);
      (void)cn;
      ec = cec;
    }
    try {
      body->close();
    } catch (const std::exception& e) {
      log::error("stream_exception", {{"request_id", request_id}, {"what", e.what()}});
    }
    if (!ec) {
      state.deadline = std::chrono::steady_clock::now() + opts.request_timeout;
      auto [lec, ln] =
          co_await asio::async_write(stream, bhttp::make_chunk_last(), tuple_awaitable);
      (void)ln;
      ec = lec;
    }
  }

  // One line per request, built directly: every field but the path is a validated token
  // (request id charset, method, route pattern, UUID), so only the path needs escaping.
  void access_log(const Request* req, std::string_view method, const std::string& path,
                  const Route* route, unsigned status, double seconds) {
    if (!opts.access_log || !log::enabled(log::Level::info)) return;
    std::string m;
    m.reserve(192 + path.size());
    m += R"("request_id":")";
    if (req) m += req->request_id;
    m += R"(","method":")";
    m += method;
    m += R"(","path":)";
    log::append_json_string(m, path);
    m += R"(,"route":")";
    m += route ? std::string_view(route->pattern) : std::string_view("unmatched");
    m += R"(","status":)";
    m += std::to_string(status);
    m += R"(,"duration_us":)";
    m += std::to_string(static_cast<std::int64_t>(seconds * 1e6));
    if (req && req->identity) {
      m += R"(,"user_id":")";
      m += req->identity->user_id;
      m += '"';
    }
    log::event_members(log::Level::info, "http_request", m);
  }

  // A session is registered with its worker (for the sweeper and the drain) for exactly as
  // long as its frame lives: an exception that ends the coroutine unregisters it too.
  struct Registration {
    Impl& im;
    Worker& w;
    Session* s;
    Registration(Impl& i, Worker& wk, Session* st) : im(i), w(wk), s(st) { w.sessions.insert(s); }
    ~Registration() {
      w.sessions.erase(s);
      im.open_connections--;
      if (im.draining && w.sessions.empty() && w.drain_deadline) w.drain_deadline->cancel();
    }
  };

  // The answer to a request head that cannot be read: too large, over the body limit, or
  // malformed.
  Error header_error(const boost::system::error_code& ec) const {
    if (ec == bhttp::error::body_limit)
      return Error(ErrorCode::payload_too_large, "the body exceeds the limit of " +
                                                     std::to_string(largest_body_limit) + " bytes");
    if (ec == bhttp::error::header_limit)
      return Error(ErrorCode::header_too_large,
                   "the request header exceeds " + std::to_string(opts.header_limit) + " bytes");
    return Error(ErrorCode::bad_request, "the request header is malformed: " + ec.message());
  }

  // What starts a matched route's handler: on the offload pool when authentication was
  // deferred to it (a blocking credential check), else the route's own async handler.
  std::function<void(Reply)> starter(Prepared& prepared) {
    const Route* route = prepared.route;
    auto req = prepared.request;
    if (!prepared.deferred_auth)
      return [route, req](Reply reply) { route->async_handler(req, std::move(reply)); };
    return [this, route, req, creds = std::move(*prepared.deferred_auth)](Reply reply) {
      opts.offload([this, route, req, creds, reply = std::move(reply)]() mutable {
        try {
          authenticate_and_handle(*route, req, std::move(creds), std::move(reply));
        } catch (const std::exception& e) {
          log::error(
              "handler_exception",
              {{"request_id", req->request_id}, {"route", route->pattern}, {"what", e.what()}});
        }
      });
    };
  }

  static void log_internal(const Response& response, const Prepared& prepared,
                           const std::string& request_id) {
    log::error("internal_error",
               {{"request_id", request_id},
                {"route", prepared.route ? prepared.route->pattern : std::string("unmatched")},
                {"detail", response.internal_detail}});
  }

  // What reading a request's body gave: an answer instead of the handler's (`early`), a
  // connection to close (answering `early` first when set), or, on a spool_body route, the
  // message whose body is in `file`.
  struct BodyRead {
    std::optional<Response> early;
    bool close = false;
    std::optional<bhttp::request<bhttp::string_body>> spooled;
    std::shared_ptr<SpooledFile> file;
  };

  awaitable<BodyRead> read_body(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                bhttp::request_parser<bhttp::string_body>& parser,
                                std::size_t body_limit, bool spool) {
    BodyRead out;
    auto expect = parser.get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
      auto [cec, cn] = co_await bhttp::async_write(stream, cont, tuple_awaitable);
      (void)cn;
      (void)cec;
    }
    boost::system::error_code bec;
    if (spool) {
      auto file = SpooledFile::create();
      if (!file) {
        out.early = Response::error(file.error());
        co_return out;
      }
      if (parser.is_done()) {  // no body at all: an empty file
        auto m = parser.release();
        out.spooled.emplace(std::move(m.base()));
        out.file = std::move(*file);
        co_return out;
      }
      // The head moves to a parser that writes the body to the file as it arrives.
      bhttp::request_parser<bhttp::file_body> to_file(std::move(parser));
      to_file.body_limit(body_limit);
      beast::error_code oec;
      to_file.get().body().open((*file)->path.c_str(), beast::file_mode::write, oec);
      if (oec) {
        out.early = Response::error(
            Error(ErrorCode::unavailable, "cannot hold the upload: " + oec.message()));
        co_return out;
      }
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, to_file, tuple_awaitable);
      (void)n;
      bec = ec;
      if (!bec) {
        auto m = to_file.release();
        m.body().close();
        out.spooled.emplace(std::move(m.base()));
        out.file = std::move(*file);
      }
    } else {
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, tuple_awaitable);
      (void)n;
      bec = ec;
    }
    if (bec == bhttp::error::body_limit) {
      out.early = Response::error(
          Error(ErrorCode::payload_too_large,
                "the body exceeds the limit of " + std::to_string(body_limit) + " bytes"));
    } else if (bec) {
      out.close = true;
      if (!quiet_close(bec))
        out.early = Response::error(
            Error(ErrorCode::bad_request, "the request body is malformed: " + bec.message()));
    }
    co_return out;
  }

  awaitable<void> session(Worker& w, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    std::string head;  // the response head being written, reused across requests
    Session state;
    state.stream = &stream;
    Registration registered(*this, w, &state);
    bool reset = false;  // the handler asked for a TCP reset instead of an answer
    for (;;) {
      state.busy = false;
      if (draining) break;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(largest_body_limit);  // the route's own is set once the head is read
      LargeBody large_body;
      parser.header_limit(static_cast<std::uint32_t>(opts.header_limit));
      state.deadline = std::chrono::steady_clock::now() + opts.idle_timeout;
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, tuple_awaitable);
      (void)n;
      if (ec) {
        if (!quiet_close(ec)) {
          // Headers that do not parse, are too large, or announce a body over the limit:
          // answer once, then close.
          Response r = Response::error(header_error(ec));
          boost::system::error_code wec;
          co_await write_response(stream, r, 11, false, "", head, wec);
        }
        break;
      }
      state.busy = true;
      metrics.in_flight(1);
      auto started = std::chrono::steady_clock::now();
      const unsigned version = parser.get().version();
      const std::string method(parser.get().method_string());
      const std::string target(parser.get().target());
      std::optional<Response> early;
      std::size_t body_limit = opts.body_limit;
      bool spool = false;
      if (auto refused = limit_body(parser, large_body, body_limit, spool)) {
        // Answered without reading the body, so the connection cannot be reused.
        early = Response::error(*refused);
      }
      BodyRead body;
      if (!early && (!parser.is_done() || spool)) {
        state.deadline = std::chrono::steady_clock::now() + opts.request_timeout;
        body = co_await read_body(stream, buffer, parser, body_limit, spool);
        if (body.close) {
          metrics.in_flight(-1);
          if (body.early) {
            boost::system::error_code wec;
            co_await write_response(stream, *body.early, version, false, "", head, wec);
          }
          break;
        }
        early = std::move(body.early);
      }

      state.deadline = std::chrono::steady_clock::time_point::max();  // the handler's time
      Response response;
      Prepared prepared;
      bool keep_alive = false;
      std::string path;
      if (early) {
        response = std::move(*early);
        path = target.substr(0, target.find('?'));
      } else {
        auto msg = body.spooled ? std::move(*body.spooled) : parser.release();
        keep_alive = msg.keep_alive();
        prepared = prepare(msg);
        prepared.request->body_file = std::move(body.file);
        path = prepared.request->path;
        if (prepared.response) {
          response = std::move(*prepared.response);
        } else {
          // (g++ 12: the starter is built in its own statement, apart from the co_await.)
          std::function<void(Reply)> start = starter(prepared);
          response =
              co_await await_reply(std::move(start), *prepared.request, *prepared.route, state);
        }
      }
      keep_alive = keep_alive && !draining;
      if (response.reset_connection) {
        boost::system::error_code ignored;
        stream.socket().set_option(asio::socket_base::linger(true, 0), ignored);
        metrics.in_flight(-1);
        reset = true;
        break;
      }
      const std::string request_id =
          prepared.request ? prepared.request->request_id : new_thread_local_id();
      if (!response.internal_detail.empty()) log_internal(response, prepared, request_id);
      boost::system::error_code wec;
      unsigned status = response.status;
      state.deadline = std::chrono::steady_clock::now() + opts.request_timeout;
      if (response.stream) {
        keep_alive = false;
        co_await write_stream(stream, response, version, request_id, state, wec);
      } else {
        co_await write_response(stream, response, version, keep_alive, request_id, head, wec);
      }
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      metrics.in_flight(-1);
      metrics.observe(prepared.route ? prepared.route->index : HttpMetrics::kUnmatched, status,
                      seconds);
      access_log(prepared.request.get(), method, path, prepared.route, status, seconds);
      if (wec || !keep_alive) break;
    }
    boost::system::error_code ignored;
    if (!reset) stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
  }

  awaitable<void> accept_loop() {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    for (;;) {
      Worker& w = *workers[next_worker];
      next_worker = (next_worker + 1) % workers.size();
      auto [ec, socket] = co_await acceptor->async_accept(w.ioc, tuple_awaitable);
      if (ec) {
        if (draining || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors (EMFILE/ENFILE) the pending connection stays queued and the
        // next accept fails at once: pause instead of spinning, and log once a second.
        const bool no_fds = ec.value() == EMFILE || ec.value() == ENFILE;
        accept_failures.warn("accept_failed", {{"error", ec.message()},
                                               {"open_connections", open_connections.load()},
                                               {"retry_in_ms", no_fds ? 100 : 10}});
        pause.expires_after(std::chrono::milliseconds(no_fds ? 100 : 10));
        auto [pec] = co_await pause.async_wait(tuple_awaitable);
        (void)pec;
        continue;
      }
      if (opts.max_connections && open_connections.load() >= opts.max_connections) {
        refused_at_cap.warn("connection_refused", {{"reason", "--max-connections reached"},
                                                   {"max_connections", opts.max_connections}});
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      open_connections++;
      // The error_code form: a peer that has already reset the connection makes the
      // throwing form end the accept loop.
      boost::system::error_code nodelay_ec;
      socket.set_option(tcp::no_delay(true), nodelay_ec);
      // A session that throws ends alone (its socket closes with its frame), logged.
      asio::co_spawn(w.ioc, session(w, std::move(socket)), [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("session_exception", {{"what", ex.what()}});
        } catch (...) {
          log::error("session_exception", {{"what", "unknown"}});
        }
      });
    }
  }

  void sweep(Worker& w) {
    w.sweeper->expires_after(std::chrono::seconds(1));
    w.sweeper->async_wait([this, &w](boost::system::error_code ec) {
      if (ec || draining) return;
      auto now = std::chrono::steady_clock::now();
      for (auto* s : w.sessions)
        if (s->deadline < now) s->stream->socket().close();
      sweep(w);
    });
  }

  void begin_drain() {
    if (draining.exchange(true)) return;
    log::info("shutdown_started", {{"shutdown_timeout_ms", opts.shutdown_timeout.count()}});
    asio::post(workers[0]->ioc, [this] {
      boost::system::error_code ec;
      if (acceptor) acceptor->close(ec);
      if (signals) signals->cancel(ec);
    });
    for (auto& wp : workers) {
      Worker* w = wp.get();
      asio::post(w->ioc, [this, w] {
        w->idle_guard.reset();
        if (w->sweeper) w->sweeper->cancel();
        for (auto* s : w->sessions) {
          if (!s->busy) s->stream->socket().close();
          // A streamed body ends now; its client reconnects elsewhere or later.
          if (s->piece && !s->piece->done) {
            std::lock_guard lk(s->piece->mu);
            s->piece->abandoned = true;
            s->piece->done = true;
            s->piece->wake.cancel();
          }
        }
        if (w->sessions.empty()) return;
        w->drain_deadline.emplace(w->ioc);
        w->drain_deadline->expires_after(opts.shutdown_timeout);
        w->drain_deadline->async_wait([w](boost::system::error_code ec) {
          if (ec) return;  // cancelled: every session ended in time
          log::warn("shutdown_timeout", {{"open_connections", w->sessions.size()}});
          for (auto* s : w->sessions) {
            s->stream->socket().close();
            // A handler that never answers must not hold the process: give up on it.
            if (s->waiting && !s->waiting->response) {
              s->waiting->response = Response::error(
                  Error(ErrorCode::unavailable, "the server stopped before the answer was ready"));
              s->waiting->wake.cancel();
            }
          }
        });
      });
    }
  }
};

Server::Server(ServerOptions options, const Router& router, const Authenticator& authenticator,
               HttpMetrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, authenticator, metrics)) {}

Server::~Server() = default;

Result<void> Server::listen() {
  auto& im = *impl_;
  std::string host = im.opts.host == "localhost" ? "127.0.0.1" : im.opts.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec)
    return fail(Error::invalid("--listen", boost::json::value(im.opts.host),
                               "an IP address or localhost, with a port"));
  tcp::endpoint ep(addr, im.opts.port);
  auto& acc = im.acceptor.emplace(im.workers[0]->ioc);
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(Error(ErrorCode::unavailable,
                      "cannot listen on " + im.opts.host + ":" + std::to_string(im.opts.port) +
                          ": " + ec.message(),
                      ErrorDetails{"--listen", std::nullopt, "a free local address and port"}));
  im.bound_port = acc.local_endpoint().port();
  return {};
}

std::uint16_t Server::port() const {
  return impl_->bound_port;
}

std::string Server::url() const {
  std::string host = impl_->opts.host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->bound_port);
}

void Server::run() {
  auto& im = *impl_;
  auto& first = *im.workers[0];
  if (im.opts.handle_signals) {
    im.signals.emplace(first.ioc, SIGINT, SIGTERM);
    im.signals->async_wait([this](boost::system::error_code ec, int sig) {
      if (ec) return;
      log::info("signal_received", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      impl_->begin_drain();
    });
  }
  asio::co_spawn(first.ioc, im.accept_loop(), asio::detached);
  for (auto& w : im.workers) {
    w->sweeper.emplace(w->ioc);
    im.sweep(*w);
  }
  for (std::size_t i = 1; i < im.workers.size(); ++i) {
    auto* w = im.workers[i].get();
    w->idle_guard.emplace(w->ioc.get_executor());
    w->thread = std::thread([w, i] {
      name_this_thread("http-loop-" + std::to_string(i));
      w->ioc.run();
    });
  }
  first.ioc.run();
  for (std::size_t i = 1; i < im.workers.size(); ++i) im.workers[i]->thread.join();
  log::info("shutdown_finished");
}

void Server::shutdown() {
  impl_->begin_drain();
}

}  // namespace redcell::http

// The baseline for the /healthz benchmark: a bare Boost.Beast keep-alive server with the
// same threading as redcell's (one acceptor, one io_context per two cores, a coroutine per
// connection) and nothing else: no router, middleware, metrics or logging.
// Usage: bare_beast_hello PORT [THREADS]
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(stream, buffer, req, tuple_awaitable);
    if (ec) break;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"status":"ok"})";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, tuple_awaitable);
    if (wec || !req.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bare_beast_hello PORT [THREADS]\n");
    return 2;
  }
  auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  unsigned threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2]))
                              : std::max(1u, std::thread::hardware_concurrency() / 2);
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (unsigned i = 0; i < threads; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  tcp::acceptor acceptor(*loops[0], {asio::ip::make_address("127.0.0.1"), port});
  asio::signal_set signals(*loops[0], SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) {
    for (auto& l : loops) l->stop();
  });
  asio::co_spawn(
      *loops[0],
      [&]() -> asio::awaitable<void> {
        for (std::size_t next = 0;; next = (next + 1) % loops.size()) {
          auto [ec, socket] = co_await acceptor.async_accept(*loops[next], tuple_awaitable);
          if (ec) co_return;
          socket.set_option(tcp::no_delay(true));
          asio::co_spawn(*loops[next], session(std::move(socket)), asio::detached);
        }
      },
      asio::detached);
  std::vector<std::thread> pool;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (unsigned i = 1; i < threads; ++i) {
    guards.emplace_back(loops[i]->get_executor());
    pool.emplace_back([&, i] { loops[i]->run(); });
  }
  std::printf("listening on 127.0.0.1:%u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  loops[0]->run();
  for (auto& t : pool) t.join();
  return 0;
}

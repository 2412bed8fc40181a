// The HTTP server in process, with handlers that fail in every way a handler can: each
// failure answers a 500 with nothing internal in it, and the server keeps serving.
#include "http/server/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>

#include "api/handlers.hpp"
#include "common/work_pool.hpp"

namespace redcell::http {
namespace {

// One request with Connection: close; everything the server sends until it closes.
std::string exchange(std::uint16_t port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string req =
      "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  (void)::write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

class ClosingThrows final : public BodyStream {
 public:
  void next(Deliver deliver) override { deliver(std::nullopt); }
  void close() override { throw std::runtime_error("close failed: secret detail"); }
};

class ServerFailures : public ::testing::Test {
 protected:
  void SetUp() override {
    RouteOptions open;
    open.authenticated = false;
    router_.add(
        "GET", "/ok", [](Request&) { return Response::text(200, "fine"); }, open);
    router_.add(
        "GET", "/sync-throws",
        [](Request&) -> Response { throw std::runtime_error("sync: secret detail"); }, open);
    api::add_blocking(
        router_, "GET", "/pool-throws", pool_,
        [](Request&) -> Response { throw std::runtime_error("pool: secret detail"); }, open);
    router_.add(
        "GET", "/internal",
        [](Request&) {
          return Response::error(Error(ErrorCode::internal, "SQLITE_CORRUPT: secret detail"));
        },
        open);
    router_.add(
        "GET", "/stream-close-throws",
        [](Request&) {
          Response r;
          r.content_type = "text/event-stream";
          r.stream = std::make_shared<ClosingThrows>();
          return r;
        },
        open);
    metrics_ = std::make_unique<HttpMetrics>(registry_, router_);
    ServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.access_log = false;
    server_ = std::make_unique<Server>(o, router_, auth_, *metrics_);
    ASSERT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->shutdown();
    thread_.join();
    pool_.stop();
  }

  WorkPool pool_{2};
  Router router_;
  MetricsRegistry registry_;
  std::unique_ptr<HttpMetrics> metrics_;
  LocalAuthenticator auth_{Identity{"u", "redcell:local", "local", "local", "Local", {"admin"}}};
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerFailures, EveryFailingHandlerAnswers500WithoutItsDetailAndTheServerGoesOn) {
  for (const char* path : {"/sync-throws", "/pool-throws", "/internal"}) {
    auto answer = exchange(server_->port(), path);
    EXPECT_EQ(answer.rfind("HTTP/1.1 500 ", 0), 0u) << path << "\n" << answer;
    EXPECT_NE(answer.find("X-Request-Id"), std::string::npos) << path;
    EXPECT_EQ(answer.find("secret detail"), std::string::npos) << path << "\n" << answer;
    EXPECT_EQ(answer.find("SQLITE"), std::string::npos) << path;
  }
  // A session whose stream throws on close ends alone; its connection is unregistered
  // (ASan would report the sweeper touching a freed session within its next second).
  auto streamed = exchange(server_->port(), "/stream-close-throws");
  EXPECT_EQ(streamed.rfind("HTTP/1.1 200 ", 0), 0u) << streamed;
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // one sweep, not a timing check
  auto ok = exchange(server_->port(), "/ok");
  EXPECT_NE(ok.find("fine"), std::string::npos) << ok;
}

}  // namespace
}  // namespace redcell::http

#pragma once
// Request and Response as handlers see them: plain values, no Beast or Asio types, so
// that api/ compiles without the heavy headers.

#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "identity/identity.hpp"

namespace redcell::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A request body kept in a private temp file (0600, in TMPDIR) instead of memory, for routes
// with RouteOptions::spool_body; the file is removed when its last owner goes.
struct SpooledFile {
  std::string path;
  static Result<std::shared_ptr<SpooledFile>> create();
  SpooledFile() = default;
  SpooledFile(const SpooledFile&) = delete;
  SpooledFile& operator=(const SpooledFile&) = delete;
  ~SpooledFile();
};

struct Request {
  std::string method;  // "GET"
  std::string target;  // "/api/v1/x?limit=5"
  std::string path;    // "/api/v1/x", percent-decoded per segment by the router
  std::string query;   // "limit=5" (raw)
  Fields headers;
  std::string body;
  std::shared_ptr<SpooledFile> body_file;  // spool_body routes: the body is here, `body` empty
  std::string request_id;
  std::string route;  // the matched pattern, "/api/v1/orchestrators/{id}"
  std::vector<std::pair<std::string, std::string>> params;  // path parameters
  boost::json::value json;                                  // the parsed body on JSON routes
  std::optional<Identity> identity;                         // set on authenticated routes

  std::optional<std::string_view> header(std::string_view name) const;  // case-insensitive
  std::string_view param(std::string_view name) const;                  // "" when absent
  std::optional<std::string> query_param(std::string_view name) const;  // decoded
};

// A body written over time (server-sent events). The server writes the head, then asks
// next() for each piece and writes it as one chunk; std::nullopt ends the body. `deliver`
// is called exactly once per next(), from any thread (a dropped one ends the body). The
// server calls close() when the body ends for any reason: it ended, the client left, or
// the server is draining.
class BodyStream {
 public:
  using Deliver = std::function<void(std::optional<std::string>)>;
  virtual ~BodyStream() = default;
  virtual void next(Deliver deliver) = 0;
  virtual void close() {}
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  Fields headers;
  // Test doubles only (the mock target's "reset" fault): drop the connection with a TCP
  // reset instead of answering.
  bool reset_connection = false;
  // Set: the body is streamed from here (chunked; the connection closes after it).
  std::shared_ptr<BodyStream> stream;
  // An internal error's own message (a database's, an exception's): the server logs it with
  // the request id; the client gets only a generic message and the id.
  std::string internal_detail;

  static Response json(unsigned status, const boost::json::value& body);
  static Response error(const Error& error);
  static Response text(unsigned status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
};

// An asynchronous handler answers through Reply, exactly once, from any thread.
using Reply = std::function<void(Response)>;
using Handler = std::function<Response(Request&)>;
using AsyncHandler = std::function<void(std::shared_ptr<Request>, Reply)>;

}  // namespace redcell::http

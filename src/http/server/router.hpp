#pragma once
// Routes with path parameters ("/api/v1/orchestrators/{id}") and the table of them, which
// tests and the OpenAPI document read so that a new route is covered automatically.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/server/message.hpp"

namespace redcell::http {

struct RouteOptions {
  bool authenticated = true;  // false: /healthz, /readyz, /metrics
  bool json_body = false;     // body must be application/json and parse; Request::json set
  std::string role;           // required role ("admin"), empty for any authenticated user
  std::string summary;        // one line for the OpenAPI document
  bool documented = true;     // false: the web UI's routes, left out of the OpenAPI document
  // This route's body limit in bytes (0: the server's). A route above the server's limit
  // takes large bodies: the server lets only a few of them be read at once (server.cpp).
  std::size_t body_limit = 0;
  // The body is written to a private temp file (Request::body_file) as it arrives, never
  // held in memory: uploads.
  bool spool_body = false;
};

struct Route {
  std::string method;
  std::string pattern;
  RouteOptions options;
  Handler handler;  // exactly one of handler and async_handler is set
  AsyncHandler async_handler;
  std::vector<std::string> segments;  // "{id}" marks a parameter
  std::size_t index = 0;              // position in the table, for per-route metrics
};

struct RouteMatch {
  const Route* route = nullptr;                             // null: no route answers
  std::vector<std::pair<std::string, std::string>> params;  // decoded path parameters
  std::vector<std::string> allowed_methods;                 // the path exists, not the method
  bool bad_path = false;                                    // the path did not decode
};

// Registration happens before the server starts; matching is then read-only and
// thread-safe.
class Router {
 public:
  Route& add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  Route& add_async(std::string method, std::string pattern, AsyncHandler handler,
                   RouteOptions options = {});

  // The route that answers a GET no other route's path matches, outside /api/ (the web UI's
  // client routes). Listed in routes() as "GET /*" for metrics, never matched by path.
  Route& set_fallback(Handler handler, RouteOptions options);

  RouteMatch match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  Route& insert(std::string method, std::string pattern, RouteOptions options, Route route);
  std::vector<Route> routes_;
  std::optional<std::size_t> fallback_;
};

}  // namespace redcell::http

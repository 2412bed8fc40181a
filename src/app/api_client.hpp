#pragma once
// A blocking client of a redcell server's REST API, for CLI commands that work through a
// running server (`redcell scan`): one request at a time over http::HttpClient, with the
// API key from REDCELL_API_KEY when the server signs users in.

#include <boost/json/value.hpp>
#include <chrono>
#include <string>

#include "common/error.hpp"
#include "http/client/client.hpp"

namespace redcell {

struct ApiAnswer {
  unsigned status = 0;
  std::string body;
  boost::json::value json;  // null unless the body is JSON
  bool ok() const { return status >= 200 && status < 300; }
  // The error document's message and details.field ("" when absent).
  std::string message() const;
  std::string field() const;
};

class ApiClient {
 public:
  ApiClient(std::string base_url, std::string api_key);
  const std::string& base_url() const { return base_; }

  // Fails only when no answer came (connection refused, timeout); an HTTP error status is
  // an answer.
  Result<ApiAnswer> call(const std::string& method, const std::string& path, std::string body = {},
                         const std::string& content_type = "application/json",
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));
  Result<ApiAnswer> get(const std::string& path) { return call("GET", path); }
  Result<ApiAnswer> post(const std::string& path, const boost::json::value& body);

 private:
  std::string base_;
  std::string api_key_;
  http::HttpClient client_;
};

}  // namespace redcell

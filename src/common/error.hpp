#pragma once
// The one error type of redcell and its JSON shape:
//   {"error": {"code", "message", "details": {"field": JSON Pointer, "value", "expected"}}}
// Inside the code errors travel by value in Result<T>; the HTTP edge renders them.

#include <boost/json/value.hpp>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace redcell {

enum class ErrorCode {
  bad_request,             // 400 malformed request (bad JSON, bad header)
  invalid_argument,        // 400 a field has a wrong value; details say which
  unauthorized,            // 401
  forbidden,               // 403 the caller's role may not use this route
  not_found,               // 404 also for another user's object
  method_not_allowed,      // 405
  conflict,                // 409
  misdirected,             // 421 Host header not in the allow-list
  unprocessable,           // 422
  payload_too_large,       // 413
  header_too_large,        // 431
  unsupported_media_type,  // 415
  too_many_requests,       // 429
  internal,                // 500 the message never carries internals
  unavailable,             // 503
};

std::string_view to_string(ErrorCode code);
unsigned http_status(ErrorCode code);

struct ErrorDetails {
  std::string field;  // JSON Pointer into the request ("/name", "/query/limit", "/headers/host")
  std::optional<boost::json::value> value;  // what was given, when it is safe to echo
  std::string expected;                     // what would have been accepted
};

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Error(ErrorCode code, std::string message, ErrorDetails details)
      : code_(code), message_(std::move(message)), details_(std::move(details)) {}

  // A field with a wrong value: "<field>: expected <expected>".
  static Error invalid(std::string field, std::optional<boost::json::value> value,
                       std::string expected, std::string message = {});

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::optional<ErrorDetails>& details() const { return details_; }
  unsigned status() const { return http_status(code_); }

  boost::json::value to_json() const;  // the full {"error": {...}} document

 private:
  ErrorCode code_;
  std::string message_;
  std::optional<ErrorDetails> details_;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }
inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}

}  // namespace redcell

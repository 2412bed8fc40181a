#include "common/error.hpp"

#include <boost/json.hpp>

namespace redcell {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::method_not_allowed: return "method_not_allowed";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::misdirected: return "host_not_allowed";
    case ErrorCode::unprocessable: return "unprocessable";
    case ErrorCode::payload_too_large: return "payload_too_large";
    case ErrorCode::header_too_large: return "header_too_large";
    case ErrorCode::unsupported_media_type: return "unsupported_media_type";
    case ErrorCode::too_many_requests: return "too_many_requests";
    case ErrorCode::internal: return "internal";
    case ErrorCode::unavailable: return "unavailable";
  }
  return "internal";
}

unsigned http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request:
    case ErrorCode::invalid_argument: return 400;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::method_not_allowed: return 405;
    case ErrorCode::conflict: return 409;
    case ErrorCode::misdirected: return 421;
    case ErrorCode::unprocessable: return 422;
    case ErrorCode::payload_too_large: return 413;
    case ErrorCode::header_too_large: return 431;
    case ErrorCode::unsupported_media_type: return 415;
    case ErrorCode::too_many_requests: return 429;
    case ErrorCode::internal: return 500;
    case ErrorCode::unavailable: return 503;
  }
  return 500;
}

Error Error::invalid(std::string field, std::optional<boost::json::value> value,
                     std::string expected, std::string message) {
  if (message.empty()) message = field + ": expected " + expected;
  return Error(ErrorCode::invalid_argument, std::move(message),
               ErrorDetails{std::move(field), std::move(value), std::move(expected)});
}

boost::json::value Error::to_json() const {
  boost::json::object err;
  err["code"] = to_string(code_);
  err["message"] = message_;
  boost::json::object details;
  if (details_) {
    details["field"] = details_->field;
    if (details_->value) details["value"] = *details_->value;
    details["expected"] = details_->expected;
  }
  err["details"] = std::move(details);
  return boost::json::object{{"error", std::move(err)}};
}

}  // namespace redcell

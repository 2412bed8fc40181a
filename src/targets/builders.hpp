#pragma once
// What the target implementations share (inside targets/ only): reading a stored config,
// classifying HTTP failures, and one builder per type for make_target.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "targets/target.hpp"

namespace redcell {

namespace http {
struct ClientRequest;
struct ClientResponse;
}  // namespace http

TargetLimits limits_of(const boost::json::object& config);
std::string config_string(const boost::json::object& config, const char* key);
// config["endpoint"], with `path` appended unless it already contains it.
std::string endpoint_url(const boost::json::object& config, std::string_view path);
// The body of a chat API: config["extra_body"], then model, messages and temperature.
boost::json::object chat_body(const boost::json::object& config, boost::json::array messages);
// A JSON POST to `url` bounded by the target's timeout, tagged with the work item.
http::ClientRequest json_post(std::string url, const TargetLimits& limits,
                              const std::string& work_item_id);
// The headers of config["headers"], in order.
void add_config_headers(const boost::json::object& config,
                        std::vector<std::pair<std::string, std::string>>& headers);

// A transport error or a non-2xx answer as a failure: a refused address is final; a
// transport error, 408, 429, 5xx and 529 may succeed on retry (after Retry-After).
TargetFailure transport_failure(const Error& error);
TargetFailure status_failure(const http::ClientResponse& response, const std::string& detail);

// Marks the reply blocked (when `blocked_because` is set) or empty, and reads the token
// usage from doc["usage"][prompt_key] and [completion_key].
void complete_reply(TargetReply& reply, std::optional<std::string> blocked_because,
                    const boost::json::object& doc, const char* prompt_key,
                    const char* completion_key);

std::unique_ptr<Target> make_anthropic_messages(http::HttpClient& client,
                                                boost::json::object config, std::string api_key);
Result<std::unique_ptr<Target>> make_http_template(http::HttpClient& client,
                                                   boost::json::object config, std::string api_key);

}  // namespace redcell

#pragma once
// What the target types share (inside targets/ only): validating a body's members when a
// target is saved, reading a stored config, and classifying HTTP failures.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/json_input.hpp"
#include "net/endpoint_policy.hpp"
#include "targets/target.hpp"

namespace redcell {

namespace http {
struct ClientRequest;
struct ClientResponse;
}  // namespace http

// Validation (target_config.cpp). Copies an optional member into `out` when present and valid.
template <class Get>
Result<void> copy_opt(boost::json::object& out, std::string_view name, Get get) {
  auto v = get();
  if (!v) return fail(v.error());
  if (*v) out[name] = **v;
  return {};
}
// body[name] as an object of strings ({} when absent).
Result<boost::json::object> string_map(const JsonInput& body, std::string_view name);
// body["headers"]: names that are tokens, values that cannot split a request, no framing.
Result<boost::json::object> read_headers(const JsonInput& body);
// model (required or optional), system_prompt, temperature, max_tokens.
Result<void> read_llm_members(const JsonInput& body, boost::json::object& out, bool model_required);
// body["endpoint"], checked against the egress policy.
Result<void> read_endpoint(const JsonInput& body, const EndpointPolicy& policy,
                           boost::json::object& out);
// What both chat APIs accept: endpoint, model and sampling, extra_body, headers.
Result<void> read_chat_members(const JsonInput& body, const EndpointPolicy& policy,
                               boost::json::object& out);

// A stored config (common.cpp).
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

}  // namespace redcell

// What the target types share at run time: reading a stored config, the request and reply
// of the chat APIs, classifying HTTP failures, and make_target.
#include <boost/json.hpp>

#include "common/secret_box.hpp"
#include "http/client/client.hpp"
#include "targets/builders.hpp"
#include "targets/key_env_policy.hpp"
#include "targets/target_type.hpp"

namespace redcell {

TargetLimits limits_of(const boost::json::object& config) {
  TargetLimits l;
  const auto* o = config.if_contains("limits");
  if (!o || !o->is_object()) return l;
  const auto& m = o->as_object();
  auto get = [&](const char* k, std::int64_t fallback) {
    const auto* v = m.if_contains(k);
    return v && v->is_int64() ? v->as_int64() : fallback;
  };
  l.max_in_flight = static_cast<int>(get("max_in_flight", 64));
  l.requests_per_minute = get("requests_per_minute", 0);
  l.tokens_per_minute = get("tokens_per_minute", 0);
  l.timeout = std::chrono::milliseconds(get("timeout_ms", 60'000));
  l.max_retries = static_cast<int>(get("max_retries", 3));
  return l;
}

std::string config_string(const boost::json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

boost::json::object chat_body(const boost::json::object& config, boost::json::array messages) {
  boost::json::object body;
  if (const auto* extra = config.if_contains("extra_body"); extra && extra->is_object())
    body = extra->as_object();
  body["model"] = config_string(config, "model");
  body["messages"] = std::move(messages);
  if (const auto* t = config.if_contains("temperature")) body["temperature"] = *t;
  return body;
}

http::ClientRequest json_post(std::string url, const TargetLimits& limits,
                              const std::string& work_item_id) {
  http::ClientRequest req;
  req.url = std::move(url);
  req.timeout = limits.timeout;
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("X-Redcell-Work-Item", work_item_id);
  return req;
}

std::string endpoint_url(const boost::json::object& config, std::string_view path) {
  std::string url = config_string(config, "endpoint");
  if (url.find(path) != std::string::npos) return url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url += path;
}

void add_config_headers(const boost::json::object& config,
                        std::vector<std::pair<std::string, std::string>>& headers) {
  if (const auto* h = config.if_contains("headers"); h && h->is_object())
    for (const auto& kv : h->as_object())
      if (kv.value().is_string()) headers.emplace_back(kv.key(), kv.value().as_string());
}

void complete_reply(TargetReply& reply, std::optional<std::string> blocked_because,
                    const boost::json::object& doc, const char* prompt_key,
                    const char* completion_key) {
  if (blocked_because) {
    reply.response_error = "blocked";
    reply.error_message = std::move(*blocked_because);
  } else if (reply.text.empty()) {
    reply.response_error = "empty";
    reply.error_message = "the model answered nothing";
  }
  if (const auto* u = doc.if_contains("usage"); u && u->is_object()) {
    const auto& usage = u->as_object();
    if (const auto* p = usage.if_contains(prompt_key); p && p->is_int64())
      reply.prompt_tokens = p->as_int64();
    if (const auto* c = usage.if_contains(completion_key); c && c->is_int64())
      reply.completion_tokens = c->as_int64();
  }
}

TargetFailure transport_failure(const Error& error) {
  const bool policy = error.code() == ErrorCode::forbidden;  // refused by the allow-list
  return TargetFailure{error.message(), !policy, std::nullopt, "unknown"};
}

TargetFailure status_failure(const http::ClientResponse& response, const std::string& detail) {
  const unsigned s = response.status;
  const bool retry = s == 429 || s == 408 || s >= 500;  // 529: Anthropic's "overloaded"
  std::optional<std::chrono::milliseconds> after;
  if (auto ra = response.header("retry-after")) after = parse_retry_after(*ra);
  return TargetFailure{"HTTP " + std::to_string(s) + (detail.empty() ? "" : ": " + detail), retry,
                       after, "unknown"};
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  std::int64_t s = 0;
  bool digits = !value.empty();
  for (char c : value) {
    if (c < '0' || c > '9') {
      digits = false;
      break;
    }
    s = s * 10 + (c - '0');
    if (s > 3600) s = 3600;
  }
  if (digits) return std::chrono::milliseconds(s * 1000);
  if (!value.empty()) return std::chrono::milliseconds(1000);
  return std::nullopt;
}

Result<std::unique_ptr<Target>> make_target(const TargetSpec& row, const TargetDeps& deps) {
  const TargetTypes& types = TargetTypes::of(deps);
  const TargetType* type = types.find(row.type);
  if (!type)
    return fail(
        Error(ErrorCode::unprocessable, "targets of type " + row.type + " are unknown",
              ErrorDetails{"/type", boost::json::value(row.type), "one of " + types.known()}));
  boost::system::error_code ec;
  auto config = boost::json::parse(row.config, ec);
  if (ec || !config.is_object())
    return fail(ErrorCode::internal, "target " + row.id + " has a damaged config");
  std::string key;
  if (type->takes_api_key()) {
    if (!row.secret_ciphertext.empty()) {
      auto opened = deps.secrets.open(row.secret_ciphertext);
      if (!opened) return fail(opened.error());
      key = std::move(*opened);
    } else if (!row.api_key_env.empty()) {
      // Checked again at use: the operator may have narrowed the list since it was saved.
      auto v = deps.key_env.read(row.api_key_env, deps.env);
      if (!v) return fail(v.error());
      key = std::move(*v);
    }
  }
  auto t = type->build(config.as_object(), std::move(key), deps);
  if (t) (*t)->set_connection_pool(row.owner + "/" + row.id);
  return t;
}

}  // namespace redcell

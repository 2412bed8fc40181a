// openai_chat: OpenAI's /chat/completions and every server that speaks it (Azure OpenAI
// with api-version + api-key, vLLM, Ollama, llama.cpp, LM Studio, LiteLLM), plus `mock`,
// the in-process twin of `redcell mock-target`, make_target, and what the targets share.
#include <boost/json.hpp>
#include <mutex>
#include <unordered_map>

#include "common/secret_box.hpp"
#include "http/client/client.hpp"
#include "targets/builders.hpp"
#include "targets/key_env_policy.hpp"
#include "targets/mock_behavior.hpp"
#include "targets/mock_script.hpp"
#include "targets/target.hpp"

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

namespace {

class OpenAiChatTarget final : public Target {
 public:
  OpenAiChatTarget(http::HttpClient& client, boost::json::object config, std::string api_key)
      : client_(client), config_(std::move(config)), api_key_(std::move(api_key)) {
    limits_ = limits_of(config_);
    url_ = endpoint_url(config_, "/chat/completions");
    azure_version_ = config_string(config_, "api_version");
    if (!azure_version_.empty())
      url_ += (url_.find('?') == std::string::npos ? "?" : "&") + std::string("api-version=") +
              azure_version_;
  }

  void send(TargetRequest request, std::function<void(TargetResult)> done) override {
    boost::json::array messages;
    if (auto sp = config_string(config_, "system_prompt"); !sp.empty())
      messages.push_back({{"role", "system"}, {"content", sp}});
    for (const auto& t : request.messages)
      messages.push_back({{"role", t.role}, {"content", t.content}});
    auto body = chat_body(config_, std::move(messages));
    if (const auto* t = config_.if_contains("max_tokens")) body["max_tokens"] = *t;
    auto req = json_post(url_, limits_, request.work_item_id);
    if (!api_key_.empty()) {
      if (azure_version_.empty())
        req.headers.emplace_back("Authorization", "Bearer " + api_key_);
      else
        req.headers.emplace_back("api-key", api_key_);
    }
    add_config_headers(config_, req.headers);
    req.body = boost::json::serialize(body);
    req.connection_pool = connection_pool_;
    client_.send(std::move(req),
                 [done = std::move(done)](Result<http::ClientResponse> r) { done(interpret(r)); });
  }

  static TargetResult interpret(const Result<http::ClientResponse>& r) {
    if (!r) return std::unexpected(transport_failure(r.error()));
    const auto& res = *r;
    boost::system::error_code ec;
    auto doc = boost::json::parse(res.body, ec);
    if (res.status != 200) {
      std::string detail;
      if (!ec && doc.is_object())
        if (const auto* e = doc.as_object().if_contains("error"); e && e->is_object()) {
          detail = config_string(e->as_object(), "message");
          // Azure OpenAI's content filter answers 400 with code content_filter.
          if (config_string(e->as_object(), "code") == "content_filter")
            return TargetReply{"", "blocked", "content filter: " + detail, {}, {}};
        }
      return std::unexpected(status_failure(res, detail));
    }
    if (ec || !doc.is_object())
      return std::unexpected(
          TargetFailure{"the response is not valid JSON", true, std::nullopt, "processing"});
    const auto& o = doc.as_object();
    const auto* choices = o.if_contains("choices");
    if (!choices || !choices->is_array() || choices->as_array().empty() ||
        !choices->as_array()[0].is_object())
      return std::unexpected(
          TargetFailure{"the response has no choices", true, std::nullopt, "processing"});
    const auto& choice = choices->as_array()[0].as_object();
    TargetReply reply;
    if (const auto* m = choice.if_contains("message"); m && m->is_object())
      reply.text = config_string(m->as_object(), "content");
    complete_reply(reply,
                   config_string(choice, "finish_reason") == "content_filter"
                       ? std::optional<std::string>("content filter")
                       : std::nullopt,
                   o, "prompt_tokens", "completion_tokens");
    return reply;
  }

 private:
  http::HttpClient& client_;
  boost::json::object config_;
  std::string api_key_;
  std::string url_;
  std::string azure_version_;
};

// In-process mock: MockBehavior without a network hop, delays on the client's timers.
class MockTarget final : public Target {
 public:
  MockTarget(http::HttpClient& client, MockBehavior behavior, TargetLimits limits,
             std::shared_ptr<const MockScript> script)
      : client_(client), behavior_(std::move(behavior)), script_(std::move(script)) {
    limits_ = limits;
  }

  void send(TargetRequest request, std::function<void(TargetResult)> done) override {
    std::string prompt = request.messages.empty() ? "" : request.messages.back().content;
    std::uint64_t n;
    {
      std::lock_guard lk(mu_);
      n = seen_[request.work_item_id]++;
    }
    auto d = behavior_.decide(prompt, request.work_item_id, n);
    if (script_ && d.fault == MockFault::none)
      if (auto scripted = script_->reply(request.messages)) d.reply = std::move(*scripted);
    TargetResult result;
    switch (d.fault) {
      case MockFault::none:
        result =
            TargetReply{d.reply, "none", "", estimate_tokens(prompt), estimate_tokens(d.reply)};
        break;
      case MockFault::rate_limit:
        result = std::unexpected(TargetFailure{
            "HTTP 429: mock rate limit", true,
            std::chrono::milliseconds(behavior_.options().retry_after_s * 1000), "unknown"});
        break;
      case MockFault::server_error:
        result =
            std::unexpected(TargetFailure{"HTTP 500: mock error", true, std::nullopt, "unknown"});
        break;
      case MockFault::timeout:
        result = std::unexpected(TargetFailure{"timed out", true, std::nullopt, "unknown"});
        d.delay = limits_.timeout;
        break;
      case MockFault::malformed:
        result = std::unexpected(
            TargetFailure{"the response is not valid JSON", true, std::nullopt, "processing"});
        break;
      case MockFault::reset:
        result = std::unexpected(
            TargetFailure{"connection reset by the server", true, std::nullopt, "unknown"});
        break;
    }
    if (d.delay.count() == 0) return done(std::move(result));
    client_.after(d.delay, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }

 private:
  http::HttpClient& client_;
  MockBehavior behavior_;
  std::shared_ptr<const MockScript> script_;  // null: the behaviour answers
  std::mutex mu_;
  std::unordered_map<std::string, std::uint64_t> seen_;
};

}  // namespace

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

namespace {

Result<std::unique_ptr<Target>> build_target(const TargetSpec& row, const TargetDeps& deps) {
  boost::system::error_code ec;
  auto config = boost::json::parse(row.config, ec);
  if (ec || !config.is_object())
    return fail(ErrorCode::internal, "target " + row.id + " has a damaged config");
  const auto& c = config.as_object();
  if (row.type == "openai_chat" || row.type == "anthropic_messages" || row.type == "http") {
    std::string key;
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
    if (row.type == "anthropic_messages")
      return make_anthropic_messages(deps.client, c, std::move(key));
    if (row.type == "http") return make_http_template(deps.client, c, std::move(key));
    return std::unique_ptr<Target>(
        std::make_unique<OpenAiChatTarget>(deps.client, c, std::move(key)));
  }
  if (row.type == "mock") {
    MockOptions o;
    o.behavior = config_string(c, "behavior");
    if (const auto* v = c.if_contains("seed"); v && v->is_int64())
      o.seed = static_cast<std::uint64_t>(v->as_int64());
    if (const auto* v = c.if_contains("latency_ms"); v && v->is_int64())
      o.latency_ms = static_cast<std::uint32_t>(v->as_int64());
    if (const auto* v = c.if_contains("comply_probability"); v && v->is_number())
      o.comply_probability = v->to_number<double>();
    o.refuse_pattern = config_string(c, "refuse_pattern");
    auto behavior = MockBehavior::create(o);
    if (!behavior) return fail(behavior.error());
    std::shared_ptr<const MockScript> script;
    if (const auto* v = c.if_contains("script")) {
      auto parsed = MockScript::parse(*v, "/script");
      if (!parsed) return fail(parsed.error());
      script = std::move(*parsed);
    }
    return std::make_unique<MockTarget>(deps.client, std::move(*behavior), limits_of(c),
                                        std::move(script));
  }
  return fail(Error(ErrorCode::unprocessable, "targets of type " + row.type + " are unknown",
                    ErrorDetails{"/type", boost::json::value(row.type),
                                 "openai_chat, anthropic_messages, http or mock"}));
}

}  // namespace

Result<std::unique_ptr<Target>> make_target(const TargetSpec& row, const TargetDeps& deps) {
  auto t = build_target(row, deps);
  if (t) (*t)->set_connection_pool(row.owner + "/" + row.id);
  return t;
}

}  // namespace redcell

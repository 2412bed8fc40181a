// anthropic_messages: Anthropic's Messages API (POST {endpoint}/messages with x-api-key and
// anthropic-version). System turns go to the top-level "system"; the reply is the text
// parts of "content"; stop_reason "refusal" is recorded as blocked.
#include <boost/json.hpp>

#include "http/client/client.hpp"
#include "targets/builders.hpp"
#include "targets/target_type.hpp"

namespace redcell {

namespace {

constexpr const char* kAnthropicVersion = "2023-06-01";
constexpr std::int64_t kDefaultMaxTokens = 1024;  // the API requires max_tokens

class AnthropicMessagesTarget final : public Target {
 public:
  AnthropicMessagesTarget(http::HttpClient& client, boost::json::object config, std::string api_key)
      : client_(client), config_(std::move(config)), api_key_(std::move(api_key)) {
    limits_ = limits_of(config_);
    url_ = endpoint_url(config_, "/messages");
  }

  void send(TargetRequest request, std::function<void(TargetResult)> done) override {
    std::string system = config_string(config_, "system_prompt");
    boost::json::array messages;
    for (const auto& t : request.messages) {
      if (t.role == "system") {
        system += (system.empty() ? "" : "\n\n") + t.content;
        continue;
      }
      messages.push_back({{"role", t.role}, {"content", t.content}});
    }
    auto body = chat_body(config_, std::move(messages));
    if (!system.empty()) body["system"] = system;
    const auto* max_tokens = config_.if_contains("max_tokens");
    body["max_tokens"] = max_tokens ? *max_tokens : boost::json::value(kDefaultMaxTokens);
    auto req = json_post(url_, limits_, request.work_item_id);
    req.headers.emplace_back("anthropic-version", kAnthropicVersion);
    if (!api_key_.empty()) req.headers.emplace_back("x-api-key", api_key_);
    add_config_headers(config_, req.headers);
    req.body = boost::json::serialize(body);
    req.connection_pool = connection_pool_;
    client_.send(std::move(req),
                 [done = std::move(done)](Result<http::ClientResponse> r) { done(interpret(r)); });
  }

 private:
  static TargetResult interpret(const Result<http::ClientResponse>& r) {
    if (!r) return std::unexpected(transport_failure(r.error()));
    boost::system::error_code ec;
    auto doc = boost::json::parse(r->body, ec);
    if (r->status != 200) {
      std::string detail;
      if (!ec && doc.is_object())
        if (const auto* e = doc.as_object().if_contains("error"); e && e->is_object())
          detail = config_string(e->as_object(), "message");
      return std::unexpected(status_failure(*r, detail));
    }
    if (ec || !doc.is_object())
      return std::unexpected(
          TargetFailure{"the response is not valid JSON", true, std::nullopt, "processing"});
    const auto& o = doc.as_object();
    const auto* content = o.if_contains("content");
    if (!content || !content->is_array())
      return std::unexpected(
          TargetFailure{"the response has no content", true, std::nullopt, "processing"});
    TargetReply reply;
    for (const auto& part : content->as_array())
      if (part.is_object() && config_string(part.as_object(), "type") == "text")
        reply.text += config_string(part.as_object(), "text");
    complete_reply(reply,
                   config_string(o, "stop_reason") == "refusal"
                       ? std::optional<std::string>("the model refused (stop_reason refusal)")
                       : std::nullopt,
                   o, "input_tokens", "output_tokens");
    return reply;
  }

  http::HttpClient& client_;
  boost::json::object config_;
  std::string api_key_;
  std::string url_;
};

}  // namespace

TargetType anthropic_messages_type() {
  return TargetType{
      "anthropic_messages",
      "Anthropic's Messages API (x-api-key, anthropic-version; system turns in \"system\")",
      {"api_key", "api_key_env", "endpoint", "model", "system_prompt", "temperature", "max_tokens",
       "extra_body", "headers"},
      [](const JsonInput& body, const EndpointPolicy& policy, boost::json::object& out) {
        return read_chat_members(body, policy, out);
      },
      [](const boost::json::object& config, std::string key,
         const TargetDeps& deps) -> Result<std::unique_ptr<Target>> {
        return std::make_unique<AnthropicMessagesTarget>(deps.client, config, std::move(key));
      }};
}

}  // namespace redcell

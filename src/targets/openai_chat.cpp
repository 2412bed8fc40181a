// openai_chat: OpenAI's /chat/completions and every server that speaks it (Azure OpenAI
// with api-version + api-key, vLLM, Ollama, llama.cpp, LM Studio, LiteLLM).
#include <boost/json.hpp>

#include "http/client/client.hpp"
#include "targets/builders.hpp"
#include "targets/target_type.hpp"

namespace redcell {

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

}  // namespace

TargetType openai_chat_type() {
  return TargetType{
      "openai_chat",
      "OpenAI's chat completions API and every server that speaks it (Azure OpenAI with "
      "api_version, vLLM, Ollama, llama.cpp, LM Studio, LiteLLM)",
      {"api_key", "api_key_env", "endpoint", "model", "system_prompt", "temperature", "max_tokens",
       "extra_body", "headers", "api_version"},
      [](const JsonInput& body, const EndpointPolicy& policy, boost::json::object& out) {
        if (auto ok = read_chat_members(body, policy, out); !ok) return ok;
        // Azure OpenAI: ?api-version= and the api-key header instead of a bearer token.
        return copy_opt(out, "api_version", [&] { return body.opt_string("api_version", 50); });
      },
      [](const boost::json::object& config, std::string key,
         const TargetDeps& deps) -> Result<std::unique_ptr<Target>> {
        return std::make_unique<OpenAiChatTarget>(deps.client, config, std::move(key));
      }};
}

}  // namespace redcell

// http: any HTTP endpoint, from a request template. The body template's placeholders are
// replaced per send: {{prompt}} (the attack prompt), {{system_prompt}}, {{work_item_id}},
// escaped for use inside a JSON string; {{prompt_raw}} verbatim; {{prompt_url}}
// percent-encoded. Header values may use {{api_key}} (otherwise a key is sent as
// Authorization: Bearer). The reply is taken from the response by JSON Pointer or by the
// first group of a regular expression (RE2).
#include <re2/re2.h>

#include <boost/json.hpp>

#include "common/encoding.hpp"
#include "http/client/client.hpp"
#include "targets/builders.hpp"
#include "targets/target_type.hpp"

namespace redcell {

namespace {

std::string json_escaped(std::string_view s) {
  std::string quoted = boost::json::serialize(boost::json::string_view(s.data(), s.size()));
  return quoted.substr(1, quoted.size() - 2);
}

// Replaces every {{name}} with values[name]; unknown names stay as written.
std::string fill(std::string_view tmpl,
                 const std::vector<std::pair<std::string_view, std::string>>& values) {
  std::string out;
  out.reserve(tmpl.size() + 256);
  std::size_t at = 0;
  while (at < tmpl.size()) {
    auto open = tmpl.find("{{", at);
    if (open == std::string_view::npos) break;
    auto close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(tmpl.substr(at, open - at));
    const auto name = tmpl.substr(open + 2, close - open - 2);
    bool known = false;
    for (const auto& [k, v] : values)
      if (k == name) {
        out += v;
        known = true;
        break;
      }
    if (!known) out.append(tmpl.substr(open, close + 2 - open));
    at = close + 2;
  }
  out.append(tmpl.substr(at));
  return out;
}

// How the reply is taken from a response: by JSON Pointer, or by a regex's first group.
struct Extraction {
  std::string pointer;
  std::unique_ptr<RE2> regex;

  TargetResult interpret(const Result<http::ClientResponse>& r) const {
    if (!r) return std::unexpected(transport_failure(r.error()));
    if (r->status < 200 || r->status >= 300) return std::unexpected(status_failure(*r, ""));
    TargetReply reply;
    if (regex) {
      std::string group;
      const bool groups = regex->NumberOfCapturingGroups() > 0;
      re2::StringPiece whole;
      const bool hit =
          groups ? RE2::PartialMatch(r->body, *regex, &group) : RE2::PartialMatch(r->body, *regex);
      if (!hit)
        return std::unexpected(TargetFailure{"the response does not match response_regex", false,
                                             std::nullopt, "processing"});
      if (groups) {
        reply.text = std::move(group);
      } else {
        re2::StringPiece input(r->body);
        regex->Match(input, 0, input.size(), RE2::UNANCHORED, &whole, 1);
        reply.text = std::string(whole);
      }
    } else {
      boost::system::error_code ec;
      auto doc = boost::json::parse(r->body, ec);
      if (ec)
        return std::unexpected(
            TargetFailure{"the response is not valid JSON", true, std::nullopt, "processing"});
      const auto* v = doc.find_pointer(pointer, ec);
      if (!v || ec)
        return std::unexpected(TargetFailure{"the response has nothing at " + pointer, false,
                                             std::nullopt, "processing"});
      reply.text = v->is_string() ? std::string(v->as_string()) : boost::json::serialize(*v);
    }
    if (reply.text.empty()) {
      reply.response_error = "empty";
      reply.error_message = "the endpoint answered nothing";
    }
    return reply;
  }
};

bool is_content_type(std::string_view name) {
  static constexpr std::string_view kName = "content-type";
  return name.size() == kName.size() &&
         std::equal(name.begin(), name.end(), kName.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

class HttpTemplateTarget final : public Target {
 public:
  HttpTemplateTarget(http::HttpClient& client, boost::json::object config, std::string api_key,
                     std::shared_ptr<const Extraction> extract)
      : client_(client),
        config_(std::move(config)),
        api_key_(std::move(api_key)),
        extract_(std::move(extract)) {
    limits_ = limits_of(config_);
  }

  void send(TargetRequest request, std::function<void(TargetResult)> done) override {
    std::string prompt, system;
    for (const auto& t : request.messages) {
      if (t.role == "system") system += (system.empty() ? "" : "\n\n") + t.content;
      if (t.role == "user") prompt = t.content;
    }
    http::ClientRequest req;
    req.method = config_string(config_, "method");
    if (req.method.empty()) req.method = "POST";
    req.url = config_string(config_, "endpoint");
    req.timeout = limits_.timeout;
    req.headers.emplace_back("X-Redcell-Work-Item", request.work_item_id);
    bool key_placed = false;
    if (const auto* h = config_.if_contains("headers"); h && h->is_object())
      for (const auto& kv : h->as_object()) {
        if (!kv.value().is_string()) continue;
        const std::string_view v = kv.value().as_string();
        key_placed = key_placed || v.find("{{api_key}}") != std::string_view::npos;
        req.headers.emplace_back(
            kv.key(), fill(v, {{"api_key", api_key_}, {"work_item_id", request.work_item_id}}));
      }
    if (!api_key_.empty() && !key_placed)
      req.headers.emplace_back("Authorization", "Bearer " + api_key_);
    if (req.method != "GET") {
      bool has_type = false;
      for (const auto& [k, v] : req.headers) has_type = has_type || is_content_type(k);
      if (!has_type) req.headers.emplace_back("Content-Type", "application/json");
      req.body = fill(config_string(config_, "body_template"),
                      {{"prompt", json_escaped(prompt)},
                       {"prompt_raw", prompt},
                       {"prompt_url", percent_encode(prompt)},
                       {"system_prompt", json_escaped(system)},
                       {"work_item_id", json_escaped(request.work_item_id)}});
    }
    req.connection_pool = connection_pool_;
    client_.send(std::move(req),
                 [extract = extract_, done = std::move(done)](Result<http::ClientResponse> r) {
                   done(extract->interpret(r));
                 });
  }

 private:
  http::HttpClient& client_;
  boost::json::object config_;
  std::string api_key_;
  std::shared_ptr<const Extraction> extract_;  // shared with sends still in flight
};

Result<std::unique_ptr<Target>> build_http(const boost::json::object& config, std::string api_key,
                                           const TargetDeps& deps) {
  auto extract = std::make_shared<Extraction>();
  extract->pointer = config_string(config, "response_pointer");
  if (auto pattern = config_string(config, "response_regex"); !pattern.empty()) {
    RE2::Options options;
    options.set_log_errors(false);
    extract->regex = std::make_unique<RE2>(pattern, options);
    if (!extract->regex->ok())
      return fail(Error::invalid("/response_regex", boost::json::value(pattern),
                                 "a regular expression RE2 accepts", extract->regex->error()));
  }
  return std::unique_ptr<Target>(std::make_unique<HttpTemplateTarget>(
      deps.client, config, std::move(api_key), std::move(extract)));
}

Result<void> validate_http(const JsonInput& body, const EndpointPolicy& policy,
                           boost::json::object& out) {
  if (auto ok = read_endpoint(body, policy, out); !ok) return ok;
  auto method = body.opt_string("method", 10);
  if (!method) return fail(method.error());
  if (*method && **method != "POST" && **method != "PUT" && **method != "GET")
    return fail(
        Error::invalid(body.field("method"), boost::json::value(**method), "POST, PUT or GET"));
  out["method"] = method->value_or("POST");
  auto headers = read_headers(body);
  if (!headers) return fail(headers.error());
  out["headers"] = std::move(*headers);
  auto tmpl = body.string("body_template", 100000);
  if (!tmpl) return fail(tmpl.error());
  if (tmpl->find("{{prompt}}") == std::string::npos &&
      tmpl->find("{{prompt_raw}}") == std::string::npos &&
      tmpl->find("{{prompt_url}}") == std::string::npos)
    return fail(Error::invalid(body.field("body_template"), boost::json::value(*tmpl),
                               "a template containing {{prompt}} (JSON-escaped), "
                               "{{prompt_raw}} or {{prompt_url}}"));
  out["body_template"] = *tmpl;
  auto pointer = body.opt_string("response_pointer", 500, true);
  if (!pointer) return fail(pointer.error());
  auto regex = body.opt_string("response_regex", 1000);
  if (!regex) return fail(regex.error());
  if (!!*pointer == !!*regex)
    return fail(Error::invalid(body.field("response_pointer"),
                               *pointer ? boost::json::value(**pointer) : nullptr,
                               "exactly one of response_pointer (JSON Pointer) or "
                               "response_regex (its first group is the reply)"));
  if (*pointer) out["response_pointer"] = **pointer;
  if (*regex) {
    RE2::Options options;
    options.set_log_errors(false);
    RE2 compiled(**regex, options);
    if (!compiled.ok())
      return fail(Error::invalid(body.field("response_regex"), boost::json::value(**regex),
                                 "a regular expression RE2 accepts", compiled.error()));
    out["response_regex"] = **regex;
  }
  return {};
}

}  // namespace

TargetType http_type() {
  return TargetType{"http",
                    "Any HTTP endpoint, from a request template ({{prompt}}, {{prompt_raw}}, "
                    "{{prompt_url}}); the reply by JSON Pointer or regular expression",
                    {"api_key", "api_key_env", "endpoint", "method", "headers", "body_template",
                     "response_pointer", "response_regex"},
                    validate_http,
                    build_http};
}

}  // namespace redcell

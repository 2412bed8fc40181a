#include "targets/target_config.hpp"

#include <re2/re2.h>

#include <boost/json.hpp>

#include "http/wire.hpp"
#include "targets/mock_script.hpp"

namespace redcell {

namespace {

using boost::json::object;

// Copies an optional member into `out` when present and valid.
template <class Get>
Result<void> copy_opt(object& out, std::string_view name, Get get) {
  auto v = get();
  if (!v) return fail(v.error());
  if (*v) out[name] = **v;
  return {};
}

Result<object> limits_of(const JsonInput& body) {
  object out;
  auto given = body.opt_object("limits");
  if (!given) return fail(given.error());
  JsonInput in(*given, body.field("limits"));
  if (auto ok = in.only({"max_in_flight", "requests_per_minute", "tokens_per_minute", "timeout_ms",
                         "max_retries"});
      !ok)
    return fail(ok.error());
  struct Limit {
    const char* name;
    std::int64_t min, max, fallback;
  };
  // 0 requests/tokens per minute: no limit.
  for (auto l :
       {Limit{"max_in_flight", 1, 4096, 64}, Limit{"requests_per_minute", 0, 10'000'000, 0},
        Limit{"tokens_per_minute", 0, 1'000'000'000, 0}, Limit{"timeout_ms", 100, 600'000, 60'000},
        Limit{"max_retries", 0, 20, 3}}) {
    auto v = in.opt_int(l.name, l.min, l.max);
    if (!v) return fail(v.error());
    out[l.name] = v->value_or(l.fallback);
  }
  return out;
}

Result<object> string_map(const JsonInput& body, std::string_view name) {
  auto given = body.opt_object(name);
  if (!given) return fail(given.error());
  for (const auto& kv : *given)
    if (!kv.value().is_string())
      return fail(Error::invalid(body.field(name) + "/" + json_pointer_token(kv.key()), kv.value(),
                                 "a string"));
  return *given;
}

// A target's extra headers: names that are RFC 9110 tokens, values that cannot end their
// line (a CR/LF in either would split the outgoing request), none of the framing fields the
// client writes itself.
Result<object> headers_of(const JsonInput& body) {
  auto given = string_map(body, "headers");
  if (!given) return fail(given.error());
  if (given->size() > 64)
    return fail(Error::invalid(body.field("headers"), boost::json::value(given->size()),
                               "at most 64 headers"));
  for (const auto& kv : *given) {
    const std::string field = body.field("headers") + "/" + json_pointer_token(kv.key());
    const std::string_view name = kv.key();
    if (name.size() > 256 || !http::wire::is_token(name))
      return fail(Error::invalid(field, boost::json::value(name),
                                 "a header name of 1 to 256 token characters (letters, digits "
                                 "and !#$%&'*+-.^_`|~; no spaces, colons, CR or LF)"));
    if (http::wire::is_framing_field(name))
      return fail(Error::invalid(field, boost::json::value(name),
                                 "a header other than Host, Content-Length, Transfer-Encoding "
                                 "and Connection, which redcell writes itself"));
    const std::string_view v = kv.value().as_string();
    if (v.size() > 8192 || !http::wire::is_field_value(v))
      return fail(Error::invalid(field, kv.value(),
                                 "a header value of at most 8192 bytes without CR, LF, NUL or "
                                 "other control characters"));
  }
  return *given;
}

Result<void> llm_members(const JsonInput& body, object& out, bool model_required) {
  if (model_required || body.has("model")) {
    auto model = body.string("model", 200);
    if (!model) return fail(model.error());
    out["model"] = *model;
  }
  if (auto ok =
          copy_opt(out, "system_prompt", [&] { return body.opt_string("system_prompt", 100000); });
      !ok)
    return ok;
  if (auto ok = copy_opt(out, "temperature", [&] { return body.opt_number("temperature", 0, 2); });
      !ok)
    return ok;
  if (auto ok =
          copy_opt(out, "max_tokens", [&] { return body.opt_int("max_tokens", 1, 1'000'000); });
      !ok)
    return ok;
  return {};
}

Result<void> endpoint(const JsonInput& body, const EndpointPolicy& policy, object& out) {
  auto url = body.string("endpoint", 2000);
  if (!url) return fail(url.error());
  if (auto ok = policy.check_url(*url, body.field("endpoint")); !ok) return ok;
  out["endpoint"] = *url;
  return {};
}

}  // namespace

const std::vector<std::string>& target_types() {
  static const std::vector<std::string> types = {"openai_chat", "anthropic_messages", "http",
                                                 "mock"};
  return types;
}

Result<object> normalize_target_config(const JsonInput& body, const EndpointPolicy& policy) {
  auto type = body.string("type", 50);
  if (!type) return fail(type.error());
  object out;
  auto limits = limits_of(body);
  if (!limits) return fail(limits.error());
  out["limits"] = std::move(*limits);

  if (*type == "openai_chat" || *type == "anthropic_messages") {
    if (auto ok = body.only(
            {"name", "type", "api_key", "api_key_env", "limits", "endpoint", "model",
             "system_prompt", "temperature", "max_tokens", "extra_body", "headers", "api_version"},
            {"id", "owner", "created_at", "updated_at", "has_api_key"});
        !ok)
      return fail(ok.error());
    if (auto ok = endpoint(body, policy, out); !ok) return fail(ok.error());
    if (auto ok = llm_members(body, out, true); !ok) return fail(ok.error());
    auto extra = body.opt_object("extra_body");
    if (!extra) return fail(extra.error());
    out["extra_body"] = std::move(*extra);
    auto headers = headers_of(body);
    if (!headers) return fail(headers.error());
    out["headers"] = std::move(*headers);
    if (*type == "openai_chat") {
      // Azure OpenAI: ?api-version= and the api-key header instead of a bearer token.
      if (auto ok =
              copy_opt(out, "api_version", [&] { return body.opt_string("api_version", 50); });
          !ok)
        return fail(ok.error());
    } else if (body.has("api_version")) {
      return fail(Error::invalid(body.field("api_version"), *body.get("api_version"),
                                 "no api_version for anthropic_messages"));
    }
    return out;
  }
  if (*type == "http") {
    if (auto ok =
            body.only({"name", "type", "api_key", "api_key_env", "limits", "endpoint", "method",
                       "headers", "body_template", "response_pointer", "response_regex"},
                      {"id", "owner", "created_at", "updated_at", "has_api_key"});
        !ok)
      return fail(ok.error());
    if (auto ok = endpoint(body, policy, out); !ok) return fail(ok.error());
    auto method = body.opt_string("method", 10);
    if (!method) return fail(method.error());
    if (*method && **method != "POST" && **method != "PUT" && **method != "GET")
      return fail(
          Error::invalid(body.field("method"), boost::json::value(**method), "POST, PUT or GET"));
    out["method"] = method->value_or("POST");
    auto headers = headers_of(body);
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
    return out;
  }
  if (*type == "mock") {
    if (auto ok = body.only({"name", "type", "limits", "behavior", "seed", "latency_ms",
                             "comply_probability", "refuse_pattern", "script"},
                            {"id", "owner", "created_at", "updated_at", "has_api_key"});
        !ok)
      return fail(ok.error());
    auto behavior = body.opt_string("behavior", 20);
    if (!behavior) return fail(behavior.error());
    const std::string b = behavior->value_or("echo");
    if (b != "echo" && b != "refuse" && b != "comply" && b != "decode")
      return fail(Error::invalid(body.field("behavior"), boost::json::value(b),
                                 "one of echo, refuse, comply, decode"));
    out["behavior"] = b;
    auto seed = body.opt_int("seed", 0, std::numeric_limits<std::int64_t>::max());
    if (!seed) return fail(seed.error());
    out["seed"] = seed->value_or(1);
    auto latency = body.opt_int("latency_ms", 0, 600'000);
    if (!latency) return fail(latency.error());
    out["latency_ms"] = latency->value_or(0);
    auto p = body.opt_number("comply_probability", 0, 1);
    if (!p) return fail(p.error());
    out["comply_probability"] = p->value_or(b == "refuse" ? 0.0 : 1.0);
    if (auto ok = copy_opt(out, "refuse_pattern",
                           [&] { return body.opt_string("refuse_pattern", 1000); });
        !ok)
      return fail(ok.error());
    if (const auto* script = body.get("script")) {
      // Rules played in order against each conversation (targets/mock_script.hpp).
      auto parsed = MockScript::parse(*script, body.field("script"));
      if (!parsed) return fail(parsed.error());
      out["script"] = (*parsed)->to_json();
    }
    return out;
  }
  std::string known;
  for (const auto& t : target_types()) known += (known.empty() ? "" : ", ") + t;
  return fail(Error::invalid(body.field("type"), boost::json::value(*type), "one of " + known));
}

}  // namespace redcell

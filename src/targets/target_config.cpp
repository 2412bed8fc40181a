#include "targets/target_config.hpp"

#include <boost/json.hpp>

#include "http/wire.hpp"
#include "targets/builders.hpp"
#include "targets/target_type.hpp"

namespace redcell {

using boost::json::object;

namespace {

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

}  // namespace

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
Result<object> read_headers(const JsonInput& body) {
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

Result<void> read_llm_members(const JsonInput& body, object& out, bool model_required) {
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

Result<void> read_endpoint(const JsonInput& body, const EndpointPolicy& policy, object& out) {
  auto url = body.string("endpoint", 2000);
  if (!url) return fail(url.error());
  if (auto ok = policy.check_url(*url, body.field("endpoint")); !ok) return ok;
  out["endpoint"] = *url;
  return {};
}

Result<void> read_chat_members(const JsonInput& body, const EndpointPolicy& policy, object& out) {
  if (auto ok = read_endpoint(body, policy, out); !ok) return ok;
  if (auto ok = read_llm_members(body, out, true); !ok) return ok;
  auto extra = body.opt_object("extra_body");
  if (!extra) return fail(extra.error());
  out["extra_body"] = std::move(*extra);
  auto headers = read_headers(body);
  if (!headers) return fail(headers.error());
  out["headers"] = std::move(*headers);
  return {};
}

Result<object> normalize_target_config(const JsonInput& body, const EndpointPolicy& policy,
                                       const TargetTypes& types) {
  auto type = body.string("type", 50);
  if (!type) return fail(type.error());
  const TargetType* t = types.find(*type);
  if (!t)
    return fail(
        Error::invalid(body.field("type"), boost::json::value(*type), "one of " + types.known()));
  std::vector<std::string_view> allowed{"name", "type", "limits"};
  for (const auto& m : t->members) allowed.push_back(m);
  if (auto ok = body.only(allowed, {"id", "owner", "created_at", "updated_at", "has_api_key"}); !ok)
    return fail(ok.error());
  object out;
  auto limits = limits_of(body);
  if (!limits) return fail(limits.error());
  out["limits"] = std::move(*limits);
  if (auto ok = t->validate(body, policy, out); !ok) return fail(ok.error());
  return out;
}

}  // namespace redcell

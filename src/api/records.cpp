#include "api/records.hpp"

#include <boost/json.hpp>

#include "common/encoding.hpp"
#include "common/json_input.hpp"
#include "common/time.hpp"
#include "engine/execution_runner.hpp"

namespace redcell::api {

namespace {
template <class T>
boost::json::value opt(const std::optional<T>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}
boost::json::value parsed(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value(nullptr) : v;
}
boost::json::value or_null(const std::string& s) {
  return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}
}  // namespace

boost::json::object message_json(const memory::Message& m) {
  return {{"id", m.id},
          {"conversation_id", m.conversation_id},
          {"sequence", m.sequence},
          {"role", m.role},
          {"original_value", m.original_value},
          {"original_value_data_type", m.original_value_data_type},
          {"original_value_sha256", m.original_value_sha256},
          {"converted_value", m.converted_value},
          {"converted_value_data_type", m.converted_value_data_type},
          {"converted_value_sha256", m.converted_value_sha256},
          {"converters", parsed(m.converters)},
          {"target_id", or_null(m.target_id)},
          {"orchestrator_id", or_null(m.orchestrator_id)},
          {"execution_id", or_null(m.execution_id)},
          {"labels", parsed(m.labels)},
          {"metadata", parsed(m.metadata)},
          {"response_error", m.response_error},
          {"error_message", or_null(m.error_message)},
          {"latency_ms", opt(m.latency_ms)},
          {"prompt_tokens", opt(m.prompt_tokens)},
          {"completion_tokens", opt(m.completion_tokens)},
          {"created_at", format_time(m.created_at)}};
}

memory::ScorerEvaluation evaluation_record(const boost::json::value& scorer,
                                           const boost::json::object& report,
                                           std::string config_id) {
  memory::ScorerEvaluation e;
  e.scorer_config_id = std::move(config_id);
  e.scorer = canonical_json(scorer);
  e.scorer_hash = sha256_hex(e.scorer);
  e.report = boost::json::serialize(report);
  return e;
}

boost::json::object user_json(const memory::User& u) {
  boost::json::array roles;
  for (const auto& r : u.roles) roles.emplace_back(r);
  return {{"id", u.id},
          {"issuer", u.issuer},
          {"subject", u.subject},
          {"username", u.username},
          {"display_name", u.display_name},
          {"roles", std::move(roles)},
          {"merged_into", or_null(u.merged_into)},
          {"created_at", format_time(u.created_at)},
          {"updated_at", format_time(u.updated_at)}};
}

boost::json::object score_json(const memory::Score& s) {
  boost::json::object o{{"id", s.id},
                        {"message_id", s.message_id},
                        {"scorer_type", s.scorer_type},
                        {"scorer_identity", parsed(s.scorer_identity)},
                        {"score_type", s.score_type},
                        {"value", s.value},
                        {"category", s.category},
                        {"rationale", s.rationale},
                        {"metadata", parsed(s.metadata)},
                        {"override_value", opt(s.override_value)},
                        {"override_reason", opt(s.override_reason)},
                        {"overridden_by", opt(s.overridden_by)},
                        {"created_at", format_time(s.created_at)}};
  o["overridden_at"] =
      s.overridden_at ? boost::json::value(format_time(*s.overridden_at)) : nullptr;
  o["effective_value"] = s.override_value ? *s.override_value : s.value;
  return o;
}

Result<boost::json::array> conversation_messages(memory::Store& store, const memory::Scope& scope,
                                                 const std::string& conversation_id) {
  memory::MessageFilter filter;
  filter.conversation_id = conversation_id;
  boost::json::array messages;
  PageRequest page{kMaxPageLimit, std::nullopt};
  for (;;) {
    auto got = store.list_messages(scope, filter, page);
    if (!got) return fail(got.error());
    for (const auto& m : got->items) {
      auto json = message_json(m);
      memory::ScoreFilter sf;
      sf.message_id = m.id;
      auto sc = store.list_scores(scope, sf, PageRequest{kMaxPageLimit, std::nullopt});
      if (!sc) return fail(sc.error());
      boost::json::array scores;
      for (const auto& x : sc->items) scores.push_back(score_json(x));
      json["scores"] = std::move(scores);
      messages.push_back(std::move(json));
    }
    if (!got->next) return messages;
    page.after = got->next;
  }
}

boost::json::array helper_exchanges_json(const std::vector<HelperExchange>& exchanges) {
  boost::json::array out;
  for (const auto& x : exchanges) {
    boost::json::array messages;
    for (const auto& m : x.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
    out.push_back(
        {{"target_id", x.target_id},
         {"purpose", x.purpose},
         {"messages", std::move(messages)},
         {"reply", x.error.empty() ? boost::json::value(x.reply) : nullptr},
         {"error", x.error.empty() ? boost::json::value(nullptr) : boost::json::value(x.error)},
         {"latency_ms", x.latency_ms}});
  }
  return out;
}

}  // namespace redcell::api

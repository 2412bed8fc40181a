#include "memory/prepare.hpp"

#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <utility>

#include "common/encoding.hpp"

namespace redcell::memory {

namespace {

Result<void> one_of(std::string_view value, std::initializer_list<std::string_view> allowed,
                    const std::string& field) {
  std::string list;
  for (auto a : allowed) {
    if (value == a) return {};
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return fail(Error::invalid(field, boost::json::value(std::string(value)), "one of " + list));
}

// The JSON texts an execution writes repeat row after row (its converter chain, its
// scorers' identities, "{}"), so the last few found valid are remembered per thread and
// each is parsed once, not once per row (a parse per score row was a tenth of the work of
// recording a result with three scorers). Only short texts are kept.
class ValidJson {
 public:
  bool known(const std::string& text, bool object) const {
    if (text.empty()) return false;  // what an unused place holds; never valid JSON
    for (const auto& [t, o] : seen_)
      if (o == object && t == text) return true;
    return false;
  }
  void remember(const std::string& text, bool object) {
    if (text.size() > kLongest) return;
    seen_[next_] = {text, object};
    next_ = (next_ + 1) % seen_.size();
  }

 private:
  static constexpr std::size_t kLongest = 2048;
  std::array<std::pair<std::string, bool>, 16> seen_{};
  std::size_t next_ = 0;
};

Result<void> json_of_kind(const std::string& text, bool object, const std::string& field) {
  thread_local ValidJson valid;
  if ((object && text == "{}") || (!object && text == "[]") || valid.known(text, object)) return {};
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || (object ? !v.is_object() : !v.is_array()))
    return fail(
        Error::invalid(field, boost::json::value(text), object ? "a JSON object" : "a JSON array"));
  valid.remember(text, object);
  return {};
}

Result<void> non_empty(const std::string& v, const std::string& field) {
  if (!v.empty()) return {};
  return fail(Error::invalid(field, boost::json::value(v), "a non-empty string"));
}

}  // namespace

Result<std::string> owner_for(const Scope& scope, const std::string& given,
                              const std::string& field) {
  if (!scope.is_system()) return scope.user_id();
  if (given.empty())
    return fail(Error::invalid(field, nullptr, "an owner: system-scope writes name the user"));
  return given;
}

Result<void> prepare_messages(const Scope& scope, std::vector<Message>& messages, IdGenerator& ids,
                              const Clock& clock) {
  auto now = clock.now();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto& m = messages[i];
    const std::string at = "/messages/" + std::to_string(i);
    auto owner = owner_for(scope, m.owner, at + "/owner");
    if (!owner) return fail(owner.error());
    m.owner = std::move(*owner);
    if (auto ok = non_empty(m.conversation_id, at + "/conversation_id"); !ok) return ok;
    if (m.sequence < 0)
      return fail(Error::invalid(at + "/sequence", boost::json::value(m.sequence),
                                 "a non-negative integer"));
    if (auto ok = one_of(m.role, {"system", "user", "assistant"}, at + "/role"); !ok) return ok;
    if (auto ok = one_of(m.response_error, {"none", "blocked", "processing", "empty", "unknown"},
                         at + "/response_error");
        !ok)
      return ok;
    if (auto ok = non_empty(m.original_value_data_type, at + "/original_value_data_type"); !ok)
      return ok;
    if (auto ok = non_empty(m.converted_value_data_type, at + "/converted_value_data_type"); !ok)
      return ok;
    if (auto ok = json_of_kind(m.converters, false, at + "/converters"); !ok) return ok;
    if (auto ok = json_of_kind(m.labels, true, at + "/labels"); !ok) return ok;
    if (auto ok = json_of_kind(m.metadata, true, at + "/metadata"); !ok) return ok;
    m.id = ids.next();
    m.original_value_sha256 = sha256_hex(m.original_value);
    m.converted_value_sha256 = m.converted_value == m.original_value
                                   ? m.original_value_sha256
                                   : sha256_hex(m.converted_value);
    m.created_at = now;
  }
  return {};
}

Result<void> check_score_value(std::string_view score_type, std::string_view value,
                               const std::string& field) {
  if (score_type == "true_false") return one_of(value, {"true", "false"}, field);
  double d = -1;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
  if (ec != std::errc() || p != value.data() + value.size() || !(d >= 0.0 && d <= 1.0))
    return fail(Error::invalid(field, boost::json::value(std::string(value)),
                               "a decimal from 0 to 1 (float_scale)"));
  return {};
}

Result<void> prepare_score(const Scope& scope, Score& s, IdGenerator& ids, const Clock& clock) {
  auto owner = owner_for(scope, s.owner, "/owner");
  if (!owner) return fail(owner.error());
  s.owner = std::move(*owner);
  if (auto ok = non_empty(s.message_id, "/message_id"); !ok) return ok;
  if (auto ok = non_empty(s.scorer_type, "/scorer_type"); !ok) return ok;
  if (auto ok = one_of(s.score_type, {"true_false", "float_scale"}, "/score_type"); !ok) return ok;
  // A judge that could not decide is stored as such, with its reason in the rationale.
  if (s.value != "undetermined")
    if (auto ok = check_score_value(s.score_type, s.value, "/value"); !ok) return ok;
  if (auto ok = json_of_kind(s.scorer_identity, true, "/scorer_identity"); !ok) return ok;
  if (auto ok = json_of_kind(s.metadata, true, "/metadata"); !ok) return ok;
  s.id = ids.next();
  s.created_at = clock.now();
  s.override_value.reset();
  s.override_reason.reset();
  s.overridden_by.reset();
  s.overridden_at.reset();
  return {};
}

Result<void> prepare_audit(const Scope& scope, AuditEvent& e, IdGenerator& ids,
                           const Clock& clock) {
  if (scope.is_system() && e.owner.empty()) e.owner = "system";
  if (!scope.is_system()) e.owner = scope.user_id();
  if (auto ok = non_empty(e.action, "/action"); !ok) return ok;
  if (auto ok = json_of_kind(e.details, true, "/details"); !ok) return ok;
  e.id = ids.next();
  e.created_at = clock.now();
  return {};
}

Result<void> prepare_api_key(const Scope& scope, ApiKey& k, IdGenerator& ids, const Clock& clock) {
  auto owner = owner_for(scope, k.owner, "/owner");
  if (!owner) return fail(owner.error());
  k.owner = std::move(*owner);
  if (auto ok = non_empty(k.name, "/name"); !ok) return ok;
  if (k.prefix.size() < 8)
    return fail(Error::invalid("/prefix", boost::json::value(k.prefix), "at least 8 characters"));
  if (k.secret_hash.size() != 64)
    return fail(Error::invalid("/secret_hash", nullptr, "a hex SHA-256 digest"));
  k.id = ids.next();
  k.created_at = clock.now();
  k.last_used_at.reset();
  k.revoked_at.reset();
  return {};
}

Result<void> prepare_target(const Scope& scope, Target& t, IdGenerator& ids, const Clock& clock) {
  auto owner = owner_for(scope, t.owner, "/owner");
  if (!owner) return fail(owner.error());
  t.owner = std::move(*owner);
  if (auto ok = non_empty(t.name, "/name"); !ok) return ok;
  if (auto ok = non_empty(t.type, "/type"); !ok) return ok;
  if (auto ok = json_of_kind(t.config, true, "/config"); !ok) return ok;
  if (t.id.empty()) t.id = ids.next();
  t.created_at = t.updated_at = clock.now();
  return {};
}

Result<void> prepare_scorer_config(const Scope& scope, ScorerConfig& c, IdGenerator& ids,
                                   const Clock& clock) {
  auto owner = owner_for(scope, c.owner, "/owner");
  if (!owner) return fail(owner.error());
  c.owner = std::move(*owner);
  if (auto ok = non_empty(c.name, "/name"); !ok) return ok;
  if (auto ok = json_of_kind(c.scorer, true, "/scorer"); !ok) return ok;
  if (c.id.empty()) c.id = ids.next();
  c.created_at = c.updated_at = clock.now();
  return {};
}

Result<void> prepare_scorer_evaluation(const Scope& scope, ScorerEvaluation& e, IdGenerator& ids,
                                       const Clock& clock) {
  auto owner = owner_for(scope, e.owner, "/owner");
  if (!owner) return fail(owner.error());
  e.owner = std::move(*owner);
  if (auto ok = json_of_kind(e.scorer, true, "/scorer"); !ok) return ok;
  if (auto ok = json_of_kind(e.report, true, "/report"); !ok) return ok;
  if (auto ok = non_empty(e.scorer_hash, "/scorer_hash"); !ok) return ok;
  e.id = ids.next();
  e.created_at = clock.now();
  return {};
}

Result<void> prepare_orchestrator(const Scope& scope, Orchestrator& o, IdGenerator& ids,
                                  const Clock& clock) {
  auto owner = owner_for(scope, o.owner, "/owner");
  if (!owner) return fail(owner.error());
  o.owner = std::move(*owner);
  if (auto ok = non_empty(o.name, "/name"); !ok) return ok;
  if (auto ok = non_empty(o.type, "/type"); !ok) return ok;
  if (auto ok = json_of_kind(o.definition, true, "/definition"); !ok) return ok;
  if (o.config_hash.empty()) o.config_hash = sha256_hex(o.definition);
  o.id = ids.next();
  o.created_at = o.updated_at = clock.now();
  o.reused = false;
  return {};
}

Result<void> prepare_seed_prompts(const Scope& scope, std::vector<SeedPrompt>& prompts,
                                  IdGenerator& ids, std::size_t first) {
  if (prompts.empty() && first == 0)
    return fail(Error::invalid("/prompts", boost::json::array(), "at least one prompt"));
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    auto& p = prompts[i];
    const std::string at = "/prompts/" + std::to_string(first + i);
    auto owner = owner_for(scope, p.owner, at + "/owner");
    if (!owner) return fail(owner.error());
    p.owner = std::move(*owner);
    if (auto ok = non_empty(p.value, at + "/value"); !ok) return ok;
    if (auto ok = non_empty(p.data_type, at + "/data_type"); !ok) return ok;
    if (auto ok = json_of_kind(p.harm_categories, false, at + "/harm_categories"); !ok) return ok;
    if (auto ok = json_of_kind(p.metadata, true, at + "/metadata"); !ok) return ok;
    p.id = ids.next();
    p.position = static_cast<std::int64_t>(first + i);
  }
  return {};
}

bool execution_status_is_terminal(std::string_view s) {
  return s == "succeeded" || s == "failed" || s == "cancelled" || s == "incomplete";
}

bool execution_transition_allowed(std::string_view from, std::string_view to) {
  if (from == "queued") return to == "running" || to == "cancelled" || to == "failed";
  if (from == "running")
    return to == "succeeded" || to == "failed" || to == "cancelled" || to == "interrupted" ||
           to == "incomplete";
  if (from == "interrupted") return to == "running" || to == "cancelled" || to == "failed";
  return false;
}

Result<void> prepare_execution(const Scope& scope, Execution& e, IdGenerator& ids,
                               const Clock& clock) {
  auto owner = owner_for(scope, e.owner, "/owner");
  if (!owner) return fail(owner.error());
  e.owner = std::move(*owner);
  if (auto ok = non_empty(e.orchestrator_id, "/orchestrator_id"); !ok) return ok;
  if (auto ok = json_of_kind(e.snapshot, true, "/snapshot"); !ok) return ok;
  e.id = ids.next();
  e.status = "queued";
  e.counts = {};
  e.error.clear();
  e.created_at = e.updated_at = clock.now();
  e.started_at.reset();
  e.finished_at.reset();
  return {};
}

Result<void> prepare_work_items(const Scope& scope, std::vector<WorkItem>& items,
                                const Clock& clock) {
  auto now = clock.now();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto& w = items[i];
    const std::string at = "/work_items/" + std::to_string(i);
    auto owner = owner_for(scope, w.owner, at + "/owner");
    if (!owner) return fail(owner.error());
    w.owner = std::move(*owner);
    if (auto ok = non_empty(w.id, at + "/id"); !ok) return ok;
    if (auto ok = non_empty(w.execution_id, at + "/execution_id"); !ok) return ok;
    if (auto ok = non_empty(w.prompt_id, at + "/prompt_id"); !ok) return ok;
    w.status = "pending";
    w.claimed_by.clear();
    w.lease_expires_at.reset();
    w.updated_at = now;
  }
  return {};
}

Result<void> prepare_attack_result(const Scope& scope, AttackResult& r, IdGenerator& ids,
                                   const Clock& clock) {
  auto owner = owner_for(scope, r.owner, "/owner");
  if (!owner) return fail(owner.error());
  r.owner = std::move(*owner);
  if (auto ok = non_empty(r.execution_id, "/execution_id"); !ok) return ok;
  if (auto ok = non_empty(r.conversation_id, "/conversation_id"); !ok) return ok;
  if (auto ok =
          one_of(r.outcome, {"achieved", "not_achieved", "undetermined", "error"}, "/outcome");
      !ok)
    return ok;
  if (auto ok = json_of_kind(r.metadata, true, "/metadata"); !ok) return ok;
  r.id = ids.next();
  r.created_at = clock.now();
  return {};
}

Result<void> prepare_user(const Scope& scope, User& u) {
  if (!scope.is_system())
    return fail(Error(ErrorCode::forbidden, "users are created by the system scope only"));
  if (auto ok = non_empty(u.issuer, "/issuer"); !ok) return ok;
  if (auto ok = non_empty(u.subject, "/subject"); !ok) return ok;
  return {};
}

}  // namespace redcell::memory

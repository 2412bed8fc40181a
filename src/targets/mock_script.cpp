#include "targets/mock_script.hpp"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "common/json_input.hpp"

namespace redcell {

struct MockScript::Rule {
  std::unique_ptr<RE2> match;
  std::unique_ptr<RE2> system;  // null: any system prompt
  std::int64_t min_user_turns = 0;
  std::string reply;
};

MockScript::~MockScript() = default;

namespace {

Result<std::unique_ptr<RE2>> compile(const std::string& pattern, const std::string& field) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok())
    return fail(Error::invalid(field, boost::json::value(pattern),
                               "a regular expression RE2 accepts", re->error()));
  return re;
}

// The template with $0..$9 replaced by the match's groups (an unmatched group is empty).
std::string expand(const std::string& tmpl, const std::vector<re2::StringPiece>& groups) {
  std::string out;
  out.reserve(tmpl.size());
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '$' && i + 1 < tmpl.size() && tmpl[i + 1] >= '0' && tmpl[i + 1] <= '9') {
      const auto g = static_cast<std::size_t>(tmpl[i + 1] - '0');
      if (g < groups.size() && groups[g].data()) out.append(groups[g].data(), groups[g].size());
      ++i;
    } else {
      out.push_back(tmpl[i]);
    }
  }
  return out;
}

boost::json::value scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return boost::json::value(s);  // quoted
  if (s == "~" || s == "null" || s.empty()) return nullptr;
  if (s == "true") return true;
  if (s == "false") return false;
  std::int64_t i = 0;
  if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      ec == std::errc() && p == s.data() + s.size())
    return i;
  double d = 0;
  if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      ec == std::errc() && p == s.data() + s.size())
    return d;
  return boost::json::value(s);
}

boost::json::value convert(const YAML::Node& n, int depth) {
  if (depth > 64) throw YAML::Exception(n.Mark(), "nested deeper than 64 levels");
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      boost::json::object o;
      for (const auto& kv : n) o[kv.first.as<std::string>()] = convert(kv.second, depth + 1);
      return o;
    }
    case YAML::NodeType::Sequence: {
      boost::json::array a;
      for (const auto& e : n) a.push_back(convert(e, depth + 1));
      return a;
    }
    case YAML::NodeType::Scalar:
      return scalar(n);
    default:
      return nullptr;
  }
}

}  // namespace

Result<boost::json::value> yaml_to_json(const std::string& text, const std::string& source) {
  try {
    return convert(YAML::Load(text), 0);
  } catch (const YAML::Exception& e) {
    return fail(Error::invalid(
        "", boost::json::value(source + ":" + std::to_string(e.mark.line + 1)), "valid YAML",
        source + " line " + std::to_string(e.mark.line + 1) + ": " + e.msg));
  }
}

Result<std::shared_ptr<const MockScript>> MockScript::parse(const boost::json::value& v,
                                                            const std::string& at) {
  auto in = JsonInput::of(v, at, "a script {\"rules\": [...], \"default\": \"...\"}");
  if (!in) return fail(in.error());
  if (auto ok = in->only({"rules", "default"}); !ok) return fail(ok.error());
  std::shared_ptr<MockScript> script(new MockScript());
  auto def = in->opt_string("default", 100'000, true);
  if (!def) return fail(def.error());
  script->default_ = *def;
  const auto* rules = in->get("rules");
  if (rules && !rules->is_array())
    return fail(Error::invalid(in->field("rules"), *rules, "an array of rules"));
  if (rules && rules->as_array().size() > kMaxMockRules)
    return fail(Error::invalid(in->field("rules"), boost::json::value(rules->as_array().size()),
                               "at most " + std::to_string(kMaxMockRules) + " rules"));
  if (rules)
    for (std::size_t i = 0; i < rules->as_array().size(); ++i) {
      const std::string rat = in->field("rules") + "/" + std::to_string(i);
      auto r = JsonInput::of(rules->as_array()[i], rat,
                             "a rule {\"match\", \"system\"?, \"min_user_turns\"?, \"reply\"}");
      if (!r) return fail(r.error());
      if (auto ok = r->only({"match", "system", "min_user_turns", "reply"}); !ok)
        return fail(ok.error());
      Rule rule;
      auto match = r->string("match", 2000);
      if (!match) return fail(match.error());
      auto re = compile(*match, r->field("match"));
      if (!re) return fail(re.error());
      rule.match = std::move(*re);
      auto system = r->opt_string("system", 2000);
      if (!system) return fail(system.error());
      if (*system) {
        auto sre = compile(**system, r->field("system"));
        if (!sre) return fail(sre.error());
        rule.system = std::move(*sre);
      }
      auto turns = r->opt_int("min_user_turns", 0, 1000);
      if (!turns) return fail(turns.error());
      rule.min_user_turns = turns->value_or(0);
      const auto* reply = r->get("reply");
      if (!reply || !reply->is_string())
        return fail(Error::invalid(r->field("reply"), reply ? *reply : boost::json::value(),
                                   "a string (quote it in YAML when it looks like a number)"));
      if (reply->as_string().size() > 100'000)
        return fail(Error::invalid(r->field("reply"), boost::json::value(reply->as_string().size()),
                                   "at most 100000 bytes"));
      rule.reply = std::string(reply->as_string());
      script->rules_.push_back(std::move(rule));
    }
  return std::shared_ptr<const MockScript>(std::move(script));
}

Result<std::shared_ptr<const MockScript>> MockScript::load(const std::string& path) {
  std::ifstream f(path);
  if (!f) return fail(Error::invalid("--script", boost::json::value(path), "a readable YAML file"));
  std::stringstream ss;
  ss << f.rdbuf();
  if (ss.str().size() > (4 << 20))
    return fail(Error::invalid("--script", boost::json::value(path), "a file of at most 4 MiB"));
  auto json = yaml_to_json(ss.str(), path);
  if (!json) return fail(json.error());
  auto script = parse(*json, "");
  if (!script) {
    const auto& e = script.error();
    return e.details() ? fail(Error(e.code(), path + ": " + e.message(), *e.details()))
                       : fail(Error(e.code(), path + ": " + e.message()));
  }
  return script;
}

std::optional<std::string> MockScript::reply(const std::vector<ChatTurn>& messages) const {
  std::string_view last_user, system;
  std::int64_t user_turns = 0;
  for (const auto& m : messages) {
    if (m.role == "user") {
      last_user = m.content;
      ++user_turns;
    } else if (m.role == "system" && system.empty()) {
      system = m.content;
    }
  }
  std::vector<re2::StringPiece> groups;
  for (const auto& r : rules_) {
    if (user_turns < r.min_user_turns) continue;
    if (r.system && !RE2::PartialMatch(system, *r.system)) continue;
    groups.assign(static_cast<std::size_t>(std::min(r.match->NumberOfCapturingGroups(), 9)) + 1,
                  re2::StringPiece());
    if (!r.match->Match(last_user, 0, last_user.size(), RE2::UNANCHORED, groups.data(),
                        static_cast<int>(groups.size())))
      continue;
    return expand(r.reply, groups);
  }
  return default_;
}

boost::json::value MockScript::to_json() const {
  boost::json::array rules;
  for (const auto& r : rules_) {
    boost::json::object o{
        {"match", r.match->pattern()}, {"min_user_turns", r.min_user_turns}, {"reply", r.reply}};
    if (r.system) o["system"] = r.system->pattern();
    rules.push_back(std::move(o));
  }
  boost::json::object out{{"rules", std::move(rules)}};
  if (default_) out["default"] = *default_;
  return out;
}

}  // namespace redcell

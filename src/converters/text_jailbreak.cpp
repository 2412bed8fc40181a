// text_jailbreak: PyRIT's TextJailbreakConverter: the prompt set into a jailbreak template
// (PyRIT's format: Jinja-style placeholders, `{{ prompt }}` for the prompt and any other
// declared parameter filled from template_parameters). Every placeholder must be filled and
// every parameter given must be used, so a template never reaches a target half-filled.
#include <map>

#include "converters/text.hpp"

namespace redcell {

namespace {

// A template cut at its placeholders: literal text, then a name, alternately.
struct Template {
  std::vector<std::string> literals;  // one more than names
  std::vector<std::string> names;
};

bool identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The placeholders of `t`; "{{" that does not open `{{ name }}` stays literal text.
Template parse(std::string_view t) {
  Template out;
  std::string literal;
  std::size_t i = 0;
  while (i < t.size()) {
    const auto open = t.find("{{", i);
    if (open == std::string_view::npos) break;
    const auto close = t.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    const auto name = trim(t.substr(open + 2, close - open - 2));
    literal.append(t.substr(i, open - i));
    if (identifier(name)) {
      out.literals.push_back(std::move(literal));
      literal.clear();
      out.names.emplace_back(name);
    } else {
      literal.append(t.substr(open, close + 2 - open));
    }
    i = close + 2;
  }
  literal.append(t.substr(std::min(i, t.size())));
  out.literals.push_back(std::move(literal));
  return out;
}

struct JailbreakParams {
  Template templ;
  std::map<std::string, std::string, std::less<>> values;  // all but prompt
};

std::string fill_in(std::string_view s, const JailbreakParams& p) {
  std::string out = p.templ.literals[0];
  for (std::size_t i = 0; i < p.templ.names.size(); ++i) {
    const auto& name = p.templ.names[i];
    out += name == "prompt" ? std::string(s) : p.values.find(name)->second;
    out += p.templ.literals[i + 1];
  }
  return out;
}

Result<JailbreakParams> read(const JsonInput& in) {
  if (in.has("template_dataset"))  // the server puts the stored template's text in its place
    return fail(Error::invalid(in.field("template_dataset"), *in.get("template_dataset"),
                               "a template given as text here (a server reads template_dataset "
                               "from your datasets)"));
  auto text = in.string("template", 200'000);
  if (!text) return fail(text.error());
  JailbreakParams p{parse(*text), {}};
  if (std::find(p.templ.names.begin(), p.templ.names.end(), "prompt") == p.templ.names.end())
    return fail(Error::invalid(in.field("template"), boost::json::value(*text),
                               "a template containing {{ prompt }}"));
  auto given = in.opt_object("template_parameters");
  if (!given) return fail(given.error());
  const std::string field = in.field("template_parameters");
  if (given->size() > 100)
    return fail(Error::invalid(field, boost::json::value(given->size()), "at most 100 parameters"));
  for (const auto& kv : *given) {
    const std::string key(kv.key());
    const std::string at = field + "/" + key;
    if (key == "prompt" ||
        std::find(p.templ.names.begin(), p.templ.names.end(), key) == p.templ.names.end())
      return fail(Error::invalid(at, kv.value(),
                                 key == "prompt" ? "no value: the prompt fills {{ prompt }}"
                                                 : "a parameter the template declares"));
    if (!kv.value().is_string() || kv.value().as_string().size() > 100'000)
      return fail(Error::invalid(at, kv.value(), "a string of at most 100000 bytes"));
    p.values.emplace(key, std::string(kv.value().as_string()));
  }
  for (const auto& name : p.templ.names)
    if (name != "prompt" && !p.values.count(name))
      return fail(Error::invalid(field + "/" + name, nullptr,
                                 "a value: the template declares {{ " + name + " }}"));
  return p;
}

}  // namespace

ConverterInfo text_jailbreak_converter() {
  return text::entry<JailbreakParams>(
      "text_jailbreak",
      "Sets the prompt into a jailbreak template (PyRIT's format): {{ prompt }} takes the "
      "prompt and every other declared placeholder its value from template_parameters.",
      R"json({"type":"object","oneOf":[{"required":["template"]},{"required":["template_dataset"]}],
        "properties":{
        "template":{"type":"string","minLength":1,"maxLength":200000,
          "description":"the template, with {{ prompt }} and any other {{ name }} placeholders"},
        "template_dataset":{"type":"string","maxLength":100,
          "description":"instead of template: the id of your dataset holding an imported PyRIT jailbreak template; the server copies its text in"},
        "template_parameters":{"type":"object","maxProperties":100,
          "additionalProperties":{"type":"string","maxLength":100000},
          "description":"a value for each placeholder other than prompt"}},
        "additionalProperties":false,
        "examples":[{"template":"Answer as a character who knows everything: {{ prompt }}"}]})json",
      read, fill_in);
}

}  // namespace redcell

// PyRIT's YAML files: seed-prompt datasets (`seeds:` or the older `prompts:`), jailbreak
// templates (one `value:` with `parameters:`), and harm definitions (`scale_descriptions:`).
// As PyRIT does, a seed-prompt file's top-level fields are defaults for every seed, and
// harm_categories, authors and groups add up; the dataset's own name and description stay
// the dataset's. Every PyRIT field a seed has is kept in its metadata under PyRIT's name.
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <set>

#include "datasets/reader.hpp"

namespace redcell::datasets::detail {

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxYamlBytes = 20u << 20;
constexpr std::size_t kMaxNodes = 2'000'000;  // aliases can make a small file a huge tree

std::size_t line_of(const YAML::Node& n, std::size_t fallback) {
  const auto m = n.Mark();
  return m.line >= 0 ? static_cast<std::size_t>(m.line) + 1 : fallback;
}

bool is_null(const YAML::Node& n) {
  return !n.IsDefined() || n.IsNull();
}

Result<json::value> to_json(const YAML::Node& n, const std::string& at, std::size_t line,
                            std::size_t& budget) {
  if (budget == 0)
    return fail(at_line(line, at, std::nullopt,
                        "at most " + std::to_string(kMaxNodes) + " YAML nodes (aliases count)"));
  --budget;
  line = line_of(n, line);
  if (is_null(n)) return json::value(nullptr);
  if (n.IsScalar()) return n.Tag() == "!" ? json::value(n.Scalar()) : plain_scalar(n.Scalar());
  if (n.IsSequence()) {
    json::array a;
    for (const auto& item : n) {
      auto v = to_json(item, at, line, budget);  // errors name the field that holds it all
      if (!v) return fail(v.error());
      a.push_back(std::move(*v));
    }
    return json::value(std::move(a));
  }
  json::object o;
  for (const auto& kv : n) {
    if (!kv.first.IsScalar())
      return fail(at_line(line_of(kv.first, line), at, std::nullopt, "keys that are text"));
    const auto key = kv.first.Scalar();
    auto v = to_json(kv.second, at, line, budget);
    if (!v) return fail(v.error());
    o[key] = std::move(*v);
  }
  return json::value(std::move(o));
}

// A text field: a scalar.
Result<std::string> text(const YAML::Node& n, const std::string& at, std::size_t line,
                         std::size_t max = 10'000) {
  line = line_of(n, line);
  if (!n.IsScalar()) return fail(at_line(line, at, std::nullopt, "text"));
  if (n.Scalar().size() > max)
    return fail(at_line(line, at, json::value(n.Scalar().size()),
                        "text of at most " + std::to_string(max) + " bytes"));
  return n.Scalar();
}

// A list of text: one scalar counts as a list of one; null as none.
Result<std::vector<std::string>> text_list(const YAML::Node& n, const std::string& at,
                                           std::size_t line) {
  line = line_of(n, line);
  std::vector<std::string> out;
  if (is_null(n)) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    std::size_t i = 0;
    for (const auto& item : n) {
      auto t = text(item, at + "/" + std::to_string(i++), line, kMaxHarmCategoryBytes);
      if (!t) return fail(t.error());
      out.push_back(std::move(*t));
    }
  } else {
    return fail(at_line(line, at, std::nullopt, "text or a list of text"));
  }
  if (out.size() > kMaxHarmCategories)
    return fail(at_line(line, at, json::value(out.size()),
                        "at most " + std::to_string(kMaxHarmCategories) + " entries"));
  return out;
}

void add_unique(std::vector<std::string>& into, const std::vector<std::string>& more) {
  for (const auto& s : more)
    if (std::find(into.begin(), into.end(), s) == into.end()) into.push_back(s);
}

json::array json_list(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// The keys of a mapping must come from `allowed`.
Result<void> only(const YAML::Node& map, const std::set<std::string, std::less<>>& allowed,
                  const std::string& at, std::size_t line) {
  for (const auto& kv : map) {
    const auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (allowed.count(key)) continue;
    std::string names;
    for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
    return fail(at_line(line_of(kv.first, line), at + "/" + key, json::value(key),
                        "one of the fields " + names));
  }
  return {};
}

const std::set<std::string, std::less<>> kListFields{"harm_categories", "authors", "groups"};
const std::set<std::string, std::less<>> kTopFields{
    "seeds",           "prompts",      "dataset_name", "name",    "description",
    "harm_categories", "authors",      "groups",       "source",  "data_type",
    "seed_type",       "is_objective", "date_added",   "added_by"};
const std::set<std::string, std::less<>> kSeedFields{"value",
                                                     "data_type",
                                                     "harm_categories",
                                                     "authors",
                                                     "groups",
                                                     "source",
                                                     "seed_type",
                                                     "is_objective",
                                                     "role",
                                                     "sequence",
                                                     "prompt_group_alias",
                                                     "prompt_group_id",
                                                     "parameters",
                                                     "metadata",
                                                     "name",
                                                     "dataset_name",
                                                     "description",
                                                     "date_added",
                                                     "added_by",
                                                     "is_general_technique",
                                                     "value_sha256"};

// One seed, with the file's defaults merged in (defaults' lists first).
Result<memory::SeedPrompt> read_seed(const YAML::Node& seed, const json::object& defaults,
                                     const std::string& at, std::size_t line, std::size_t& budget) {
  line = line_of(seed, line);
  if (!seed.IsMap()) return fail(at_line(line, at, std::nullopt, "a seed: a mapping with value:"));
  if (auto ok = only(seed, kSeedFields, at, line); !ok) return fail(ok.error());
  if (!seed["value"]) return fail(at_line(line, at + "/value", std::nullopt, "a value: field"));
  auto value = text(seed["value"], at + "/value", line, kMaxValueBytes);
  if (!value) return fail(value.error());
  json::object meta = defaults;
  std::vector<std::string> harms;
  if (auto* h = defaults.if_contains("harm_categories"))
    for (const auto& s : h->as_array()) harms.emplace_back(s.as_string());
  meta.erase("harm_categories");
  memory::SeedPrompt p;
  p.value = std::move(*value);
  for (const auto& kv : seed) {
    const auto key = kv.first.Scalar();
    const std::string field = at + "/" + key;
    if (key == "value") continue;
    if (kListFields.count(key)) {
      auto list = text_list(kv.second, field, line);
      if (!list) return fail(list.error());
      if (key == "harm_categories") {
        add_unique(harms, *list);
        continue;
      }
      std::vector<std::string> merged;
      if (auto* d = meta.if_contains(key))
        for (const auto& s : d->as_array()) merged.emplace_back(s.as_string());
      add_unique(merged, *list);
      meta[key] = json_list(merged);
      continue;
    }
    if (key == "sequence") {
      auto v = to_json(kv.second, field, line, budget);
      if (!v) return fail(v.error());
      if (!v->is_int64() || v->as_int64() < 0 || v->as_int64() > 1'000'000)
        return fail(at_line(line_of(kv.second, line), field, *v, "a whole number from 0"));
      meta[key] = *v;
      continue;
    }
    if (key == "metadata" || key == "parameters" || key == "is_objective" ||
        key == "is_general_technique") {
      auto v = to_json(kv.second, field, line, budget);
      if (!v) return fail(v.error());
      if (key == "metadata" && !v->is_object() && !v->is_null())
        return fail(at_line(line_of(kv.second, line), field, *v, "a mapping"));
      meta[key] = std::move(*v);
      continue;
    }
    auto t = text(kv.second, field, line);
    if (!t) return fail(t.error());
    meta[key] = std::move(*t);
  }
  if (harms.size() > kMaxHarmCategories)
    return fail(at_line(line, at + "/harm_categories", json::value(harms.size()),
                        "at most " + std::to_string(kMaxHarmCategories) + " harm categories"));
  if (auto* t = meta.if_contains("data_type")) {
    p.data_type = std::string(t->as_string());
    meta.erase("data_type");
  }
  p.harm_categories = json::serialize(json_list(harms));
  p.metadata = json::serialize(meta);
  if (auto ok = check_prompt(p, line, at); !ok) return fail(ok.error());
  return p;
}

Result<ImportedDataset> read_seed_file(const YAML::Node& root, const ImportOptions& options,
                                       std::size_t& budget) {
  if (auto ok = only(root, kTopFields, "", 1); !ok) return fail(ok.error());
  ImportedDataset out;
  out.format = Format::pyrit_yaml;
  const char* list_key = root["seeds"] ? "seeds" : "prompts";
  const auto seeds = root[list_key];
  const std::string at = std::string("/") + list_key;
  if (!seeds || !seeds.IsSequence())
    return fail(
        at_line(line_of(root, 1), at, std::nullopt, "a list of seeds under " + at.substr(1) + ":"));
  json::object defaults;
  for (const auto& kv : root) {
    const auto key = kv.first.Scalar();
    out.fields.push_back(key);
    if (key == "seeds" || key == "prompts") continue;
    const std::size_t line = line_of(kv.first, 1);
    if (key == "description" && out.description.empty()) {
      auto t = text(kv.second, "/description", line);
      if (!t) return fail(t.error());
      out.description = std::move(*t);
      continue;
    }
    if ((key == "dataset_name" || key == "name") && out.name.empty()) {
      auto t = text(kv.second, "/" + key, line, 200);
      if (!t) return fail(t.error());
      out.name = std::move(*t);
      continue;
    }
    if (kListFields.count(key)) {
      auto list = text_list(kv.second, "/" + key, line);
      if (!list) return fail(list.error());
      defaults[key] = json_list(*list);
      continue;
    }
    auto v = to_json(kv.second, "/" + key, line, budget);
    if (!v) return fail(v.error());
    if (key == "data_type" && !v->is_string()) return fail(at_line(line, "/data_type", *v, "text"));
    defaults[key] = std::move(*v);
  }
  if (auto ok = check_count(seeds.size(), options, line_of(seeds, 1)); !ok) return fail(ok.error());
  std::size_t i = 0;
  for (const auto& seed : seeds) {
    auto p = read_seed(seed, defaults, at + "/" + std::to_string(i++), line_of(seeds, 1), budget);
    if (!p) return fail(p.error());
    out.prompts.push_back(std::move(*p));
  }
  return out;
}

const std::set<std::string, std::less<>> kTemplateFields{
    "name",  "description", "authors",         "source",       "parameters",          "data_type",
    "value", "groups",      "harm_categories", "dataset_name", "is_general_technique"};

// One template, one prompt; its declared parameters must be names.
Result<ImportedDataset> read_template(const YAML::Node& root, std::size_t& budget) {
  if (auto ok = only(root, kTemplateFields, "", 1); !ok) return fail(ok.error());
  ImportedDataset out;
  out.format = Format::jailbreak_template;
  for (const auto& kv : root) out.fields.push_back(kv.first.Scalar());
  if (auto params = root["parameters"]; params && !is_null(params)) {
    auto list = text_list(params, "/parameters", line_of(params, 1));
    if (!list) return fail(list.error());
  }
  auto p = read_seed(root, json::object(), "", 1, budget);
  if (!p) return fail(p.error());
  if (p->value.find("{{") == std::string::npos)
    return fail(at_line(line_of(root["value"], 1), "/value", std::nullopt,
                        "a template with placeholders such as {{ prompt }}"));
  if (root["name"] && root["name"].IsScalar()) out.name = root["name"].Scalar().substr(0, 200);
  out.prompts.push_back(std::move(*p));
  return out;
}

// Each level of the scale is one entry: its description, with its score value.
Result<ImportedDataset> read_harm_definition(const YAML::Node& root) {
  if (auto ok = only(root, {"version", "category", "scale_descriptions"}, "", 1); !ok)
    return fail(ok.error());
  ImportedDataset out;
  out.format = Format::harm_definition;
  out.fields = {"version", "category", "scale_descriptions"};
  auto category = text(root["category"], "/category", line_of(root, 1), kMaxHarmCategoryBytes);
  if (!category) return fail(category.error());
  std::string version;
  if (root["version"]) {
    auto v = text(root["version"], "/version", line_of(root, 1), 50);
    if (!v) return fail(v.error());
    version = *v;
  }
  const auto scale = root["scale_descriptions"];
  if (!scale || !scale.IsSequence() || scale.size() == 0)
    return fail(at_line(line_of(root, 1), "/scale_descriptions", std::nullopt,
                        "a list of {score_value, description}"));
  std::size_t i = 0;
  for (const auto& level : scale) {
    const std::string at = "/scale_descriptions/" + std::to_string(i++);
    const auto line = line_of(level, 1);
    if (!level.IsMap()) return fail(at_line(line, at, std::nullopt, "{score_value, description}"));
    if (auto ok = only(level, {"score_value", "description"}, at, line); !ok)
      return fail(ok.error());
    auto score = text(level["score_value"], at + "/score_value", line, 50);
    if (!score) return fail(score.error());
    auto description = text(level["description"], at + "/description", line, kMaxValueBytes);
    if (!description) return fail(description.error());
    memory::SeedPrompt p;
    p.value = std::move(*description);
    p.harm_categories = json::serialize(json::array{json::value(*category)});
    json::object extras{{"category", *category}, {"score_value", *score}};
    if (!version.empty()) extras["version"] = version;
    p.metadata = json::serialize(json::object{{"metadata", std::move(extras)}});
    if (auto ok = check_prompt(p, line, at); !ok) return fail(ok.error());
    out.prompts.push_back(std::move(p));
  }
  out.name = *category;
  return out;
}

}  // namespace

}  // namespace redcell::datasets::detail

namespace redcell::datasets {

// PyYAML's (YAML 1.1) reading of a plain scalar, so metadata compares equal to Python's.
boost::json::value plain_scalar(const std::string& s) {
  static const std::set<std::string, std::less<>> kTrue{"true", "True", "TRUE", "yes", "Yes",
                                                        "YES",  "on",   "On",   "ON"};
  static const std::set<std::string, std::less<>> kFalse{"false", "False", "FALSE", "no", "No",
                                                         "NO",    "off",   "Off",   "OFF"};
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (kTrue.count(s)) return true;
  if (kFalse.count(s)) return false;
  const char* begin = s.c_str();
  char* end = nullptr;
  const bool digits = s.find_first_not_of("+-0123456789") == std::string::npos;
  if (digits) {
    errno = 0;
    const long long v = std::strtoll(begin, &end, 10);
    if (errno == 0 && end == begin + s.size()) return static_cast<std::int64_t>(v);
  }
  if (s.find('.') != std::string::npos &&
      s.find_first_not_of("+-0123456789.eE") == std::string::npos) {
    const double d = std::strtod(begin, &end);
    if (end == begin + s.size()) return d;
  }
  return boost::json::value(s);
}

bool is_pyrit_seed_field(std::string_view name) {
  return name != "value" && name != "harm_categories" && name != "metadata" &&
         detail::kSeedFields.count(name) > 0;
}

}  // namespace redcell::datasets

namespace redcell::datasets::detail {

Result<ImportedDataset> read_yaml(std::string_view bytes, std::optional<Format> format,
                                  const ImportOptions& options) {
  if (bytes.size() > kMaxYamlBytes)
    return fail(at_line(1, "", json::value(bytes.size()),
                        "a YAML file of at most 20 MB (larger sets import as JSON Lines)"));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(bytes));
  } catch (const YAML::Exception& e) {
    return fail(at_line(e.mark.line >= 0 ? static_cast<std::size_t>(e.mark.line) + 1 : 1, "",
                        std::nullopt, "valid YAML (" + e.msg + ")"));
  }
  if (!root.IsMap())
    return fail(at_line(line_of(root, 1), "", std::nullopt, "a YAML mapping at the top"));
  if (!format) {
    if (root["seeds"] || root["prompts"])
      format = Format::pyrit_yaml;
    else if (root["scale_descriptions"])
      format = Format::harm_definition;
    else if (root["value"])
      format = Format::jailbreak_template;
    else
      return fail(at_line(1, "", std::nullopt,
                          "a PyRIT seed-prompt file (seeds:), a jailbreak template (value:) or a "
                          "harm definition (scale_descriptions:)"));
  }
  std::size_t budget = kMaxNodes;
  try {
    if (*format == Format::pyrit_yaml) return read_seed_file(root, options, budget);
    if (*format == Format::harm_definition) return read_harm_definition(root);
    return read_template(root, budget);
  } catch (const YAML::Exception& e) {
    return fail(at_line(e.mark.line >= 0 ? static_cast<std::size_t>(e.mark.line) + 1 : 1, "",
                        std::nullopt, "valid YAML (" + e.msg + ")"));
  }
}

}  // namespace redcell::datasets::detail

// Writing a dataset out. JSON Lines holds every prompt exactly ({"value", "data_type",
// "harm_categories", "metadata"} per line). PyRIT YAML puts each PyRIT field kept in a
// prompt's metadata back where PyRIT reads it; metadata keys PyRIT has no field for go
// under the seed's `metadata:` (the one place its format leaves for them).
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include "datasets/import.hpp"

namespace redcell::datasets {

namespace {

namespace json = boost::json;

void emit(YAML::Emitter& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      out << YAML::Null;
      break;
    case json::kind::bool_:
      out << v.as_bool();
      break;
    case json::kind::int64:
      out << v.as_int64();
      break;
    case json::kind::uint64:
      out << v.as_uint64();
      break;
    case json::kind::double_:
      out << v.as_double();
      break;
    case json::kind::string:
      out << YAML::DoubleQuoted << std::string(v.as_string());
      break;
    case json::kind::array:
      out << YAML::BeginSeq;
      for (const auto& item : v.as_array()) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::kind::object:
      out << YAML::BeginMap;
      for (const auto& kv : v.as_object()) {
        out << YAML::Key << YAML::DoubleQuoted << std::string(kv.key()) << YAML::Value;
        emit(out, kv.value());
      }
      out << YAML::EndMap;
      break;
  }
}

std::string pyrit_yaml(const memory::Dataset& d, const std::vector<memory::SeedPrompt>& prompts) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "dataset_name" << YAML::Value << YAML::DoubleQuoted << d.name;
  if (!d.description.empty())
    out << YAML::Key << "description" << YAML::Value << YAML::DoubleQuoted << d.description;
  out << YAML::Key << "seeds" << YAML::Value << YAML::BeginSeq;
  for (const auto& p : prompts) {
    auto meta = json::parse(p.metadata).as_object();
    json::object extras;
    if (auto* e = meta.if_contains("metadata"); e && e->is_object()) extras = e->as_object();
    out << YAML::BeginMap;
    out << YAML::Key << "value" << YAML::Value << YAML::DoubleQuoted << p.value;
    out << YAML::Key << "data_type" << YAML::Value << YAML::DoubleQuoted << p.data_type;
    const auto harms = json::parse(p.harm_categories);
    if (!harms.as_array().empty()) {
      out << YAML::Key << "harm_categories" << YAML::Value;
      emit(out, harms);
    }
    for (const auto& kv : meta) {
      if (kv.key() == "metadata") continue;
      if (!is_pyrit_seed_field(kv.key()) || kv.key() == "data_type") {
        extras[kv.key()] = kv.value();
        continue;
      }
      out << YAML::Key << std::string(kv.key()) << YAML::Value;
      emit(out, kv.value());
    }
    const auto* own = meta.if_contains("metadata");
    if (own && !own->is_object() && extras.empty()) {
      out << YAML::Key << "metadata" << YAML::Value;
      emit(out, *own);
    } else if (!extras.empty() || own) {
      out << YAML::Key << "metadata" << YAML::Value;
      emit(out, extras);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string jsonl(const std::vector<memory::SeedPrompt>& prompts) {
  std::string out;
  for (const auto& p : prompts) {
    json::object o{{"value", p.value},
                   {"data_type", p.data_type},
                   {"harm_categories", json::parse(p.harm_categories)},
                   {"metadata", json::parse(p.metadata)}};
    out += json::serialize(o);
    out += '\n';
  }
  return out;
}

}  // namespace

std::optional<ExportFormat> export_format_from_string(std::string_view s) {
  if (s == "jsonl") return ExportFormat::jsonl;
  if (s == "pyrit_yaml" || s == "yaml") return ExportFormat::pyrit_yaml;
  return std::nullopt;
}

Result<std::vector<memory::SeedPrompt>> read_prompts(memory::Store& store,
                                                     const memory::Scope& scope,
                                                     const memory::Dataset& dataset) {
  std::vector<memory::SeedPrompt> out;
  PageRequest page;
  page.limit = kMaxPageLimit;
  for (;;) {
    auto p = store.list_seed_prompts(scope, dataset.id, dataset.version, page);
    if (!p) return fail(p.error());
    for (auto& x : p->items) out.push_back(std::move(x));
    if (!p->next) return out;
    page.after = p->next;
  }
}

std::string export_dataset(const memory::Dataset& dataset,
                           const std::vector<memory::SeedPrompt>& prompts, ExportFormat format) {
  return format == ExportFormat::jsonl ? jsonl(prompts) : pyrit_yaml(dataset, prompts);
}

}  // namespace redcell::datasets

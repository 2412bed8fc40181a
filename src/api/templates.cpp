#include "api/templates.hpp"

#include <boost/json.hpp>

namespace redcell::api {

namespace {

// A text_jailbreak step whose params name a stored template.
bool names_template(const boost::json::value& step) {
  const auto* o = step.if_object();
  if (!o) return false;
  const auto* type = o->if_contains("type");
  const auto* params = o->if_contains("params");
  return type && type->is_string() && type->as_string() == "text_jailbreak" && params &&
         params->is_object() && params->as_object().contains("template_dataset");
}

}  // namespace

bool names_stored_template(const boost::json::value& chain) {
  if (!chain.is_array()) return false;
  for (const auto& step : chain.as_array())
    if (names_template(step)) return true;
  return false;
}

Result<void> resolve_stored_templates(memory::Store& store, const memory::Scope& scope,
                                      boost::json::value& chain, const std::string& at) {
  if (!chain.is_array()) return {};
  auto& steps = chain.as_array();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!names_template(steps[i])) continue;
    auto* params = &steps[i].as_object().at("params").as_object();
    const std::string field = at + "/" + std::to_string(i) + "/params/template_dataset";
    const auto& id = params->at("template_dataset");
    if (params->contains("template"))
      return fail(Error::invalid(field, id, "either template or template_dataset, not both"));
    const std::string expected =
        "the id of one of your datasets holding a jailbreak template (import a PyRIT template "
        "file to make one)";
    if (!id.is_string() || id.as_string().empty() || id.as_string().size() > 100)
      return fail(Error::invalid(field, id, expected));
    auto d = store.get_dataset(scope, id.as_string());
    if (!d) {
      if (d.error().code() != ErrorCode::not_found) return fail(d.error());
      return fail(Error::invalid(field, id, expected));
    }
    PageRequest first;
    first.limit = 1;
    auto prompts = store.list_seed_prompts(scope, d->id, d->version, first);
    if (!prompts) return fail(prompts.error());
    if (prompts->items.empty()) return fail(Error::invalid(field, id, expected));
    params->erase("template_dataset");
    (*params)["template"] = prompts->items.front().value;
  }
  return {};
}

}  // namespace redcell::api

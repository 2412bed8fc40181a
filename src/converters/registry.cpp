#include <boost/json.hpp>

#include "converters/converter.hpp"

namespace redcell {

const ConverterRegistry& ConverterRegistry::builtin() {
  static const ConverterRegistry registry = [] {
    ConverterRegistry r;
    r.add(base64_converter());
    r.add(rot13_converter());
    return r;
  }();
  return registry;
}

void ConverterRegistry::add(ConverterInfo info) { infos_.push_back(std::move(info)); }

Result<void> expect_no_params(const boost::json::object& params, const std::string& field) {
  if (params.empty()) return {};
  return fail(Error::invalid(field + "/" + std::string(params.begin()->key()),
                             params.begin()->value(), "no parameters"));
}

Result<std::unique_ptr<Converter>> ConverterRegistry::create(const boost::json::value& spec,
                                                             const std::string& field) const {
  if (!spec.is_object())
    return fail(Error::invalid(field, spec, "an object {\"type\", \"params\"}"));
  const auto& obj = spec.as_object();
  const auto* type = obj.if_contains("type");
  std::string known;
  for (const auto& i : infos_) known += (known.empty() ? "" : ", ") + i.type;
  if (!type || !type->is_string())
    return fail(Error::invalid(field + "/type", type ? *type : boost::json::value(nullptr),
                               "a converter type: one of " + known));
  for (const auto& k : obj)
    if (k.key() != "type" && k.key() != "params")
      return fail(Error::invalid(field + "/" + std::string(k.key()), k.value(),
                                 "only \"type\" and \"params\"",
                                 field + ": unknown member \"" + std::string(k.key()) + "\""));
  for (const auto& info : infos_) {
    if (info.type != type->as_string()) continue;
    boost::json::object params;
    if (const auto* p = obj.if_contains("params")) {
      if (!p->is_object())
        return fail(Error::invalid(field + "/params", *p, "an object"));
      params = p->as_object();
    }
    return info.make(params, field + "/params");
  }
  return fail(Error::invalid(field + "/type", *type, "one of " + known,
                             field + "/type: unknown converter \"" +
                                 std::string(type->as_string()) + "\"; known: " + known));
}

}  // namespace redcell

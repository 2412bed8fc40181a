#pragma once
// A catalog of pluggable pieces (converters, scorers): each entry has a type name, a
// description, a JSON Schema of its params and a factory. A spec {"type", "params"?} is
// turned into an instance; every error names the JSON Pointer of the offending member.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace redcell {

template <class T>
class Catalog;

template <class T>
struct CatalogEntry {
  std::string type;
  std::string description;
  boost::json::value params;  // JSON Schema of the params object
  // Builds an instance from params; `field` is the params' JSON Pointer. `catalog` lets a
  // wrapper (the inverter) build the piece it wraps.
  std::function<Result<std::unique_ptr<T>>(const boost::json::object& params,
                                           const std::string& field, const Catalog<T>& catalog)>
      make;
};

template <class T>
class Catalog {
 public:
  // The catalog of everything built in; defined once per T in its registry.cpp.
  static const Catalog& builtin();

  explicit Catalog(std::string kind) : kind_(std::move(kind)) {}
  void add(CatalogEntry<T> entry) { entries_.push_back(std::move(entry)); }
  const std::vector<CatalogEntry<T>>& catalog() const { return entries_; }
  const std::string& kind() const { return kind_; }

  // `spec` is {"type", "params"?}; errors name `field` ("/converters/0").
  Result<std::unique_ptr<T>> create(const boost::json::value& spec,
                                    const std::string& field) const {
    if (!spec.is_object())
      return fail(Error::invalid(field, spec, "an object {\"type\", \"params\"}"));
    const auto& obj = spec.as_object();
    const auto* type = obj.if_contains("type");
    std::string known;
    for (const auto& e : entries_) known += (known.empty() ? "" : ", ") + e.type;
    if (!type || !type->is_string())
      return fail(Error::invalid(field + "/type", type ? *type : boost::json::value(nullptr),
                                 "a " + kind_ + " type: one of " + known));
    for (const auto& k : obj)
      if (k.key() != "type" && k.key() != "params")
        return fail(Error::invalid(field + "/" + std::string(k.key()), k.value(),
                                   "only \"type\" and \"params\"",
                                   field + ": unknown member \"" + std::string(k.key()) + "\""));
    for (const auto& entry : entries_) {
      if (entry.type != type->as_string()) continue;
      boost::json::object params;
      if (const auto* p = obj.if_contains("params")) {
        if (!p->is_object()) return fail(Error::invalid(field + "/params", *p, "an object"));
        params = p->as_object();
      }
      return entry.make(params, field + "/params", *this);
    }
    return fail(Error::invalid(field + "/type", *type, "one of " + known,
                               field + "/type: unknown " + kind_ + " \"" +
                                   std::string(type->as_string()) + "\"; known: " + known));
  }

 private:
  std::string kind_;
  std::vector<CatalogEntry<T>> entries_;
};

// For pieces without parameters: an error naming the first member given.
inline Result<void> expect_no_params(const boost::json::object& params, const std::string& field) {
  if (params.empty()) return {};
  return fail(Error::invalid(field + "/" + std::string(params.begin()->key()),
                             params.begin()->value(), "no parameters"));
}
inline const char* const kNoParamsSchema =
    R"({"type":"object","properties":{},"additionalProperties":false})";

}  // namespace redcell

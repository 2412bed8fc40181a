#pragma once
// A catalog of pluggable pieces (converters, scorers): each entry has a type name, a
// description, a JSON Schema of its params, a pure `validate` and a `make`. A spec
// {"type", "params"?} is validated when something that holds it is saved (nothing is built;
// the saved targets it names come back, for the caller to check in its own scope) and built
// when it runs; every error names the JSON Pointer of the offending member.
//
// A piece is written as a reader of its params into a struct and a builder from that
// struct (catalog_entry below), so validating and building read the params one way.

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace redcell {

template <class T>
class Catalog;

// What validating a spec tells without building its piece.
struct PieceInfo {
  std::vector<std::string> helper_targets;  // saved targets it asks (judges, rewriters)
  std::string score_type;                   // scorers: true_false | float_scale
};

template <class T>
struct CatalogEntry {
  std::string type;
  std::string description;
  boost::json::value params;  // JSON Schema of the params object
  // Checks params (pure: no store, nothing built); `field` is the params' JSON Pointer.
  // `catalog` lets a wrapper (the inverter) check the piece it wraps.
  std::function<Result<PieceInfo>(const boost::json::object& params, const std::string& field,
                                  const Catalog<T>& catalog)>
      validate;
  // Builds the runtime piece from params `validate` accepts.
  std::function<Result<std::unique_ptr<T>>(const boost::json::object& params,
                                           const std::string& field, const Catalog<T>& catalog)>
      make;
};

// An entry from `read` (params -> P, or the error naming the member), `info` (what a P
// asks) and `build` (P -> the piece).
template <class T, class P, class Read, class Info, class Build>
CatalogEntry<T> catalog_entry(std::string type, std::string description, boost::json::value schema,
                              Read read, Info info, Build build) {
  CatalogEntry<T> e;
  e.type = std::move(type);
  e.description = std::move(description);
  e.params = std::move(schema);
  e.validate = [read, info](const boost::json::object& params, const std::string& field,
                            const Catalog<T>& catalog) -> Result<PieceInfo> {
    Result<P> p = read(params, field, catalog);
    if (!p) return fail(p.error());
    return info(*p);
  };
  e.make = [read, build](const boost::json::object& params, const std::string& field,
                         const Catalog<T>& catalog) -> Result<std::unique_ptr<T>> {
    Result<P> p = read(params, field, catalog);
    if (!p) return fail(p.error());
    return build(std::move(*p), catalog);
  };
  return e;
}

template <class T>
class Catalog {
 public:
  // The catalog of everything built in; defined once per T in its registry.cpp.
  static const Catalog& builtin();

  explicit Catalog(std::string kind) : kind_(std::move(kind)) {}
  void add(CatalogEntry<T> entry) { entries_.push_back(std::move(entry)); }
  const std::vector<CatalogEntry<T>>& catalog() const { return entries_; }
  const std::string& kind() const { return kind_; }

  // `spec` is {"type", "params"?}; errors name `field` ("/converters/0"). Pure.
  Result<PieceInfo> validate(const boost::json::value& spec, const std::string& field) const {
    auto found = find(spec, field);
    if (!found) return fail(found.error());
    return found->first->validate(found->second, field + "/params", *this);
  }
  // The runtime piece of a spec.
  Result<std::unique_ptr<T>> create(const boost::json::value& spec,
                                    const std::string& field) const {
    auto found = find(spec, field);
    if (!found) return fail(found.error());
    return found->first->make(found->second, field + "/params", *this);
  }

 private:
  // The entry a spec names and its params.
  Result<std::pair<const CatalogEntry<T>*, boost::json::object>> find(
      const boost::json::value& spec, const std::string& field) const {
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
      return std::pair{&entry, std::move(params)};
    }
    return fail(Error::invalid(field + "/type", *type, "one of " + known,
                               field + "/type: unknown " + kind_ + " \"" +
                                   std::string(type->as_string()) + "\"; known: " + known));
  }

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

// An entry for a piece without parameters that asks no target: `build()` makes it.
template <class T, class Build>
CatalogEntry<T> no_params_entry(std::string type, std::string description, Build build,
                                std::string score_type = "") {
  struct None {};
  return catalog_entry<T, None>(
      std::move(type), std::move(description), boost::json::parse(kNoParamsSchema),
      [](const boost::json::object& params, const std::string& field,
         const Catalog<T>&) -> Result<None> {
        if (auto ok = expect_no_params(params, field); !ok) return fail(ok.error());
        return None{};
      },
      [score_type](const None&) {
        return PieceInfo{{}, score_type};
      },
      [build](None, const Catalog<T>&) -> Result<std::unique_ptr<T>> { return build(); });
}

}  // namespace redcell

#pragma once
// Reads the members of a JSON object a client sent (a request body, a piece's params),
// naming every bad member by its JSON Pointer, the value given and what was expected.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace redcell {

class JsonInput {
 public:
  // `at` is the object's own pointer: "" for a request body, "/converters/0/params".
  JsonInput(const boost::json::object& obj, std::string at) : obj_(&obj), at_(std::move(at)) {}
  // An error naming `at` unless `v` is an object; `shape` says what was expected.
  static Result<JsonInput> of(const boost::json::value& v, std::string at, std::string_view shape);

  // Members outside `allowed` are errors; those in `read_only` say the server sets them.
  Result<void> only(std::initializer_list<std::string_view> allowed,
                    std::initializer_list<std::string_view> read_only = {}) const;
  Result<void> only(const std::vector<std::string_view>& allowed,
                    std::initializer_list<std::string_view> read_only = {}) const;

  const boost::json::value* get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name) != nullptr; }
  std::string field(std::string_view name) const;

  // A required, non-empty string of at most `max` bytes.
  Result<std::string> string(std::string_view name, std::size_t max = 1000) const;
  Result<std::optional<std::string>> opt_string(std::string_view name, std::size_t max = 1000,
                                                bool allow_empty = false) const;
  Result<bool> boolean(std::string_view name, bool fallback) const;
  Result<std::optional<double>> opt_number(std::string_view name, double min, double max) const;
  Result<std::optional<std::int64_t>> opt_int(std::string_view name, std::int64_t min,
                                              std::int64_t max) const;
  // An array of non-empty strings.
  Result<std::vector<std::string>> strings(std::string_view name, std::size_t max_items,
                                           std::size_t max_len = 1000) const;
  // An object member ({} when absent).
  Result<boost::json::object> opt_object(std::string_view name) const;

  const boost::json::object& object() const { return *obj_; }
  const std::string& at() const { return at_; }

 private:
  const boost::json::object* obj_;
  std::string at_;
};

// RFC 6901 escaping of one reference token ("a/b" -> "a~1b").
std::string json_pointer_token(std::string_view name);

// A canonical serialization: object members sorted by key at every depth, so equal
// definitions hash equally whatever order a client wrote them in.
std::string canonical_json(const boost::json::value& v);

}  // namespace redcell

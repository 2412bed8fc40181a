#include "common/json_input.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

namespace redcell {

namespace {
boost::json::value given(const boost::json::value* v) {
  return v ? *v : boost::json::value();
}
}  // namespace

std::string json_pointer_token(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

Result<JsonInput> JsonInput::of(const boost::json::value& v, std::string at,
                                std::string_view shape) {
  if (!v.is_object()) return fail(Error::invalid(at, v, std::string(shape)));
  return JsonInput(v.as_object(), std::move(at));
}

std::string JsonInput::field(std::string_view name) const {
  return at_ + "/" + json_pointer_token(name);
}

const boost::json::value* JsonInput::get(std::string_view name) const {
  return obj_->if_contains(name);
}

Result<void> JsonInput::only(std::initializer_list<std::string_view> allowed,
                             std::initializer_list<std::string_view> read_only) const {
  return only(std::vector<std::string_view>(allowed), read_only);
}

Result<void> JsonInput::only(const std::vector<std::string_view>& allowed,
                             std::initializer_list<std::string_view> read_only) const {
  for (const auto& kv : *obj_) {
    const std::string_view key = kv.key();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const std::string f = field(key);
    if (std::find(read_only.begin(), read_only.end(), key) != read_only.end())
      return fail(
          Error::invalid(f, kv.value(), "no value: the server sets it", f + " is read-only"));
    std::string known;
    for (auto a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
    return fail(Error::invalid(f, kv.value(), "one of the members " + known,
                               f + ": unknown member \"" + std::string(key) + "\""));
  }
  return {};
}

Result<std::string> JsonInput::string(std::string_view name, std::size_t max) const {
  const auto* v = get(name);
  if (!v || !v->is_string() || v->as_string().empty() || v->as_string().size() > max)
    return fail(Error::invalid(field(name), given(v),
                               "a string of 1 to " + std::to_string(max) + " bytes"));
  return std::string(v->as_string());
}

Result<std::optional<std::string>> JsonInput::opt_string(std::string_view name, std::size_t max,
                                                         bool allow_empty) const {
  const auto* v = get(name);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string() || (!allow_empty && v->as_string().empty()) || v->as_string().size() > max)
    return fail(Error::invalid(field(name), *v,
                               "a string of " + std::string(allow_empty ? "0" : "1") + " to " +
                                   std::to_string(max) + " bytes"));
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<bool> JsonInput::boolean(std::string_view name, bool fallback) const {
  const auto* v = get(name);
  if (!v || v->is_null()) return fallback;
  if (!v->is_bool()) return fail(Error::invalid(field(name), *v, "true or false"));
  return v->as_bool();
}

Result<std::optional<double>> JsonInput::opt_number(std::string_view name, double min,
                                                    double max) const {
  const auto* v = get(name);
  if (!v || v->is_null()) return std::optional<double>();
  std::optional<double> d;
  if (v->is_double())
    d = v->as_double();
  else if (v->is_int64())
    d = static_cast<double>(v->as_int64());
  else if (v->is_uint64())
    d = static_cast<double>(v->as_uint64());
  if (!d || !std::isfinite(*d) || *d < min || *d > max)
    return fail(Error::invalid(field(name), *v,
                               "a number from " + boost::json::serialize(boost::json::value(min)) +
                                   " to " + boost::json::serialize(boost::json::value(max))));
  return d;
}

Result<std::optional<std::int64_t>> JsonInput::opt_int(std::string_view name, std::int64_t min,
                                                       std::int64_t max) const {
  const auto* v = get(name);
  if (!v || v->is_null()) return std::optional<std::int64_t>();
  std::optional<std::int64_t> i;
  if (v->is_int64())
    i = v->as_int64();
  else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(max))
    i = static_cast<std::int64_t>(v->as_uint64());
  else if (v->is_double() && std::trunc(v->as_double()) == v->as_double() &&
           std::fabs(v->as_double()) < 9e15)
    i = static_cast<std::int64_t>(v->as_double());
  if (!i || *i < min || *i > max)
    return fail(Error::invalid(
        field(name), *v, "an integer from " + std::to_string(min) + " to " + std::to_string(max)));
  return i;
}

Result<std::vector<std::string>> JsonInput::strings(std::string_view name, std::size_t max_items,
                                                    std::size_t max_len) const {
  std::vector<std::string> out;
  const auto* v = get(name);
  if (!v || v->is_null()) return out;
  const std::string expected = "an array of at most " + std::to_string(max_items) +
                               " strings of 1 to " + std::to_string(max_len) + " bytes";
  if (!v->is_array() || v->as_array().size() > max_items)
    return fail(Error::invalid(field(name), *v, expected));
  const auto& arr = v->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string() || arr[i].as_string().empty() || arr[i].as_string().size() > max_len)
      return fail(Error::invalid(field(name) + "/" + std::to_string(i), arr[i], expected));
    out.emplace_back(arr[i].as_string());
  }
  return out;
}

Result<boost::json::object> JsonInput::opt_object(std::string_view name) const {
  const auto* v = get(name);
  if (!v || v->is_null()) return boost::json::object();
  if (!v->is_object()) return fail(Error::invalid(field(name), *v, "an object"));
  return v->as_object();
}

namespace {
void canonical_into(const boost::json::value& v, std::string& out) {
  if (v.is_object()) {
    std::vector<const boost::json::key_value_pair*> members;
    for (const auto& kv : v.as_object()) members.push_back(&kv);
    std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
    out += '{';
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i) out += ',';
      out += boost::json::serialize(boost::json::string(members[i]->key()));
      out += ':';
      canonical_into(members[i]->value(), out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    const auto& a = v.as_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i) out += ',';
      canonical_into(a[i], out);
    }
    out += ']';
  } else {
    out += boost::json::serialize(v);
  }
}
}  // namespace

std::string canonical_json(const boost::json::value& v) {
  std::string out;
  canonical_into(v, out);
  return out;
}

}  // namespace redcell

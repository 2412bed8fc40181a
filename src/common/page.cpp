#include "common/page.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "common/encoding.hpp"

namespace redcell {

namespace {
constexpr std::string_view kCursorVersion = "c1";
}

std::string encode_cursor(const Cursor& cursor) {
  boost::json::array keys;
  for (const auto& k : cursor.keys) keys.emplace_back(k);
  boost::json::object doc{{"v", kCursorVersion}, {"k", std::move(keys)}};
  return base64url_encode(boost::json::serialize(doc));
}

Result<Cursor> decode_cursor(std::string_view text) {
  auto bad = [&] {
    return fail(Error::invalid("/query/cursor", boost::json::value(std::string(text)),
                               "a next_cursor value returned by the previous page"));
  };
  if (text.empty() || text.size() > 4096) return bad();
  auto raw = base64url_decode(text);
  if (!raw) return bad();
  boost::system::error_code ec;
  auto doc = boost::json::parse(*raw, ec);
  if (ec || !doc.is_object()) return bad();
  auto& obj = doc.as_object();
  auto* v = obj.if_contains("v");
  auto* k = obj.if_contains("k");
  if (!v || !v->is_string() || v->as_string() != kCursorVersion || !k || !k->is_array())
    return bad();
  Cursor cursor;
  for (auto& key : k->as_array()) {
    if (!key.is_string()) return bad();
    cursor.keys.emplace_back(key.as_string());
  }
  if (cursor.keys.empty()) return bad();
  return cursor;
}

Result<PageRequest> parse_page_request(std::optional<std::string_view> limit,
                                       std::optional<std::string_view> cursor) {
  PageRequest page;
  if (limit) {
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || p != limit->data() + limit->size() || n < 1 || n > kMaxPageLimit)
      return fail(Error::invalid("/query/limit", boost::json::value(std::string(*limit)),
                                 "an integer from 1 to 500"));
    page.limit = n;
  }
  if (cursor) {
    auto c = decode_cursor(*cursor);
    if (!c) return fail(c.error());
    page.after = std::move(*c);
  }
  return page;
}

}  // namespace redcell

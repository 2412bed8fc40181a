#include "common/id.hpp"

#include <array>
#include <chrono>

#include "common/encoding.hpp"

namespace redcell {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Where each byte's two digits go in the text form (the dashes are at 8, 13, 18 and 23).
constexpr std::array<std::uint8_t, 16> kDigitsAt{0,  2,  4,  6,  9,  11, 14, 16,
                                                 19, 21, 24, 26, 28, 30, 32, 34};

// Every id read from the store passes here (four per message of a page), so the text is
// written into a buffer and copied into the string once.
std::string format_uuid(const std::uint8_t* b) {
  char out[36];
  out[8] = out[13] = out[18] = out[23] = '-';
  for (std::size_t k = 0; k < 16; ++k) {
    out[kDigitsAt[k]] = kHex[b[k] >> 4];
    out[kDigitsAt[k] + 1] = kHex[b[k] & 0xf];
  }
  return std::string(out, sizeof out);
}

// Lower-case hex digit values, -1 for every other byte: ids are parsed on every bind of a
// string, so this is a table lookup rather than a chain of range checks.
constexpr std::array<std::int8_t, 256> kHexValue = [] {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 16; ++i) t[static_cast<unsigned char>(kHex[i])] = static_cast<std::int8_t>(i);
  return t;
}();

int hex_value(char c) {
  return kHexValue[static_cast<unsigned char>(c)];
}

}  // namespace

IdGenerator::IdGenerator(const Clock& clock, std::optional<std::uint64_t> seed)
    : clock_(clock), rng_(seed ? *seed : std::random_device{}()) {}

std::string IdGenerator::next() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
                .count();
  std::array<std::uint8_t, 16> b{};
  std::uint64_t rand_b;
  {
    std::lock_guard lock(mu_);
    if (ms <= last_ms_) {
      // Same millisecond (or the clock stepped back): count on from the last id so that
      // ids stay strictly increasing; borrow the next millisecond when the counter is full.
      ms = last_ms_;
      if (++counter_ > 0xfff) {
        ++ms;
        counter_ = 0;
      }
    } else {
      counter_ = static_cast<std::uint32_t>(rng_() & 0x3ff);  // leave headroom to count
    }
    last_ms_ = ms;
    rand_b = rng_();
    for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
    b[6] = static_cast<std::uint8_t>(0x70 | ((counter_ >> 8) & 0x0f));
    b[7] = static_cast<std::uint8_t>(counter_ & 0xff);
  }
  for (int i = 8; i < 16; ++i) b[i] = static_cast<std::uint8_t>(rand_b >> (8 * (15 - i)));
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));
  return format_uuid(b.data());
}

std::string new_id() {
  static IdGenerator generator;
  return generator.next();
}

std::string new_thread_local_id() {
  thread_local IdGenerator generator;
  return generator.next();
}

std::optional<std::array<std::uint8_t, 16>> uuid_bytes(std::string_view t) {
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-')
    return std::nullopt;
  std::array<std::uint8_t, 16> b{};
  int bad = 0;
  for (std::size_t k = 0; k < 16; ++k) {
    int hi = hex_value(t[kDigitsAt[k]]), lo = hex_value(t[kDigitsAt[k] + 1]);
    bad |= hi | lo;  // negative when either is not a digit
    b[k] = static_cast<std::uint8_t>((hi & 0xf) << 4 | (lo & 0xf));
  }
  if (bad < 0) return std::nullopt;
  return b;
}

std::string uuid_text(const std::uint8_t* bytes) {
  return format_uuid(bytes);
}

std::string derived_id(std::string_view time_of, std::string_view key) {
  std::array<std::uint8_t, 16> b{};
  if (auto t = uuid_bytes(time_of))
    for (std::size_t i = 0; i < 6; ++i) b[i] = (*t)[i];
  const std::string h = sha256_hex(key);
  auto byte = [&](std::size_t i) {
    return static_cast<std::uint8_t>(hex_value(h[2 * i]) * 16 + hex_value(h[2 * i + 1]));
  };
  for (std::size_t i = 6; i < 16; ++i) b[i] = byte(i);
  b[6] = static_cast<std::uint8_t>(0x80 | (b[6] & 0x0F));  // version 8: custom
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3F));  // RFC 9562 variant
  return format_uuid(b.data());
}

bool is_uuid_v7(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (t[i] != '-') return false;
    } else if (hex_value(t[i]) < 0) {
      return false;
    }
  }
  return t[14] == '7' && (t[19] == '8' || t[19] == '9' || t[19] == 'a' || t[19] == 'b');
}

std::optional<std::int64_t> uuid_v7_millis(std::string_view t) {
  if (!is_uuid_v7(t)) return std::nullopt;
  std::int64_t ms = 0;
  for (std::size_t i = 0; i < 13; ++i) {
    if (i == 8) continue;
    ms = (ms << 4) | hex_value(t[i]);
  }
  return ms;
}

}  // namespace redcell

#pragma once
// UUIDv7 ids (RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter that keeps ids
// from one generator strictly increasing within a millisecond, then 62 random bits.
// Time-ordered ids make inserts append to indexes.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace redcell {

class IdGenerator {
 public:
  explicit IdGenerator(const Clock& clock = SystemClock::instance(),
                       std::optional<std::uint64_t> seed = std::nullopt);
  std::string next();  // thread-safe

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::mt19937_64 rng_;
  std::int64_t last_ms_ = -1;
  std::uint32_t counter_ = 0;
};

// The process-wide generator on the system clock: ids from it strictly increase.
std::string new_id();
// A per-thread generator, for ids that need to be unique and time-ordered but not
// strictly increasing across threads (request ids): no lock on the request path.
std::string new_thread_local_id();

// Canonical lower-case 8-4-4-4-12 form with version 7 and the RFC variant.
bool is_uuid_v7(std::string_view text);
// The 16 bytes of a UUID in canonical lower-case 8-4-4-4-12 form (any version); nullopt for
// any other text. uuid_text(*uuid_bytes(t)) == t: the round trip is exact.
std::optional<std::array<std::uint8_t, 16>> uuid_bytes(std::string_view text);
std::string uuid_text(const std::uint8_t* bytes);  // 16 bytes -> canonical form
// A UUID (version 8) derived from `key`: the same key gives the same id. Its first 48 bits
// are the timestamp of `time_of` (a UUIDv7), so ids derived from one sit near it in an index.
std::string derived_id(std::string_view time_of, std::string_view key);
// Milliseconds since the epoch encoded in a UUIDv7.
std::optional<std::int64_t> uuid_v7_millis(std::string_view text);

}  // namespace redcell

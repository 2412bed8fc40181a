// Test-only: writes messages through the real Store and prints "<id> <seq>" for each one
// whose write was acknowledged (its future completed), so that a parent can SIGKILL it at
// any moment and check that every acknowledged record survived.
// Usage: store_crash_child DB_PATH FIRST_SEQ   (stops by itself after 200,000 records or 60 s)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <string>

#include "memory/sqlite/sqlite_store.hpp"

using namespace redcell;
using namespace redcell::memory;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: store_crash_child DB_PATH FIRST_SEQ\n");
    return 2;
  }
  StoreUrl url;
  url.path = argv[1];
  auto store = SqliteStore::open(url);
  if (!store) {
    std::fprintf(stderr, "open: %s\n", store.error().message().c_str());
    return 1;
  }
  auto user =
      (*store)
          ->upsert_user(Scope::system(), User{"", "crash-test", "writer", "w", "W", {}, {}, {}, {}})
          .get();
  if (!user) return 1;
  const auto scope = Scope::user(user->id);
  long long seq = std::stoll(argv[2]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::deque<std::pair<long long, Future<std::vector<Message>>>> in_flight;
  for (int n = 0; n < 200'000 && std::chrono::steady_clock::now() < deadline; ++n) {
    Message m;
    m.conversation_id = "crash";
    m.sequence = seq;
    m.role = "user";
    m.original_value = "record " + std::to_string(seq);
    m.converted_value = m.original_value;
    in_flight.emplace_back(seq, (*store)->add_messages(scope, {m}));
    ++seq;
    while (in_flight.size() > 32 || (n % 64 == 0 && !in_flight.empty())) {
      auto [s, f] = std::move(in_flight.front());
      in_flight.pop_front();
      auto r = f.get();
      if (!r) {
        std::fprintf(stderr, "write failed: %s\n", r.error().message().c_str());
        return 1;
      }
      std::string line = (*r)[0].id + " " + std::to_string(s) + "\n";
      if (::write(1, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 1;
    }
  }
  return 0;
}

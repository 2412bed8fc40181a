// Store ingest benchmark (Foundation II): N messages over C conversations written through
// the Store interface, the way an execution writes them (512 conversations in flight,
// interleaved), while a reader pages through conversations; then the same rows through a
// bare SQLite insert loop with the same schema, indexes and pragmas.
// Usage: store_ingest DIR [MESSAGES] [CONVERSATIONS]   Prints one JSON line.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "common/encoding.hpp"
#include "common/id.hpp"
#include "memory/sqlite/sqlite_store.hpp"

using namespace redcell;
using namespace redcell::memory;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kInFlightConversations = 512;
constexpr std::size_t kBatch = 100;  // messages per add_messages call

struct Plan {
  long messages;
  long conversations;
  long per_conversation() const { return messages / conversations; }
  // Message i: which conversation (by index) and which turn.
  std::pair<long, long> at(long i) const {
    long wave_size = kInFlightConversations * per_conversation();
    long wave = i / wave_size, within = i % wave_size;
    long active =
        std::min<long>(kInFlightConversations, conversations - wave * kInFlightConversations);
    return {wave * kInFlightConversations + within % active, within / active};
  }
};

std::string prompt_text(long i) {
  static const char* kWords[] = {"ignore", "previous", "instructions", "and",   "explain", "how",
                                 "the",    "system",   "prompt",       "reads", "verbatim"};
  std::string s;
  for (int w = 0; s.size() < 180; ++w) s += std::string(kWords[(i + w) % 11]) + " ";
  return s + std::to_string(i);
}

// CPU seconds (user + system) of this process's thread named `name`, from /proc; 0 if none.
double thread_cpu_seconds(const std::string& name) {
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    if (!std::getline(comm, n) || n != name) continue;
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int f = 3; f <= 15 && rest >> field; ++f)
      if (f >= 14) ticks += std::stod(field);
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return 0;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

boost::json::object run_store(const fs::path& dir, const Plan& plan) {
  StoreUrl url;
  url.path = dir / "store.db";
  auto store = SqliteStore::open(url);
  if (!store) throw std::runtime_error(store.error().message());
  Store& s = **store;
  auto user =
      s.upsert_user(Scope::system(), User{"", "bench", "bench", "b", "B", {}, {}, {}, {}}).get();
  const auto scope = Scope::user(user->id);
  std::vector<std::string> conv_ids(static_cast<std::size_t>(plan.conversations));
  for (auto& c : conv_ids) c = new_id();
  const std::string execution_id = new_id();

  std::atomic<long> written{0};
  std::atomic<bool> done{false};
  std::vector<double> query_ms;
  std::thread reader([&] {
    std::mt19937 rng(7);
    while (!done) {
      long upto = written.load() / plan.per_conversation();
      if (upto < 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      MessageFilter f;
      f.conversation_id =
          conv_ids[static_cast<std::size_t>(rng() % static_cast<unsigned long>(upto))];
      PageRequest page;
      page.limit = 50;
      auto t0 = Steady::now();
      auto r = s.list_messages(scope, f, page);
      query_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
      if (!r) throw std::runtime_error(r.error().message());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });

  auto t0 = Steady::now();
  std::deque<Future<std::vector<Message>>> in_flight;
  for (long i = 0; i < plan.messages;) {
    std::vector<Message> batch;
    batch.reserve(kBatch);
    for (std::size_t k = 0; k < kBatch && i < plan.messages; ++k, ++i) {
      auto [conv, turn] = plan.at(i);
      Message m;
      m.conversation_id = conv_ids[static_cast<std::size_t>(conv)];
      m.sequence = turn;
      m.role = turn % 2 ? "assistant" : "user";
      m.original_value = prompt_text(i);
      m.converted_value = m.original_value;
      m.execution_id = execution_id;
      batch.push_back(std::move(m));
    }
    in_flight.push_back(s.add_messages(scope, std::move(batch)));
    while (in_flight.size() > 64) {
      auto r = in_flight.front().get();
      if (!r) throw std::runtime_error(r.error().message());
      written += static_cast<long>(r->size());
      in_flight.pop_front();
    }
  }
  for (auto& f : in_flight) {
    auto r = f.get();
    if (!r) throw std::runtime_error(r.error().message());
    written += static_cast<long>(r->size());
  }
  double seconds = std::chrono::duration<double>(Steady::now() - t0).count();
  const double writer_cpu = thread_cpu_seconds("store-writer");
  done = true;
  reader.join();
  auto stats = s.stats();
  return {
      {"messages_per_s", static_cast<double>(plan.messages) / seconds},
      {"seconds", seconds},
      {"writer_cpu_us_per_message", writer_cpu * 1e6 / static_cast<double>(plan.messages)},
      {"query_p50_ms", percentile(query_ms, 0.50)},
      {"query_p99_ms", percentile(query_ms, 0.99)},
      {"queries", query_ms.size()},
      {"wal_bytes_largest", stats.wal_bytes_largest},
      {"batches", stats.batches},
      {"mean_batch_rows", static_cast<double>(plan.messages) / static_cast<double>(stats.batches)}};
}

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw std::runtime_error(sqlite3_errmsg(db));
}

// The same schema (the store's own migration, applied by opening it once), the same
// pragmas, one thread, one prepared INSERT, transactions of 6,400 rows.
boost::json::object run_bare(const fs::path& dir, const Plan& plan) {
  StoreUrl url;
  url.path = dir / "bare.db";
  std::string owner;
  {
    auto store = SqliteStore::open(url);
    if (!store) throw std::runtime_error(store.error().message());
    owner = (*store)
                ->upsert_user(Scope::system(), User{"", "bench", "bench", "b", "B", {}, {}, {}, {}})
                .get()
                ->id;
  }
  fs::remove(url.path.string() + ".lock");
  sqlite3* db = nullptr;
  check(sqlite3_open(url.path.c_str(), &db), db);
  for (const char* p :
       {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
        "PRAGMA journal_size_limit = 67108864", "PRAGMA wal_autocheckpoint = 4096",
        "PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -65536"})
    check(sqlite3_exec(db, p, nullptr, nullptr, nullptr), db);
  sqlite3_stmt* st = nullptr;
  check(sqlite3_prepare_v2(
            db,
            "INSERT INTO messages (id, owner, conversation_id, sequence, role, original_value, "
            "original_value_data_type, original_value_sha256, converted_value, "
            "converted_value_data_type, converted_value_sha256, converters, execution_id, labels, "
            "metadata, response_error, created_at) VALUES (?, ?, ?, ?, ?, ?, 'text', ?, NULL, "
            "'text', NULL, '[]', ?, '{}', '{}', 'none', ?)",
            -1, &st, nullptr),
        db);
  // Ids bound the way the store binds them: as their 16 bytes.
  auto bind_id = [&](int i, const std::string& id) {
    sqlite3_bind_blob(st, i, uuid_bytes(id)->data(), 16, SQLITE_TRANSIENT);
  };
  std::vector<std::string> conv_ids(static_cast<std::size_t>(plan.conversations));
  for (auto& c : conv_ids) c = new_id();
  const std::string execution_id = new_id();
  auto t0 = Steady::now();
  check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db);
  for (long i = 0; i < plan.messages; ++i) {
    auto [conv, turn] = plan.at(i);
    std::string id = new_id(), text = prompt_text(i), sha = sha256_hex(text);
    std::string ts = format_time(std::chrono::system_clock::now());
    bind_id(1, id);
    bind_id(2, owner);
    bind_id(3, conv_ids[static_cast<std::size_t>(conv)]);
    sqlite3_bind_int64(st, 4, turn);
    sqlite3_bind_text(st, 5, turn % 2 ? "assistant" : "user", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, text.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, sha.c_str(), -1, SQLITE_TRANSIENT);
    bind_id(8, execution_id);
    sqlite3_bind_text(st, 9, ts.c_str(), -1, SQLITE_TRANSIENT);
    check(sqlite3_step(st), db);
    sqlite3_reset(st);
    if ((i + 1) % 6400 == 0) {
      check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
      check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db);
    }
  }
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
  double seconds = std::chrono::duration<double>(Steady::now() - t0).count();
  sqlite3_finalize(st);
  sqlite3_close(db);
  return {{"messages_per_s", static_cast<double>(plan.messages) / seconds}, {"seconds", seconds}};
}

void settle() {
  ::sync();
  std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_ingest DIR [MESSAGES] [CONVERSATIONS]\n");
    return 2;
  }
  fs::path dir = argv[1];
  Plan plan{argc > 2 ? std::stol(argv[2]) : 1'000'000, argc > 3 ? std::stol(argv[3]) : 10'000};
  fs::create_directories(dir);
  // Each phase starts with the previous one's dirty pages on disk, so neither pays for the
  // other's writeback.
  settle();
  auto bare = run_bare(dir, plan);
  settle();
  auto store = run_store(dir, plan);
  boost::json::object out{
      {"messages", plan.messages},
      {"conversations", plan.conversations},
      {"store", store},
      {"bare", bare},
      {"ratio", store.at("messages_per_s").as_double() / bare.at("messages_per_s").as_double()}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

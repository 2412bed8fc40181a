// Bulk threads run below the rest: each thread has its own nice value on Linux, lowering it
// needs no privilege, and the offset is kept from where the thread started.
#include "common/thread_priority.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "engine/async.hpp"
#include "http/client/client.hpp"

namespace redcell {
namespace {

int nice_in_new_thread(int steps) {
  int seen = -100;
  std::thread t([&] {
    lower_this_thread_priority(steps, "test");
    seen = this_thread_nice();
  });
  t.join();
  return seen;
}

// At nice 13 or more the lowered values would run into the cap and prove nothing.
constexpr int kHighestBase = 12;

TEST(ThreadPriority, LowersOnlyTheCallingThreadFromWhereItWas) {
  const int base = this_thread_nice();
  if (base > kHighestBase) GTEST_SKIP() << "the tests run at nice " << base;
  EXPECT_EQ(nice_in_new_thread(3), base + 3);
  EXPECT_EQ(this_thread_nice(), base) << "the caller's own thread keeps its priority";
  EXPECT_EQ(nice_in_new_thread(0), base);
  EXPECT_EQ(nice_in_new_thread(40), 19) << "at most 19";
}

TEST(ThreadPriority, TheEngineRunsItsWorkBelowTheThreadThatMadeIt) {
  const int base = this_thread_nice();
  if (base > kHighestBase) GTEST_SKIP() << "the tests run at nice " << base;
  EngineExecutor engine(2, 4);
  std::promise<int> seen;
  boost::asio::post(engine.context(), [&] { seen.set_value(this_thread_nice()); });
  EXPECT_EQ(seen.get_future().get(), base + 4);
  engine.stop();
  EXPECT_EQ(this_thread_nice(), base);
}

TEST(ThreadPriority, TheHttpClientsThreadsRunBelowTheThreadThatMadeIt) {
  const int base = this_thread_nice();
  if (base > kHighestBase) GTEST_SKIP() << "the tests run at nice " << base;
  http::ClientOptions options;
  options.nice = 6;
  http::HttpClient client(options);
  std::promise<int> seen;
  client.after(std::chrono::milliseconds(0), [&] { seen.set_value(this_thread_nice()); });
  EXPECT_EQ(seen.get_future().get(), base + 6);
  client.stop();
}

}  // namespace
}  // namespace redcell

#include "engine/target_gate.hpp"

#include <gtest/gtest.h>

namespace redcell {
namespace {

using namespace std::chrono_literals;
using Clock = TargetGate::Clock;

TargetLimits limits(int in_flight, std::int64_t rpm = 0, std::int64_t tpm = 0) {
  TargetLimits l;
  l.max_in_flight = in_flight;
  l.requests_per_minute = rpm;
  l.tokens_per_minute = tpm;
  return l;
}

TEST(TargetGate, CapsSendsInFlightAndWakesAWaiterAtTheNextRelease) {
  TargetGate gate(limits(2));
  const auto now = Clock::now();
  EXPECT_TRUE(gate.try_acquire(now).granted);
  EXPECT_TRUE(gate.try_acquire(now).granted);
  int woken = 0;
  auto full = gate.try_acquire(now, [&] { ++woken; });
  EXPECT_FALSE(full.granted);
  EXPECT_TRUE(full.waiting);
  EXPECT_FALSE(full.retry_in);
  auto wake = gate.release(0, now);
  ASSERT_EQ(wake.size(), 1u);
  wake[0]();
  EXPECT_EQ(woken, 1);
  EXPECT_TRUE(gate.release(0, now).empty()) << "a waiter is woken once";
  EXPECT_EQ(gate.in_flight(), 0);
}

TEST(TargetGate, SpacesRequestsPerMinuteAndSaysWhenTheNextMayGo) {
  TargetGate gate(limits(100, 600));  // one per 100 ms
  const auto t0 = Clock::now();
  EXPECT_TRUE(gate.try_acquire(t0).granted);
  auto early = gate.try_acquire(t0 + 40ms);
  EXPECT_FALSE(early.granted);
  ASSERT_TRUE(early.retry_in);
  EXPECT_EQ(*early.retry_in, 60ms);
  EXPECT_TRUE(gate.try_acquire(t0 + 100ms).granted);
}

TEST(TargetGate, TokensPerMinutePauseUntilTheOldestAnswerLeavesTheWindow) {
  TargetGate gate(limits(100, 0, 100));
  const auto t0 = Clock::now();
  ASSERT_TRUE(gate.try_acquire(t0).granted);
  (void)gate.release(60, t0);
  ASSERT_TRUE(gate.try_acquire(t0 + 1s).granted);
  (void)gate.release(50, t0 + 2s);  // 110 tokens in the last minute
  auto paused = gate.try_acquire(t0 + 3s);
  EXPECT_FALSE(paused.granted);
  ASSERT_TRUE(paused.retry_in);
  EXPECT_EQ(*paused.retry_in, 57s);
  EXPECT_TRUE(gate.try_acquire(t0 + 60s).granted) << "the 60 tokens left the window";
}

TEST(TargetGate, NewLimitsApplyToTheNextSend) {
  TargetGate gate(limits(1));
  const auto now = Clock::now();
  EXPECT_TRUE(gate.try_acquire(now).granted);
  EXPECT_FALSE(gate.try_acquire(now).granted);
  gate.set_limits(limits(2));
  EXPECT_TRUE(gate.try_acquire(now).granted);
}

}  // namespace
}  // namespace redcell

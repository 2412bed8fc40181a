#pragma once
// A cancellation token an execution hands to everything it waits on: cancel() fires every
// registered callback once (outside the lock), and a callback registered after the cancel is
// refused, so no wait can miss it. Thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace redcell {

class CancelToken {
 public:
  bool cancelled() const {
    std::lock_guard lk(mu_);
    return cancelled_;
  }
  void cancel() {
    std::map<std::uint64_t, std::function<void()>> fire;
    {
      std::lock_guard lk(mu_);
      if (cancelled_) return;
      cancelled_ = true;
      fire.swap(callbacks_);
    }
    for (auto& [id, fn] : fire) fn();
  }
  // Registers `fn` for the cancel; nullopt (and `fn` is not kept) when already cancelled.
  std::optional<std::uint64_t> on_cancel(std::function<void()> fn) {
    std::lock_guard lk(mu_);
    if (cancelled_) return std::nullopt;
    const auto id = next_++;
    callbacks_.emplace(id, std::move(fn));
    return id;
  }
  void forget(std::uint64_t id) {
    std::lock_guard lk(mu_);
    callbacks_.erase(id);
  }

 private:
  mutable std::mutex mu_;
  bool cancelled_ = false;
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, std::function<void()>> callbacks_;
};

}  // namespace redcell

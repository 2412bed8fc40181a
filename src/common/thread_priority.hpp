#pragma once
// CPU priority per thread. On Linux each thread has its own nice value (setpriority with a
// thread id), so a pool of bulk work can yield to the threads a run waits on (the store
// writer) and to the API's while the CPUs are busy; when they are not, nice changes nothing.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "common/log.hpp"

namespace redcell {

// The calling thread's nice value (-20 to 19).
inline int this_thread_nice() {
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  return errno == 0 ? nice : 0;
}

// Lowers the calling thread's priority by `steps` nice steps from where it is (a server
// started under `nice -n 5` keeps that offset), at most to 19. Lowering needs no privilege;
// a failure is logged with the thread's name and leaves the thread as it was.
inline void lower_this_thread_priority(int steps, const std::string& thread) {
  if (steps <= 0) return;
  const int target = std::min(19, this_thread_nice() + steps);
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), target) != 0)
    log::warn("thread_priority_unchanged",
              {{"thread", thread}, {"nice", target}, {"error", std::strerror(errno)}});
}

}  // namespace redcell

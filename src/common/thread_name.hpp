#pragma once
// Names the calling thread (at most 15 characters show) so that top -H, perf and gdb tell
// the store writer from the event loops.

#include <pthread.h>

#include <string>

namespace redcell {

inline void name_this_thread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace redcell

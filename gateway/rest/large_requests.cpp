#include "gateway/rest/large_requests.h"

#include <malloc.h>

// tcmalloc's, when the executable is linked with it (cmake/CarebridgeTarget.cmake); a weak
// reference, so that without it the name is null and glibc's malloc_trim serves instead.
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));

namespace carebridge::gateway::rest {
namespace {

// Gives the memory a large request freed back to the system: the allocator would keep
// it for later, so that the next large request found it taken by something else.
void release_free_memory() {
  if (MallocExtension_ReleaseFreeMemory) {
    MallocExtension_ReleaseFreeMemory();
  } else {
    malloc_trim(0);
  }
}

}  // namespace

LargeRequests::Turn::~Turn() {
  if (!owner_) return;
  {
    std::lock_guard lock(owner_->mutex_);
    owner_->busy_ = false;
  }
  owner_->free_.notify_one();
  release_free_memory();
}

size_t LargeRequests::waiting() {
  std::lock_guard lock(mutex_);
  return waiting_;
}

std::optional<LargeRequests::Turn> LargeRequests::enter(size_t bytes) {
  if (bytes < large_bytes_) return Turn();
  std::unique_lock lock(mutex_);
  if (busy_ && waiting_ >= max_waiting_) return std::nullopt;
  ++waiting_;
  free_.wait(lock, [&] { return !busy_; });
  --waiting_;
  busy_ = true;
  return Turn(this);
}

}  // namespace carebridge::gateway::rest

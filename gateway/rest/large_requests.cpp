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
    owner_->active_bytes_ -= bytes_;
  }
  owner_->changed_.notify_all();
  release_free_memory();
}

size_t LargeRequests::waiting() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::optional<LargeRequests::Turn> LargeRequests::enter(size_t bytes) {
  if (bytes < large_bytes_) return Turn();
  std::unique_lock lock(mutex_);
  auto fits = [&] { return active_bytes_ == 0 || active_bytes_ + bytes <= budget_bytes_; };
  if (queue_.empty() && fits()) {
    active_bytes_ += bytes;
    return Turn(this, bytes);
  }
  if (queue_.size() >= max_waiting_) return std::nullopt;
  uint64_t ticket = next_ticket_++;
  queue_.push_back(ticket);
  changed_.wait(lock, [&] { return queue_.front() == ticket && fits(); });
  queue_.pop_front();
  active_bytes_ += bytes;
  lock.unlock();
  changed_.notify_all();  // the next in line may fit too
  return Turn(this, bytes);
}

}  // namespace carebridge::gateway::rest

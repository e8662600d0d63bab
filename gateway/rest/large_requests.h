// Requests with large bodies, admitted within a budget. A transaction Bundle costs about
// twenty times its body while it is parsed, validated and written (the element model,
// the planned writes, the response): one 7.5 MB Bundle of 20,000 small resources takes
// the server from 80 to 250 MB resident, and four of them at once took 716 MB. So bodies
// from `large_bytes` up are answered together only while their sizes add up to at most
// `budget_bytes` (one alone always may), the others wait their turn in arrival order; a
// few dozen may wait, and beyond that a client is told to retry (503 with Retry-After)
// instead of holding a worker thread and its body. Small requests never wait here.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace carebridge::gateway::rest {

class LargeRequests {
 public:
  LargeRequests(size_t large_bytes, size_t budget_bytes, size_t max_waiting)
      : large_bytes_(large_bytes), budget_bytes_(budget_bytes), max_waiting_(max_waiting) {}

  // Held while a large request is answered; empty for a small one.
  class Turn {
   public:
    Turn() = default;
    Turn(LargeRequests* owner, size_t bytes) : owner_(owner), bytes_(bytes) {}
    Turn(Turn&& other) noexcept : owner_(other.owner_), bytes_(other.bytes_) { other.owner_ = nullptr; }
    Turn& operator=(Turn&&) = delete;
    ~Turn();

   private:
    LargeRequests* owner_ = nullptr;
    size_t bytes_ = 0;
  };

  // Waits for the turn of a body of `bytes`; nullopt when too many large requests wait already.
  std::optional<Turn> enter(size_t bytes);
  // How many large requests wait for their turn now.
  size_t waiting();

 private:
  size_t large_bytes_, budget_bytes_, max_waiting_;
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t active_bytes_ = 0;
  std::deque<uint64_t> queue_;  // the waiting requests' tickets, oldest first
  uint64_t next_ticket_ = 0;
};

}  // namespace carebridge::gateway::rest

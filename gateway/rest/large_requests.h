// Requests with large bodies, taken one at a time. A transaction Bundle costs about
// twenty times its body while it is parsed, validated and written (the element model,
// the planned writes, the response): one 7.5 MB Bundle of 20,000 small resources takes
// the server from 80 to 250 MB resident, and four of them at once took 716 MB. So
// bodies from `large_bytes` up wait for the one before them; a few may wait, and
// beyond that a client is told to retry (503 with Retry-After) instead of holding a
// worker thread and its body while others queue. Small requests never wait here.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>

namespace carebridge::gateway::rest {

class LargeRequests {
 public:
  LargeRequests(size_t large_bytes, size_t max_waiting) : large_bytes_(large_bytes), max_waiting_(max_waiting) {}

  // Held while a large request is answered; empty for a small one.
  class Turn {
   public:
    Turn() = default;
    explicit Turn(LargeRequests* owner) : owner_(owner) {}
    Turn(Turn&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Turn& operator=(Turn&&) = delete;
    ~Turn();

   private:
    LargeRequests* owner_ = nullptr;
  };

  // Waits for the turn of a body of `bytes`; nullopt when too many large requests wait already.
  std::optional<Turn> enter(size_t bytes);
  // How many large requests wait for their turn now.
  size_t waiting();

 private:
  size_t large_bytes_, max_waiting_;
  std::mutex mutex_;
  std::condition_variable free_;
  bool busy_ = false;
  size_t waiting_ = 0;
};

}  // namespace carebridge::gateway::rest

// Delivery's threads. Each notification is a blocking HTTP exchange, so a receiver that
// takes its time or never answers holds a thread until its timeout. The pool starts with
// `base` threads and, when work waits while every thread has been held longer than
// `stuck_after`, starts another (up to `max`): a slow subscriber holds a thread of its own
// and never delays the others. Threads beyond `base` end after a minute without work.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace carebridge::gateway::routing {

class WorkerPool {
 public:
  using Clock = std::chrono::steady_clock;
  WorkerPool(unsigned base, unsigned max, std::chrono::milliseconds stuck_after = std::chrono::milliseconds(500));
  ~WorkerPool();  // as join()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void post(std::function<void()> task);
  // Runs what is queued, then ends every thread (posts after this are dropped).
  void join();
  unsigned threads() const;

 private:
  struct Worker {
    std::thread thread;
    bool busy = false;
    bool done = false;
    Clock::time_point since{};  // when the task under way began
  };
  void work(Worker* self, bool extra);
  void watch();  // starts a thread when every one is held and work waits
  bool all_held(Clock::time_point now) const;  // the lock held

  unsigned base_, max_;
  std::chrono::milliseconds stuck_after_;
  mutable std::mutex mutex_;
  std::condition_variable work_, stop_watch_;
  std::deque<std::function<void()>> queue_;
  std::list<Worker> workers_;  // addresses stay while others end
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace carebridge::gateway::routing

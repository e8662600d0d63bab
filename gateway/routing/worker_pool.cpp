#include "gateway/routing/worker_pool.h"

#include <pthread.h>

#include <iterator>

namespace carebridge::gateway::routing {

namespace {
constexpr auto kIdleEnd = std::chrono::minutes(1);  // an extra thread without work this long ends
}

WorkerPool::WorkerPool(unsigned base, unsigned max, std::chrono::milliseconds stuck_after)
    : base_(std::max(1u, base)), max_(std::max(base_, max)), stuck_after_(stuck_after) {
  std::lock_guard lock(mutex_);
  for (unsigned i = 0; i < base_; ++i) {
    Worker& w = workers_.emplace_back();
    w.thread = std::thread([this, &w] { work(&w, false); });
  }
  watcher_ = std::thread([this] { watch(); });
}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back(std::move(task));
  }
  work_.notify_one();
}

unsigned WorkerPool::threads() const {
  std::lock_guard lock(mutex_);
  unsigned n = 0;
  for (const Worker& w : workers_) n += !w.done;
  return n;
}

void WorkerPool::work(Worker* self, bool extra) {
  pthread_setname_np(pthread_self(), "cb-delivery");  // as top and perf show it
  std::unique_lock lock(mutex_);
  while (true) {
    bool woken = work_.wait_for(lock, kIdleEnd, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && (stopping_ || (extra && !woken))) break;
    if (queue_.empty()) continue;
    auto task = std::move(queue_.front());
    queue_.pop_front();
    self->busy = true;
    self->since = Clock::now();
    lock.unlock();
    task();
    lock.lock();
    self->busy = false;
  }
  self->done = true;
}

bool WorkerPool::all_held(Clock::time_point now) const {
  for (const Worker& w : workers_)
    if (!w.done && (!w.busy || now - w.since < stuck_after_)) return false;
  return true;
}

void WorkerPool::watch() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    stop_watch_.wait_for(lock, stuck_after_ / 2);
    if (stopping_) break;
    // Threads that ended are joined and forgotten (never the first `base_`).
    for (auto it = std::next(workers_.begin(), base_); it != workers_.end();) {
      if (!it->done) {
        ++it;
        continue;
      }
      it->thread.join();
      it = workers_.erase(it);
    }
    if (queue_.empty() || workers_.size() >= max_ || !all_held(Clock::now())) continue;
    Worker& w = workers_.emplace_back();
    w.thread = std::thread([this, &w] { work(&w, true); });
  }
}

void WorkerPool::join() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !watcher_.joinable()) return;
    stopping_ = true;
  }
  work_.notify_all();
  stop_watch_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  for (Worker& w : workers_)
    if (w.thread.joinable()) w.thread.join();
}

}  // namespace carebridge::gateway::routing

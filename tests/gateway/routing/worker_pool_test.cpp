// Delivery's pool grows while every thread is held, so a held thread delays no other work,
// and never past its bound.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gateway/routing/worker_pool.h"

using carebridge::gateway::routing::WorkerPool;

namespace {

// Tasks that hold their thread until released, counting how many have started.
struct Held {
  std::mutex mutex;
  std::condition_variable released_cv;
  bool released = false;
  std::atomic<int> started{0};
  std::function<void()> task() {
    return [this] {
      ++started;
      std::unique_lock lock(mutex);
      released_cv.wait(lock, [this] { return released; });
    };
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      released = true;
    }
    released_cv.notify_all();
  }
  bool started_within(int n, std::chrono::milliseconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (started < n && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return started >= n;
  }
};

}  // namespace

TEST_CASE("worker pool: work waiting behind held threads gets a thread of its own", "[routing]") {
  Held held;
  WorkerPool pool(1, 8, std::chrono::milliseconds(50));
  for (int i = 0; i < 3; ++i) pool.post(held.task());
  CHECK(held.started_within(3, std::chrono::seconds(2)));
  CHECK(pool.threads() == 3);
  held.release();
  pool.join();
}

TEST_CASE("worker pool: never more threads than its bound, queued work runs once threads are free", "[routing]") {
  Held held;
  std::atomic<int> after{0};
  {
    WorkerPool pool(1, 2, std::chrono::milliseconds(50));
    for (int i = 0; i < 4; ++i) pool.post(held.task());
    pool.post([&] { ++after; });
    CHECK(held.started_within(2, std::chrono::seconds(2)));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(held.started == 2);
    CHECK(pool.threads() == 2);
    held.release();
  }  // the pool's end runs what was queued
  CHECK(held.started == 4);
  CHECK(after == 1);
}

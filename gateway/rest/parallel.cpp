// run_parallel: jobs taken from a shared counter by short-lived threads.
#include "gateway/rest/parallel.h"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace carebridge::gateway::rest {

void run_parallel(size_t n, unsigned threads, size_t min_per_thread, const std::function<void(size_t)>& job) {
  size_t extra = threads > 1 && min_per_thread ? std::min<size_t>(threads - 1, n / min_per_thread) : 0;
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(extra);
  for (size_t t = 0; t < extra; ++t) helpers.emplace_back(work);
  work();
  for (auto& h : helpers) h.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace carebridge::gateway::rest

// Work of one request split over the machine's cores: the resources of a large
// batch or transaction are validated side by side (validation only reads them).
#pragma once

#include <cstddef>
#include <functional>

namespace carebridge::gateway::rest {

// Runs job(0) ... job(n - 1) on up to `threads` threads, the caller's among them,
// and returns when all are done. Below `min_per_thread` jobs per extra thread it
// stays on the caller's. The first exception a job throws is rethrown here.
void run_parallel(size_t n, unsigned threads, size_t min_per_thread, const std::function<void(size_t)>& job);

}  // namespace carebridge::gateway::rest

// Token buckets per client and the stage that answers 429 (see rate_limit.h).
#include "gateway/pipeline/rate_limit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <string>

namespace carebridge::gateway::pipeline {
namespace {

// MurmurHash3's finalizer: every bit of the input moves every bit of the output.
uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TokenBuckets::TokenBuckets(double per_second, double burst, size_t max_clients)
    : per_ns_(per_second / 1e9),
      burst_(std::max(1.0, burst)),
      seed_(mix(std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32))),
      sets_(std::max<size_t>(1, (max_clients + kWays - 1) / kWays)),
      locks_(std::make_unique<std::mutex[]>(kLocks)) {}

uint64_t TokenBuckets::key(char kind, std::string_view text) const {
  // FNV-1a over the kind and the text, started from the seed, then mixed.
  uint64_t h = seed_ ^ 0xcbf29ce484222325ULL;
  h = (h ^ static_cast<unsigned char>(kind)) * 0x100000001b3ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  h = mix(h);
  return h == 0 ? 1 : h;  // 0 marks a free slot
}

TokenBuckets::Slot& TokenBuckets::slot_for(Set& set, uint64_t client, int64_t now_ns) {
  Slot* oldest = &set.slots[0];
  for (auto& slot : set.slots) {
    if (slot.client == client) return slot;
    if (slot.client == 0 || (oldest->client != 0 && slot.seen_ns < oldest->seen_ns)) oldest = &slot;
  }
  // A new client takes a free slot or the least recently seen one, with a full bucket.
  *oldest = Slot{client, now_ns, burst_};
  return *oldest;
}

TokenBuckets::Decision TokenBuckets::take(uint64_t client, int64_t now_ns) {
  size_t index = static_cast<size_t>((client >> 32) % sets_.size());
  std::lock_guard lock(locks_[index % kLocks]);
  Slot& slot = slot_for(sets_[index], client, now_ns);
  if (now_ns > slot.seen_ns) {
    slot.tokens = std::min(burst_, slot.tokens + static_cast<double>(now_ns - slot.seen_ns) * per_ns_);
  }
  slot.seen_ns = std::max(slot.seen_ns, now_ns);
  if (slot.tokens >= 1.0) {
    slot.tokens -= 1.0;
    return {};
  }
  double wait_s = (1.0 - slot.tokens) / (per_ns_ * 1e9);
  return {false, static_cast<uint32_t>(std::min(86400.0, std::max(1.0, std::ceil(wait_s))))};
}


RateLimit::RateLimit(const config::Limits& limits)
    : per_second_(limits.requests_per_second),
      burst_(limits.request_burst ? limits.request_burst : limits.requests_per_second) {
  if (per_second_ > 0) {
    buckets_.emplace(static_cast<double>(per_second_), static_cast<double>(burst_), limits.max_rate_limited_clients);
  }
}

std::optional<http::Response> RateLimit::before(Exchange& exchange) {
  if (!buckets_) return std::nullopt;
  return before(exchange, steady_now_ns());
}

std::optional<http::Response> RateLimit::before(Exchange& exchange, int64_t now_ns) {
  if (!buckets_) return std::nullopt;
  // Health probes come often from one load balancer; they are cheap and never limited.
  if (exchange.path == "/healthz" || exchange.path == "/readyz") return std::nullopt;
  uint64_t client = exchange.principal && !exchange.principal->client_id.empty()
                        ? buckets_->key('c', exchange.principal->client_id)
                        : buckets_->key('a', http::remote_host(exchange.request->remote));
  auto decision = buckets_->take(client, now_ns);
  if (decision.allowed) return std::nullopt;
  auto response = outcome_response(429, "throttled",
                                   "too many requests from this client: at most " + std::to_string(per_second_) +
                                       " per second (bursts of " + std::to_string(burst_) + "); retry after " +
                                       std::to_string(decision.retry_after_s) + " s");
  response.set_header("Retry-After", std::to_string(decision.retry_after_s));
  return response;
}

}  // namespace carebridge::gateway::pipeline

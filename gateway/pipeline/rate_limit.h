// Per-client request limits: a token bucket per client (the token's client when
// the authorization stage knows it, else the remote address), refilled at
// `limits.requests_per_second` up to `limits.request_burst`. A request that finds
// its bucket empty is answered 429 with Retry-After and a "throttled"
// OperationOutcome. Memory is fixed at start-up: at most `max_rate_limited_clients`
// buckets, the least recently seen one given up for a new client (an idle bucket
// is full, so forgetting it changes nothing). A request takes a hash, one of 64
// locks and a scan of 8 slots: no allocation.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/pipeline/pipeline.h"

namespace carebridge::gateway::pipeline {

class TokenBuckets {
 public:
  // `burst` tokens at most, `per_second` added each second; room for `max_clients` buckets.
  TokenBuckets(double per_second, double burst, size_t max_clients);

  struct Decision {
    bool allowed = true;
    uint32_t retry_after_s = 0;  // when refused: seconds until a token is there (rounded up)
  };
  // Takes a token from the bucket of `client` (a key from key()) at `now_ns` on a steady clock.
  Decision take(uint64_t client, int64_t now_ns);
  // A client's key: the text hashed with a per-process seed, `kind` keeping kinds of text apart.
  uint64_t key(char kind, std::string_view text) const;
  size_t capacity() const { return sets_.size() * kWays; }

 private:
  static constexpr size_t kWays = 8;     // slots a client may take: a set of 8
  static constexpr size_t kLocks = 64;   // set i is guarded by lock i % kLocks
  struct Slot {
    uint64_t client = 0;  // 0: free
    int64_t seen_ns = 0;
    double tokens = 0;
  };
  struct Set {
    std::array<Slot, kWays> slots{};
  };
  Slot& slot_for(Set& set, uint64_t client, int64_t now_ns);

  double per_ns_, burst_;
  uint64_t seed_;
  std::vector<Set> sets_;
  std::unique_ptr<std::mutex[]> locks_;
};


class RateLimit final : public Stage {
 public:
  // Off (every request passes) when limits.requests_per_second is 0.
  explicit RateLimit(const config::Limits& limits);
  std::optional<http::Response> before(Exchange& exchange) override;
  // As before(), at a given time (tests and the benchmark).
  std::optional<http::Response> before(Exchange& exchange, int64_t now_ns);

 private:
  std::optional<TokenBuckets> buckets_;
  uint64_t per_second_ = 0, burst_ = 0;
};

}  // namespace carebridge::gateway::pipeline

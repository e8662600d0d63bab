// Prometheus metrics: requests by route, method and status, request latency
// histograms by route, and store operation timings. Thread-safe; label sets are
// bounded (routes are templates such as "/fhir/Patient/{id}", never raw paths).
#pragma once

#include <array>
#include <functional>
#include <vector>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "gateway/store/store.h"

namespace carebridge::gateway::http {

class Metrics final : public store::StoreTimings {
 public:
  void observe_request(const std::string& route, const std::string& method, unsigned status, double seconds);
  void observe(const char* operation, double seconds) override;
  // One validated write: its policy ("ingest", "strict"), resource type, the
  // warnings it was accepted with, and whether it was refused.
  void observe_validation(const char* policy, const std::string& type, size_t warnings, bool refused);
  // The Prometheus text exposition format (version 0.0.4).
  std::string render() const;
  // Adds series another part renders itself (subscriptions' delivery), after these.
  void add_source(std::function<std::string()> source);

 private:
  std::string render_own() const;  // with mutex_ held
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,   10};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
    void add(double seconds);
  };
  static constexpr size_t kMaxSeries = 2000;

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, unsigned>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, Histogram> store_;
  struct Validations {
    uint64_t accepted = 0, accepted_with_warnings = 0, refused = 0, warnings = 0;
  };
  std::map<std::pair<std::string, std::string>, Validations> validations_;  // (policy, type)
  std::vector<std::function<std::string()>> sources_;
};

}  // namespace carebridge::gateway::http

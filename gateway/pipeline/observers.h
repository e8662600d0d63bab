// What is told of every response: the request log (one JSON line per request, no
// personal data: query values are masked) and the Prometheus metrics (by route label).
#pragma once

#include <fstream>
#include <mutex>
#include <string>

#include "gateway/config/config.h"
#include "gateway/http/metrics.h"
#include "gateway/pipeline/pipeline.h"

namespace carebridge::gateway::pipeline {

class RequestLog final : public Observer {
 public:
  explicit RequestLog(const config::Logging& logging);
  void observe(const http::Request& request, const std::string& route_label, const http::Response& response,
               double seconds) override;

 private:
  bool enabled_;
  std::ofstream file_;  // standard error when not open
  std::mutex mutex_;
};

class MetricsObserver final : public Observer {
 public:
  explicit MetricsObserver(http::Metrics& metrics) : metrics_(metrics) {}
  void observe(const http::Request& request, const std::string& route_label, const http::Response& response,
               double seconds) override {
    metrics_.observe_request(route_label, request.method, response.status, seconds);
  }

 private:
  http::Metrics& metrics_;
};

// The target as the request log shows it: search values can be personal data
// ("name=..."), so the query keeps only parameter names ("name=*"); an absolute-form
// target loses its user and password ("http://*@host/..."); at most 2000 characters.
std::string redacted_target(const std::string& target);

}  // namespace carebridge::gateway::pipeline

// Metrics collection and Prometheus text rendering (see metrics.h).
#include "gateway/http/metrics.h"

#include <cstdio>

namespace carebridge::gateway::http {
namespace {

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

std::string escape(const std::string& label) {
  std::string out;
  for (char c : label) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::Histogram::add(double seconds) {
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++counts[i];
  }
  ++count;
  sum += seconds;
}

void Metrics::observe_request(const std::string& route, const std::string& method, unsigned status, double seconds) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(route, method, status);
  auto it = requests_.find(key);
  if (it == requests_.end()) {
    if (requests_.size() >= kMaxSeries) key = std::make_tuple(std::string("other"), std::string("other"), status);
    it = requests_.emplace(key, 0).first;
  }
  ++it->second;
  if (latency_.size() < kMaxSeries || latency_.count(route)) latency_[route].add(seconds);
}

void Metrics::observe(const char* operation, double seconds) {
  std::lock_guard lock(mutex_);
  store_[operation].add(seconds);
}

void Metrics::observe_validation(const char* policy, const std::string& type, size_t warnings, bool refused) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(std::string(policy), type);
  if (!validations_.count(key) && validations_.size() >= kMaxSeries) key.second = "other";
  auto& v = validations_[key];
  (refused ? v.refused : warnings ? v.accepted_with_warnings : v.accepted) += 1;
  v.warnings += warnings;
}

void Metrics::add_source(std::function<std::string()> source) {
  std::lock_guard lock(mutex_);
  sources_.push_back(std::move(source));
}

std::string Metrics::render() const {
  std::string out;
  std::vector<std::function<std::string()>> sources;
  {
    std::lock_guard lock(mutex_);
    sources = sources_;
    out = render_own();
  }
  for (const auto& source : sources) out += source();
  return out;
}

std::string Metrics::render_own() const {
  std::string out;
  out += "# HELP carebridge_http_requests_total HTTP requests answered, by route, method and status.\n";
  out += "# TYPE carebridge_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out += "carebridge_http_requests_total{route=\"" + escape(route) + "\",method=\"" + escape(method) +
           "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(count) + "\n";
  }
  auto histogram = [&](const char* name, const char* help, const char* label,
                       const std::map<std::string, Histogram>& series) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " histogram\n";
    for (const auto& [key, h] : series) {
      std::string l = std::string(label) + "=\"" + escape(key) + "\"";
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        out += std::string(name) + "_bucket{" + l + ",le=\"" + number(kBuckets[i]) + "\"} " + std::to_string(h.counts[i]) + "\n";
      }
      out += std::string(name) + "_bucket{" + l + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
      out += std::string(name) + "_sum{" + l + "} " + number(h.sum) + "\n";
      out += std::string(name) + "_count{" + l + "} " + std::to_string(h.count) + "\n";
    }
  };
  out += "# HELP carebridge_validated_writes_total Resources validated before a write, by policy, type and outcome.\n";
  out += "# TYPE carebridge_validated_writes_total counter\n";
  for (const auto& [key, v] : validations_) {
    std::string l = "policy=\"" + escape(key.first) + "\",resource_type=\"" + escape(key.second) + "\"";
    out += "carebridge_validated_writes_total{" + l + ",outcome=\"accepted\"} " + std::to_string(v.accepted) + "\n";
    out += "carebridge_validated_writes_total{" + l + ",outcome=\"accepted_with_warnings\"} " +
           std::to_string(v.accepted_with_warnings) + "\n";
    out += "carebridge_validated_writes_total{" + l + ",outcome=\"refused\"} " + std::to_string(v.refused) + "\n";
  }
  out += "# HELP carebridge_validation_warnings_total Warnings written resources were accepted with, by policy and type.\n";
  out += "# TYPE carebridge_validation_warnings_total counter\n";
  for (const auto& [key, v] : validations_) {
    out += "carebridge_validation_warnings_total{policy=\"" + escape(key.first) + "\",resource_type=\"" +
           escape(key.second) + "\"} " + std::to_string(v.warnings) + "\n";
  }
  histogram("carebridge_http_request_duration_seconds", "Time from reading a request to writing its response.", "route",
            latency_);
  histogram("carebridge_store_operation_duration_seconds", "Store operations (commit waits for durability).",
            "operation", store_);
  return out;
}

}  // namespace carebridge::gateway::http

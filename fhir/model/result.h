// The one error shape at library boundaries (as absl::StatusOr): a value, or the
// issues that say in plain words why there is none. Untrusted input never throws;
// a function that can fail on it returns a Result. `Result<void>` carries no value.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fhir/model/document.h"

namespace carebridge {

using fhir::model::Issue;
using fhir::model::Severity;

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: a value is a successful result
  Result(Issue issue) { issues_.push_back(std::move(issue)); }  // NOLINT: so is a failure
  Result(std::vector<Issue> issues) : issues_(std::move(issues)) {}  // NOLINT

  // A failure of one error issue with `code` (a FHIR issue-type code) and `message`.
  static Result failure(std::string code, std::string message) {
    return Result(Issue{Severity::Error, std::move(code), std::move(message), {}, {}});
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  // Why there is no value (empty when there is one).
  const std::vector<Issue>& issues() const { return issues_; }
  std::vector<Issue>& issues() { return issues_; }
  // The first issue's message, for one-line reports.
  std::string message() const { return issues_.empty() ? std::string() : issues_.front().message; }

 private:
  std::optional<T> value_;
  std::vector<Issue> issues_;
};

template <>
class Result<void> {
 public:
  Result() = default;  // success
  Result(Issue issue) : failed_(true) { issues_.push_back(std::move(issue)); }  // NOLINT
  Result(std::vector<Issue> issues) : issues_(std::move(issues)), failed_(true) {}  // NOLINT

  static Result failure(std::string code, std::string message) {
    return Result(Issue{Severity::Error, std::move(code), std::move(message), {}, {}});
  }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::vector<Issue>& issues() const { return issues_; }
  std::string message() const { return issues_.empty() ? std::string() : issues_.front().message; }

 private:
  std::vector<Issue> issues_;
  bool failed_ = false;
};

}  // namespace carebridge

// `carebridge validate [--profile URL]... [--package DIR]... [--json] FILE...`:
// reads each file (JSON or XML), validates it and prints either a readable report
// or, with --json, one line per file: {"file": PATH, "outcome": OperationOutcome}.
// Exit 0 when no file has an error, 1 when some has, 2 on bad usage.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>

#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "fhir/validation/operation_outcome.h"
#include "fhir/validation/validator.h"
#include "app/command.h"

namespace carebridge::app {
namespace {

using fhir::model::Issue;
using fhir::model::Severity;

constexpr const char* kUsage =
    "usage: carebridge validate [--profile URL]... [--package DIR]... [--json] FILE...\n";

void print_report(const std::string& file, const std::vector<Issue>& issues) {
  size_t errors = 0, warnings = 0;
  for (const auto& i : issues) {
    if (i.severity == Severity::Error || i.severity == Severity::Fatal) ++errors;
    if (i.severity == Severity::Warning) ++warnings;
  }
  std::cout << file << ": " << (errors ? "INVALID" : "valid") << " (" << errors << " error" << (errors == 1 ? "" : "s")
            << ", " << warnings << " warning" << (warnings == 1 ? "" : "s") << ")\n";
  for (const auto& i : issues) {
    std::cout << "  " << fhir::model::to_string(i.severity) << "  ";
    if (!i.expression.empty()) std::cout << i.expression << " ";
    if (i.position.line) std::cout << "(line " << i.position.line << ", column " << i.position.column << ") ";
    std::cout << "- " << i.message << "\n";
  }
}

}  // namespace

int validate_command(const Arguments& arguments) {
  fhir::validation::Options options;
  std::vector<std::string> packages, files;
  bool json = false;
  const auto& args = arguments.args;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--profile" || a == "--package") && i + 1 < args.size()) {
      (a == "--profile" ? options.profiles : packages).push_back(args[++i]);
    } else if (a == "--json") {
      json = true;
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      std::cerr << "carebridge validate: unknown option '" << a << "'\n" << kUsage;
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::cerr << "carebridge validate: no file given\n" << kUsage;
    return 2;
  }
  auto definitions = load_definitions(arguments);
  if (!definitions) return 2;
  if (!load_packages(*definitions, packages, "validate")) return 2;
  auto validator = fhir::validation::Validator::with_invariants(*definitions);
  auto check = [&](const std::string& file) {
    std::vector<Issue> issues;
    std::string text, error;
    if (!read_input(file, text, error)) {
      issues.push_back({Severity::Fatal, "not-found", "cannot read '" + file + "': " + error, {}, {}});
      return issues;
    }
    auto parsed = fhir::io::read(text, *definitions);
    issues = std::move(parsed.issues);
    issues.insert(issues.end(), parsed.validation_issues.begin(), parsed.validation_issues.end());
    if (parsed.document && parsed.document->root()) {
      auto found = validator->validate(*parsed.document->root(), options);
      issues.insert(issues.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
    return issues;
  };
  // Files are validated on every core, a window at a time (bounded memory), and
  // reported in the order given.
  const size_t window = 256;
  const size_t workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::vector<Issue>> results(std::min(window, files.size()));
  bool any_error = false;
  for (size_t start = 0; start < files.size(); start += window) {
    const size_t count = std::min(window, files.size() - start);
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < count;) results[i] = check(files[start + i]);
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < std::min(workers, count); ++w) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    for (size_t i = 0; i < count; ++i) {
      const auto& file = files[start + i];
      const auto& issues = results[i];
      any_error = any_error || fhir::validation::has_errors(issues);
      if (json) {
        std::string line = "{\"file\":";
        fhir::json::append_json_string(line, file);
        // Every issue: an integrator's report, not a server's answer.
        line += ",\"outcome\":" + fhir::validation::operation_outcome_json(issues, false, issues.size()) + "}\n";
        std::cout << line;
      } else {
        print_report(file, issues);
      }
    }
  }
  std::cout.flush();
  return any_error ? 1 : 0;
}

}  // namespace carebridge::app

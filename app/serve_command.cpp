// `carebridge serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--port-file FILE] [--package P]...`:
// opens the store, builds the FHIR service and runs the HTTP server until SIGTERM.
// With no config: HTTP on 127.0.0.1:8080, data under ./data; flags override the config.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "fhir/fhirpath/fhirpath.h"
#include "fhir/json/json_writer.h"
#include "fhir/validation/operation_outcome.h"
#include "fhir/validation/validator.h"
#include "app/command.h"
#include "gateway/config/config.h"
#include "gateway/http/metrics.h"
#include "gateway/http/server.h"
#include "fhir/time/fhir_time.h"
#include "gateway/rest/negotiation.h"
#include "fhir/search/registry.h"
#include "gateway/rest/service.h"
#include "gateway/store/sqlite_store.h"

namespace carebridge::app {
namespace {

constexpr const char* kUsage =
    "usage: carebridge serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--port-file FILE]\n"
    "                        [--package DIR|FILE.tgz]...\n";

// A bounded route label for metrics: "/fhir/Patient/{id}/_history/{vid}".
std::string route_of(const std::string& target, const std::string& base, const rest::SearchRegistry& registry) {
  std::string path = target.substr(0, target.find('?'));
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") return path;
  if (path.rfind(base, 0) != 0) return "other";
  std::vector<std::string> s;
  for (size_t at = base.size(); at < path.size();) {
    auto next = path.find('/', at + 1);
    std::string seg = path.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    if (!seg.empty()) s.push_back(seg);
    at = next == std::string::npos ? path.size() : next;
  }
  std::string route = base;
  for (size_t i = 0; i < s.size() && i < 4; ++i) {
    const std::string& seg = s[i];
    bool fixed = seg == "_history" || seg == "_search" || seg == "$validate" || seg == "metadata";
    if (i == 0 && !fixed) route += registry.is_resource_type(seg) ? "/" + seg : "/{type}";
    else if (fixed) route += "/" + seg;
    else route += i == 1 ? "/{id}" : "/{vid}";
  }
  return route;
}

// The target without query values: search values can be personal data ("name=...").
std::string redacted_target(const std::string& target) {
  auto q = target.find('?');
  if (q == std::string::npos) return target.substr(0, 2000);
  std::string out = target.substr(0, std::min(q, size_t{2000})) + "?";
  for (size_t at = q + 1; at < target.size() && out.size() < 2000;) {
    auto amp = target.find('&', at);
    std::string pair = target.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    out += pair.substr(0, pair.find('=')) + (pair.find('=') == std::string::npos ? "" : "=*");
    if (amp == std::string::npos) break;
    out += '&';
    at = amp + 1;
  }
  return out;
}

class RequestLog {
 public:
  explicit RequestLog(const config::Logging& logging) : enabled_(logging.requests) {
    if (!logging.file.empty()) file_.open(logging.file, std::ios::app);
  }
  void write(const http::Request& request, const http::Response& response, double seconds) {
    if (!enabled_) return;
    std::string line = "{\"time\":";
    fhir::json::append_json_string(line, rest::format_instant(rest::now_ms()));
    line += ",\"remote\":";
    fhir::json::append_json_string(line, request.remote);
    line += ",\"method\":";
    fhir::json::append_json_string(line, request.method);
    line += ",\"target\":";
    fhir::json::append_json_string(line, redacted_target(request.target));
    line += ",\"status\":" + std::to_string(response.status);
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", seconds * 1000);
    line += ",\"duration_ms\":" + std::string(ms) + "}\n";
    std::lock_guard lock(mutex_);
    if (file_.is_open()) {
      file_ << line << std::flush;
    } else {
      std::cerr << line << std::flush;
    }
  }

 private:
  bool enabled_;
  std::ofstream file_;
  std::mutex mutex_;
};

http::Response outcome_response(unsigned status, const std::string& message) {
  http::Response r;
  r.status = status;
  fhir::model::Issue issue{fhir::model::Severity::Error, status == 413 ? "too-costly" : "invalid",
                           message, {}, {}};
  r.body = fhir::validation::operation_outcome_json({issue});
  r.set_header("Content-Type", "application/fhir+json; charset=utf-8");
  return r;
}

// The config file with the flags applied over it; nullopt (and the exit code) on bad usage.
std::optional<config::Config> read_config(const Arguments& arguments, int& exit_code) {
  const auto& args = arguments.args;
  std::string config_file, listen, data_dir, port_file;
  std::vector<std::string> packages;
  exit_code = 2;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string package;
    bool ok = (a == "--config" && value(config_file)) || (a == "--listen" && value(listen)) ||
              (a == "--data-dir" && value(data_dir)) || (a == "--port-file" && value(port_file)) ||
              (a == "--package" && value(package));
    if (!package.empty()) packages.push_back(package);
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      exit_code = 0;
      return std::nullopt;
    }
    if (!ok) {
      std::cerr << "carebridge serve: unexpected argument '" << a << "'\n" << kUsage;
      return std::nullopt;
    }
  }
  config::Config config;
  if (!config_file.empty()) {
    std::string error;
    auto loaded = config::load_file(config_file, error);
    if (!loaded) {
      std::cerr << "carebridge serve: " << error << "\n";
      return std::nullopt;
    }
    config = *loaded;
  }
  if (!listen.empty()) {
    config::Listen l;
    if (!config::parse_listen(listen, l)) {
      std::cerr << "carebridge serve: --listen needs HOST:PORT, not '" << listen << "'\n";
      return std::nullopt;
    }
    // The flag moves the server; the first configured address's TLS files still apply.
    if (!config.listen.empty()) {
      l.tls_certificate = config.listen.front().tls_certificate;
      l.tls_private_key = config.listen.front().tls_private_key;
    }
    config.listen = {l};
  }
  if (!data_dir.empty()) config.data_dir = data_dir;
  if (!port_file.empty()) config.port_file = port_file;
  config.packages.insert(config.packages.end(), packages.begin(), packages.end());
  return config;
}

fhir::validation::Policy policy_named(const std::string& name) {
  return name == "strict" ? fhir::validation::Policy::Strict : fhir::validation::Policy::Ingest;
}

// How the service validates writes: the configured policies, each write counted in the metrics.
void set_validation(rest::ServiceOptions& options, const config::Validation& validation,
                    const fhir::validation::Validator& validator, http::Metrics& metrics) {
  options.validate = [&validator](const fhir::model::Element& resource, const std::vector<std::string>& profiles,
                                  fhir::validation::Policy policy) {
    fhir::validation::Options run;
    run.profiles = profiles;
    run.policy = policy;
    return validator.validate(resource, run);
  };
  options.write_policy = policy_named(validation.policy);
  for (const auto& [type, policy] : validation.types) options.write_policies[type] = policy_named(policy);
  options.observe_validation = [&metrics](fhir::validation::Policy policy, std::string_view type, const rest::Issues& issues) {
    size_t warnings = 0;
    for (const auto& i : issues) warnings += i.severity == fhir::model::Severity::Warning;
    metrics.observe_validation(policy == fhir::validation::Policy::Strict ? "strict" : "ingest", std::string(type),
                               warnings, fhir::validation::has_errors(issues));
  };
}

}  // namespace

int serve_command(const Arguments& arguments) {
  int exit_code = 0;
  auto read = read_config(arguments, exit_code);
  if (!read) return exit_code;
  const config::Config& config = *read;
  auto definitions = load_definitions(arguments);
  if (!definitions || !load_packages(*definitions, config.packages, "serve")) return 1;
  http::Metrics metrics;
  std::unique_ptr<store::SqliteStore> store;
  try {
    store::SqliteOptions options;
    options.directory = config.data_dir;
    // One reader connection per worker and I/O thread, so that reads never wait for a connection.
    auto threads = http::thread_counts(config.io_threads, config.worker_threads);
    options.readers = threads.io + threads.workers;
    options.timings = &metrics;
    store = std::make_unique<store::SqliteStore>(options);
  } catch (const std::exception& e) {
    std::cerr << "carebridge serve: cannot open the store in " << config.data_dir << ": " << e.what() << "\n";
    return 1;
  }
  fhir::fhirpath::Engine engine(*definitions);
  fhir::validation::Validator validator(*definitions, &engine);
  rest::ServiceOptions service_options;
  service_options.engine = &engine;
  set_validation(service_options, config.validation, validator, metrics);
  service_options.base_path = config.base_path;
  service_options.limits = config.limits;
  service_options.profiles = config.profiles;
  rest::FhirService service(*definitions, *store, service_options);
  RequestLog log(config.logging);

  http::ServerOptions server_options;
  server_options.listen = config.listen;
  server_options.limits = config.limits;
  server_options.io_threads = config.io_threads;
  server_options.worker_threads = config.worker_threads;
  server_options.error_response = outcome_response;
  const std::string base = config.base_path;
  server_options.observer = [&](const http::Request& request, const http::Response& response, double seconds) {
    metrics.observe_request(route_of(request.target, base, service.registry()), request.method, response.status, seconds);
    log.write(request, response, seconds);
  };
  auto answer = [&](const http::Request& request) -> http::Response {
    std::string path = request.target.substr(0, request.target.find('?'));
    http::Response r;
    if (path == "/readyz" && !store->ready()) {
      r.status = 503;
      r.body = "the store does not answer\n";
      r.set_header("Content-Type", "text/plain; charset=utf-8");
      return r;
    }
    if (path == "/healthz" || path == "/readyz") {
      r.body = "ok\n";
      r.set_header("Content-Type", "text/plain; charset=utf-8");
      return r;
    }
    if (path == "/metrics") {
      r.body = metrics.render();
      r.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      return r;
    }
    return outcome_response(404, "no such endpoint: " + path + " (the FHIR API is under " + base + ")");
  };
  auto answer_at_once = http::answer_at_once(answer);
  auto handler = [&](std::shared_ptr<const http::Request> request, http::Responder responder) {
    std::string_view path = std::string_view(request->target).substr(0, request->target.find('?'));
    if (path == base || path.starts_with(base + "/")) return service.handle(std::move(request), std::move(responder));
    answer_at_once(std::move(request), std::move(responder));
  };
  http::Server server(server_options, handler);
  std::vector<uint16_t> ports;
  try {
    ports = server.bind();
  } catch (const std::exception& e) {
    std::cerr << "carebridge serve: " << e.what() << "\n";
    return 1;
  }
  for (size_t i = 0; i < ports.size(); ++i) {
    const auto& l = config.listen[i];
    bool tls = !l.tls_certificate.empty();
    std::cout << "carebridge: listening on " << (tls ? "https" : "http") << "://" << l.host << ":" << ports[i] << base
              << " (data in " << config.data_dir << ")" << std::endl;
  }
  if (!config.port_file.empty()) {
    // Written whole, then renamed: a reader never sees a partial port number.
    std::string temporary = config.port_file + ".tmp";
    {
      std::ofstream out(temporary, std::ios::trunc);
      out << ports.front() << "\n";
    }
    std::rename(temporary.c_str(), config.port_file.c_str());
  }
  server.run();
  std::cout << "carebridge: stopped" << std::endl;
  return 0;
}

}  // namespace carebridge::app

// `carebridge serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--port-file FILE] [--package P]...`:
// the composition root: reads the config, loads the definitions and packages, opens
// the store, builds the FHIR service and the request pipeline, and serves until
// SIGTERM. It wires; the parts decide. With no config: HTTP on 127.0.0.1:8080, data
// under ./data; flags override the config.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "app/command.h"
#include "fhir/fhirpath/fhirpath.h"
#include "fhir/json/json_writer.h"
#include "fhir/validation/validator.h"
#include "gateway/ingest/ingest_route.h"
#include "gateway/security/organizations.h"
#include "gateway/security/users.h"
#include "gateway/web/session.h"
#include "gateway/web/web_app.h"
#include "gateway/ingest/mllp_server.h"
#include "gateway/routing/operations.h"
#include "gateway/routing/subscription.h"
#include "mappings/agency/conversion.h"
#include "mappings/hl7v2/conversion.h"
#include "gateway/config/config.h"
#include "gateway/http/metrics.h"
#include "gateway/http/server.h"
#include "gateway/pipeline/observers.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/pipeline/rate_limit.h"
#include "gateway/pipeline/security_headers.h"
#include "gateway/pipeline/stages.h"
#include "gateway/pipeline/system_routes.h"
#include "gateway/pipeline/token_authorization.h"
#include "app/access_refresh.h"
#include "app/routing_setup.h"
#include "app/security_setup.h"
#include "gateway/rest/service.h"
#include "gateway/store/sqlite_store.h"
#include "gateway/store/write_log.h"

namespace carebridge::app {
namespace {

constexpr const char* kUsage =
    "usage: carebridge serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--port-file FILE]\n"
    "                        [--package DIR|FILE.tgz]...\n";

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

// What the gateway can deliver, told to whoever stores a Subscription: a topic, filter,
// channel or criteria it cannot serve is refused when the Subscription is written (the
// Backport IG's SHALL), not left "requested" for ever. Filled in once routing is set up.
struct SubscriptionCheck {
  const gateway::routing::Topics* topics = nullptr;
  const fhir::search::SearchRegistry* registry = nullptr;

  void check(const fhir::model::Element& resource, rest::Issues& issues) const {
    if (!topics || resource.type != "Subscription") return;
    auto read = gateway::routing::read_subscription(fhir::json::write(resource, {false}), *topics, *registry);
    if (read.ok()) return;
    for (auto issue : read.issues()) {
      issue.severity = fhir::model::Severity::Error;
      issues.push_back(std::move(issue));
    }
  }
};

// How the service validates writes: the configured policies, each write counted in the metrics.
void set_validation(rest::ServiceOptions& options, const config::Validation& validation,
                    const fhir::validation::Validator& validator, http::Metrics& metrics,
                    std::shared_ptr<const SubscriptionCheck> subscriptions) {
  options.validate = [&validator, subscriptions](const fhir::model::Element& resource, const std::vector<std::string>& profiles,
                                                 fhir::validation::Policy policy) {
    fhir::validation::Options run;
    run.profiles = profiles;
    run.policy = policy;
    auto issues = validator.validate(resource, run);
    subscriptions->check(resource, issues);
    return issues;
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

// A route answered on the worker pool (its handler may wait for the store).
pipeline::Route pooled(std::string name, std::string path, std::function<http::Response(const http::Request&)> answer) {
  pipeline::Route route{std::move(name), std::move(path), false, nullptr, nullptr};
  route.handler = [answer = std::move(answer)](std::shared_ptr<const http::Request> request, http::Responder responder) {
    responder.defer([answer, request, responder] {
      auto response = std::make_shared<http::Response>(answer(*request));
      responder.reply([response] { return std::move(*response); });
    });
  };
  return route;
}

// The token endpoint (SMART Backend Services), the gateway's keys and its SMART configuration.
void add_auth_routes(pipeline::RouteTable& table, gateway::security::TokenService& tokens, const std::string& base) {
  table.add(pooled("token", "/auth/token", [&tokens](const http::Request& r) { return tokens.token(r); }));
  table.add(pooled("jwks", "/auth/jwks", [&tokens](const http::Request&) { return tokens.jwks(); }));
  auto configuration = [&tokens](const http::Request& r) { return tokens.smart_configuration(r); };
  table.add(pooled("smart-configuration", base + "/.well-known/smart-configuration", configuration));
  table.add(pooled("smart-configuration", "/.well-known/smart-configuration", configuration));
}

// The routes the server answers, in the order they are matched.
pipeline::RouteTable routes(rest::FhirService& service, store::Store& store, const http::Metrics& metrics,
                            const std::string& base, gateway::security::TokenService& tokens,
                            const gateway::ingest::V2Ingest& v2, const gateway::ingest::AgencyIngest& agency,
                            const Routing& routing, gateway::web::WebApp& web) {
  pipeline::RouteTable table;
  add_auth_routes(table, tokens, base);
  table.add(gateway::ingest::ingest_route(v2, &agency));
  for (auto& route : gateway::routing::subscription_operations(base, service, store, *routing.events, *routing.delivery,
                                                               routing.websocket.get()))
    table.add(std::move(route));
  pipeline::Route fhir{"fhir", base, true, nullptr, [&service](std::string_view path) { return service.route_label(path); }};
  fhir.caller_handler = [&service](std::shared_ptr<const http::Request> request,
                                   std::shared_ptr<const gateway::security::Principal> who, http::Responder responder) {
    service.handle(std::move(request), std::move(who), std::move(responder));
  };
  table.add(std::move(fhir));
  for (auto& route : web.routes()) table.add(std::move(route));  // the pages for people, "/" among them
  table.add(pipeline::stylesheet_route());  // the pages' CSS (their policy allows no inline style)
  table.add(pipeline::healthz_route());
  table.add(pipeline::readyz_route(store));
  table.add(pipeline::metrics_route(metrics));
  for (auto& r : pipeline::routes_to_come()) table.add(std::move(r));
  return table;
}

// The stages every request passes, in order.
std::vector<std::unique_ptr<pipeline::Stage>> stages(const config::Config& config, Security& security) {
  std::vector<std::unique_ptr<pipeline::Stage>> out;
  // First, so that its headers go on every response, refusals included.
  out.push_back(std::make_unique<pipeline::SecurityHeaders>());
  out.push_back(std::make_unique<pipeline::RequestChecks>());
  out.push_back(std::make_unique<pipeline::Cors>(config.cors.allowed_origins));
  out.push_back(std::make_unique<pipeline::Compression>());
  pipeline::TokenRules rules{config.auth.tokens_required(config.listen), config.auth.metrics_public,
                             config.auth.open_paths, config.base_path};
  auto* audit = security.audit.get();
  auto refusal = [audit](const pipeline::Exchange& exchange, const std::string& reason) {
    gateway::security::AuditRecord record;
    record.action = exchange.request->method == "GET" || exchange.request->method == "HEAD" ? 'R' : 'E';
    record.subtype = exchange.route ? exchange.route->name : "other";
    record.outcome = 4;
    record.outcome_text = "401 " + exchange.request->method + " " + std::string(exchange.path) + ": " + reason;
    record.address = std::string(http::remote_host(exchange.request->remote));
    audit->record(std::move(record));
  };
  out.push_back(std::make_unique<pipeline::Authorization>(
      std::make_shared<pipeline::TokenAuthorizer>(*security.tokens, std::move(rules), std::move(refusal))));
  // After Authorization, so that a token's client is limited as one client.
  out.push_back(std::make_unique<pipeline::RateLimit>(config.limits));
  // Last: bodies are inflated only for requests that are let in.
  out.push_back(std::make_unique<pipeline::RequestDecompression>(config.limits.max_body_bytes));
  return out;
}

std::unique_ptr<store::SqliteStore> open_store(const config::Config& config, http::Metrics& metrics) {
  store::SqliteOptions options;
  options.directory = config.data_dir;
  // One reader connection per worker and I/O thread, so that reads never wait for a connection.
  auto threads = http::thread_counts(config.io_threads, config.worker_threads);
  options.readers = threads.io + threads.workers;
  options.timings = &metrics;
  try {
    return std::make_unique<store::SqliteStore>(options);
  } catch (const std::exception& e) {
    std::cerr << "carebridge serve: cannot open the store in " << config.data_dir << ": " << e.what() << "\n";
    return nullptr;
  }
}

// Binds, says where it listens (and writes the port file), serves until SIGTERM.
int run_server(const config::Config& config, const pipeline::Pipeline& pipe,
               const std::function<void(const std::vector<uint16_t>&)>& bound) {
  http::ServerOptions options;
  options.listen = config.listen;
  options.limits = config.limits;
  options.io_threads = config.io_threads;
  options.worker_threads = config.worker_threads;
  options.error_response = [](unsigned status, const std::string& message) {
    auto response = pipeline::outcome_response(status, status == 413 ? "too-costly" : "invalid", message);
    pipeline::add_security_headers(response, false);  // nosniff on the server's own answers too
    return response;
  };
  options.observer = [&pipe](const http::Request& rq, const http::Response& rs, double s) { pipe.observe(rq, rs, s); };
  http::Server server(options, [&pipe](std::shared_ptr<const http::Request> request, http::Responder responder) {
    pipe.handle(std::move(request), std::move(responder));
  });
  std::vector<uint16_t> ports;
  try {
    ports = server.bind();
  } catch (const std::exception& e) {
    std::cerr << "carebridge serve: " << e.what() << "\n";
    return 1;
  }
  bound(ports);
  for (size_t i = 0; i < ports.size(); ++i) {
    const auto& l = config.listen[i];
    std::cout << "carebridge: listening on " << (l.tls_certificate.empty() ? "http" : "https") << "://" << l.host << ":"
              << ports[i] << config.base_path << " (data in " << config.data_dir << ")" << std::endl;
  }
  if (!config.port_file.empty()) {
    // Written whole, then renamed: a reader never sees a partial port number.
    std::string temporary = config.port_file + ".tmp";
    std::ofstream(temporary, std::ios::trunc) << ports.front() << "\n";
    std::rename(temporary.c_str(), config.port_file.c_str());
  }
  server.run();
  std::cout << "carebridge: stopped" << std::endl;
  return 0;
}

// The secret mixed into the ids of the records a v2 message writes (MapOptions::id_secret):
// made once, kept in the data folder beside the database, readable by its owner alone.
std::string record_id_secret(const std::string& data_dir) {
  auto file = std::filesystem::path(data_dir) / "record-id-secret";
  std::string secret;
  if (std::ifstream in(file); in && std::getline(in, secret) && secret.size() >= 32) return secret;
  secret = gateway::web::random_token(32);
  std::ofstream(file) << secret << "\n";
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return secret;
}

// HL7 v2 in: the shipped maps, validated with the configured policy, through the FHIR service.
std::unique_ptr<gateway::ingest::V2Ingest> v2_ingest(const config::Config& config, const fhir::definitions::Definitions& definitions,
                                                    const fhir::validation::Validator& validator,
                                                    const fhir::fhirpath::Engine& engine, rest::FhirService& service,
                                                    store::Store& store) {
  auto spec = mappings::hl7v2::MapSpec::load_default();
  if (!spec) {
    for (const auto& i : spec.issues()) std::cerr << "carebridge serve: " << i.message << "\n";
    return nullptr;
  }
  // The FHIRPath engine's terminology: code systems are read once for the whole server.
  mappings::hl7v2::MapOptions options;
  options.default_timezone = config.hl7v2_time_zone;
  options.id_secret = record_id_secret(config.data_dir);
  auto converter = std::make_shared<mappings::hl7v2::Converter>(definitions, &validator, *spec, options,
                                                               policy_named(config.validation.policy), &engine.terminology());
  return std::make_unique<gateway::ingest::V2Ingest>(service, store, std::move(converter), config.base_path);
}

// The agency formats (mappings/specs, or $CAREBRIDGE_SPECS), each read and checked now: a
// spec with a mistake stops the start, saying where.
std::unique_ptr<gateway::ingest::AgencyIngest> agency_ingest(const config::Config& config,
                                                             const fhir::definitions::Definitions& definitions,
                                                             const fhir::validation::Validator& validator,
                                                             rest::FhirService& service) {
  auto specs = mappings::agency::load_specs(mappings::agency::default_specs_dir(), definitions);
  if (!specs) {
    for (const auto& i : specs.issues()) std::cerr << "carebridge serve: mapping spec " << i.message << "\n";
    return nullptr;
  }
  std::map<std::string, std::shared_ptr<const mappings::agency::AgencyConverter>> converters;
  for (const auto& spec : *specs)
    converters[spec->name] = std::make_shared<mappings::agency::AgencyConverter>(definitions, &validator, spec,
                                                                               policy_named(config.validation.policy));
  auto ingest = std::make_unique<gateway::ingest::AgencyIngest>(service, std::move(converters), config.base_path);
  ingest->set_formats(config.agency_formats);
  return ingest;
}

// Starts the MLLP listeners (none unless configured) and says where they listen.
bool start_mllp(const config::Config& config, gateway::ingest::MllpServer& mllp) {
  if (config.mllp.empty()) return true;
  bool secured = config.auth.tokens_required(config.listen);
  for (const auto& m : config.mllp) {
    if (secured && m.client.empty() && m.listen.tls_client_ca.empty()) {
      std::cerr << "carebridge serve: the MLLP listener on " << m.listen.host << ":" << m.listen.port
                << " needs \"client\" (the registered client its messages are written as) or \"tls_client_ca\" (mutual TLS)\n";
      return false;
    }
  }
  std::vector<uint16_t> ports;
  try {
    ports = mllp.start(http::thread_counts(config.io_threads, config.worker_threads).workers);
  } catch (const std::exception& e) {
    std::cerr << "carebridge serve: MLLP: " << e.what() << "\n";
    return false;
  }
  for (size_t i = 0; i < ports.size(); ++i)
    std::cout << "carebridge: MLLP on " << config.mllp[i].listen.host << ":" << ports[i]
              << (config.mllp[i].listen.tls_certificate.empty() ? "" : " (TLS)") << std::endl;
  if (!config.mllp_port_file.empty()) {
    std::string temporary = config.mllp_port_file + ".tmp";
    std::ofstream(temporary, std::ios::trunc) << ports.front() << "\n";
    std::rename(temporary.c_str(), config.mllp_port_file.c_str());
  }
  return true;
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
  auto store = open_store(config, metrics);
  if (!store) return 1;
  store->add_commit_hook(std::make_shared<store::WriteLog>());
  fhir::fhirpath::Engine engine(*definitions);
  fhir::validation::Validator validator(*definitions, &engine);
  rest::ServiceOptions service_options;
  service_options.engine = &engine;
  auto subscription_check = std::make_shared<SubscriptionCheck>();
  set_validation(service_options, config.validation, validator, metrics, subscription_check);
  service_options.base_path = config.base_path;
  service_options.public_base_url = config.public_base_url;
  service_options.limits = config.limits;
  service_options.profiles = config.profiles;
  rest::FhirService service(*definitions, *store, service_options);
  auto definitions_dir = arguments.definitions_dir.empty() ? fhir::definitions::Definitions::default_dir()
                                                           : std::filesystem::path(arguments.definitions_dir);
  auto security = set_up_security(config, definitions_dir, *definitions, service.registry(), *store);
  if (!security) return 1;
  security->audit = std::make_unique<gateway::security::AuditTrail>(*store, *definitions, service.extractor(),
                                                                    rest::new_resource_id);
  security->audit->follow_log(std::filesystem::path(config.data_dir) / "audit-cursor");
  service.set_security(security->access.get(), security->audit.get());
  auto routing = set_up_routing(config, *definitions, service, *store, *security, metrics);
  if (!routing) return 1;
  subscription_check->topics = &routing->topics;
  subscription_check->registry = &service.registry();
  if (!refresh_access_facts(config.data_dir, *store, service.writes(), *definitions,
                            gateway::security::LabelRules::default_path()))
    return 1;
  if (!config.auth.tokens_required(config.listen)) {
    std::cout << "carebridge: tokens are not required (every listener is on loopback and the config does not set "
                 "\"auth\": {\"required\": true}): requests without a token may read and change everything"
              << std::endl;
  }
  pipeline::RequestLog log(config.logging);
  pipeline::MetricsObserver measured(metrics);
  auto v2 = v2_ingest(config, *definitions, validator, engine, service, *store);
  if (!v2) return 1;
  auto agency = agency_ingest(config, *definitions, validator, service);
  if (!agency) return 1;
  gateway::security::UserRegistry users(database_path(config.data_dir));
  agency->set_organizations(
      [&](const std::string& id) { return gateway::security::registered_organization(*security->clients, users, id); });
  gateway::web::WebApp web(service, *agency, users, {config.base_path, routing->events.get(), routing->delivery.get(), store.get()});
  pipeline::Pipeline pipe(routes(service, *store, metrics, config.base_path, *security->tokens, *v2, *agency, *routing, web),
                          stages(config, *security), {&measured, &log});
  gateway::ingest::MllpServer mllp(config.mllp, *v2,
                                   config.auth.tokens_required(config.listen) ? security->tokens.get() : nullptr);
  if (!start_mllp(config, mllp)) return 1;
  routing->delivery->start();
  int code = run_server(config, pipe, [&](const std::vector<uint16_t>& ports) {
    if (!config.public_base_url.empty()) return;  // notifications are written under it (routing_setup.cpp)
    const auto& first = config.listen.front();
    routing->delivery->set_base_url(std::string(first.tls_certificate.empty() ? "http" : "https") + "://" + first.host + ":" +
                                    std::to_string(ports.front()) + config.base_path);
  });
  routing->delivery->stop();
  mllp.stop();
  return code;
}

}  // namespace carebridge::app

#include "app/routing_setup.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sstream>

#include "fhir/json/json_writer.h"

namespace carebridge::app {

namespace routing = gateway::routing;

namespace {

// Sets a stored Subscription's status (and, for an error, why) as the gateway itself.
void set_subscription_status(gateway::rest::FhirService& service, gateway::store::Store& store, const std::string& base,
                             const std::string& id, const std::string& status, const std::string& reason) {
  auto current = store.read("Subscription", id);
  if (!current || current->deleted) return;
  rapidjson::Document doc;
  doc.Parse(current->body.c_str());
  if (!doc.IsObject()) return;
  if (doc.HasMember("status") && doc["status"].IsString() && doc["status"].GetString() == status) return;
  auto& alloc = doc.GetAllocator();
  doc.RemoveMember("status");
  doc.AddMember("status", rapidjson::Value(status.c_str(), alloc), alloc);
  doc.RemoveMember("error");
  if (!reason.empty()) doc.AddMember("error", rapidjson::Value(reason.c_str(), alloc), alloc);
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  doc.Accept(writer);
  gateway::http::Request put;
  put.method = "PUT";
  put.target = base + "/Subscription/" + id;
  put.headers = {{"Content-Type", "application/fhir+json"}, {"If-Match", "W/\"" + std::to_string(current->version) + "\""}};
  put.body = out.GetString();
  auto answer = service.handle(put, nullptr);
  if (answer.status >= 300)
    std::cerr << "carebridge: Subscription/" << id << ": its status could not be set to " << status << " (HTTP "
              << answer.status << ")" << std::endl;
}

// Per subscription: events queued (logged, not yet delivered), delivered, withheld, and
// failed attempts in a row (label: the subscription id; bounded by the subscriptions stored).
// `public_metrics`: /metrics is read without a token (auth.metrics_public), so the events
// withheld from each subscription are counted together only — by subscription, a count that
// rises tells its client a record it may not read was written.
std::string subscription_metrics(const routing::SubscriptionEvents& events, const routing::Delivery& delivery,
                                 gateway::store::Store& store, bool public_metrics) {
  std::string queued, delivered, withheld, failing;
  uint64_t withheld_in_all = 0;
  for (const auto& s : events.subscriptions()) {
    auto state = delivery.state(*s);
    int64_t last = state.delivered;
    for (int page = 0; page < 10; ++page) {  // at most 10,000 queued events are counted
      auto records = store.read_log(s->log(), last, 1000);
      if (!records || records->empty()) break;
      last = records->back().seq;
    }
    std::string label = "{subscription=\"" + s->id + "\"} ";
    queued += "carebridge_subscription_events_queued" + label + std::to_string(last - state.delivered) + "\n";
    delivered += "carebridge_subscription_events_delivered" + label + std::to_string(state.delivered) + "\n";
    withheld_in_all += events.withheld(s->id);
    if (!public_metrics) withheld += "carebridge_subscription_events_withheld" + label + std::to_string(events.withheld(s->id)) + "\n";
    failing += "carebridge_subscription_failed_attempts" + label + std::to_string(state.failures) + "\n";
  }
  return "# HELP carebridge_subscription_events_queued Events logged for a subscription and not yet delivered.\n"
         "# TYPE carebridge_subscription_events_queued gauge\n" + queued +
         "# HELP carebridge_subscription_events_delivered The last event number delivered.\n"
         "# TYPE carebridge_subscription_events_delivered counter\n" + delivered +
         "# HELP carebridge_subscription_events_withheld Events withheld since start: the client may not read them.\n"
         "# TYPE carebridge_subscription_events_withheld counter\n" +
         (public_metrics ? "carebridge_subscription_events_withheld " + std::to_string(withheld_in_all) + "\n" : withheld) +
         "# HELP carebridge_subscription_failed_attempts Delivery attempts failed in a row.\n"
         "# TYPE carebridge_subscription_failed_attempts gauge\n" + failing;
}

// A topic as R4 carries a SubscriptionTopic: a Basic with the R5 elements as extensions.
std::string topic_as_basic(const routing::Topic& topic) {
  const std::string x = "http://hl7.org/fhir/5.0/StructureDefinition/extension-SubscriptionTopic.";
  auto quoted = [](const std::string& text) {
    std::string out;
    fhir::json::append_json_string(out, text);
    return out;
  };
  std::string id = "subscription-topic-" + topic.url.substr(topic.url.rfind('/') + 1);
  std::string out = R"({"resourceType":"Basic","id":)" + quoted(id) +
                    R"(,"code":{"coding":[{"system":"http://hl7.org/fhir/fhir-types","code":"SubscriptionTopic"}]},"extension":[)";
  out += R"({"url":")" + x + R"(url","valueUri":)" + quoted(topic.url) + "}";
  out += R"(,{"url":")" + x + R"(title","valueString":)" + quoted(topic.title) + "}";
  out += R"(,{"url":")" + x + R"(status","valueCode":"active"})";
  out += R"(,{"url":")" + x + R"(description","valueMarkdown":)" + quoted(topic.description) + "}";
  for (const auto& t : topic.triggers) {
    out += R"(,{"url":")" + x + R"(resourceTrigger","extension":[{"url":"resource","valueUri":"http://hl7.org/fhir/StructureDefinition/)" +
           t.resource + "\"}";
    for (const char* i : {"create", "update", "delete"})
      if ((std::string(i) == "create" && t.create) || (std::string(i) == "update" && t.update) || (std::string(i) == "delete" && t.del))
        out += R"(,{"url":"supportedInteraction","valueCode":")" + std::string(i) + "\"}";
    if (!t.query.empty()) out += R"(,{"url":"queryCriteria","extension":[{"url":"current","valueString":)" + quoted(t.query) + "}]}";
    out += "]}";
  }
  for (const auto& [resource, parameter] : topic.can_filter_by)
    out += R"(,{"url":")" + x + R"(canFilterBy","extension":[{"url":"resource","valueUri":"http://hl7.org/fhir/StructureDefinition/)" +
           resource + R"("},{"url":"filterParameter","valueString":)" + quoted(parameter) + "}]}";
  return out + "]}";
}

// The shipped topics, stored so that subscribers can read them over REST.
void publish_topics(const routing::Topics& topics, gateway::rest::FhirService& service, const std::string& base) {
  for (const routing::Topic& topic : topics.all()) {
    gateway::http::Request put;
    put.method = "PUT";
    put.target = base + "/Basic/subscription-topic-" + topic.url.substr(topic.url.rfind('/') + 1);
    put.headers = {{"Content-Type", "application/fhir+json"}};
    put.body = topic_as_basic(topic);
    auto answer = service.handle(put, nullptr);
    if (answer.status >= 300)
      std::cerr << "carebridge serve: the topic " << topic.url << " could not be stored (HTTP " << answer.status << ")\n";
  }
}

// The shipped topics; nullopt (after saying why) when they cannot be read.
std::optional<routing::Topics> read_topics() {
  std::ifstream in(routing::Topics::default_path());
  std::stringstream text;
  text << in.rdbuf();
  auto topics = routing::Topics::load(text.str());
  if (!topics) {
    std::cerr << "carebridge serve: " << routing::Topics::default_path() << ": " << topics.message() << "\n";
    return std::nullopt;
  }
  return std::move(*topics);
}

// Whether a subscription's client may learn of a record: as a read by that client.
// Whether a subscription's client may be told of a record: as a read of it would be answered,
// a type its scopes restrict ("Observation.rs?category=vital-signs") by the record meeting them.
routing::SubscriptionEvents::Authorize authorizer(const gateway::config::Config& config, const Security& security,
                                                  const gateway::rest::FhirService& service) {
  bool secured = config.auth.tokens_required(config.listen);
  auto* tokens = security.tokens.get();
  auto* access = security.access.get();
  return [secured, tokens, access, &service](const std::string& owner, const gateway::store::ResourceRecord& record) {
    if (!secured && owner.empty()) return true;  // an open server's subscriptions see everything
    auto principal = tokens->authenticate_client(owner);
    if (!principal.ok()) return false;
    return access->sees(principal->get(), record) || service.meets_restrictions(principal->get(), record);
  };
}

routing::DeliveryOptions delivery_options(const gateway::config::Config& config, const fhir::definitions::Definitions& definitions,
                                          gateway::rest::FhirService& service, gateway::store::Store& store) {
  routing::DeliveryOptions options;
  options.state_dir = (std::filesystem::path(config.data_dir) / "subscriptions").string();
  options.base_url = config.public_base_url.empty() ? "http://localhost" + config.base_path : config.public_base_url;
  options.definitions = &definitions;
  options.allowed_hosts = config.routing.allowed_hosts;
  options.loopback_open = !config.auth.tokens_required(config.listen);
  options.horizon = std::chrono::hours(config.routing.retry_hours);
  options.threads = std::max(1u, config.routing.delivery_threads);
  options.client_certificate = config.routing.client_certificate;
  options.client_private_key = config.routing.client_private_key;
  options.trusted_ca = config.routing.trusted_ca;
  std::string base = config.base_path;
  options.set_status = [&service, &store, base](const std::string& id, const std::string& status, const std::string& reason) {
    set_subscription_status(service, store, base, id, status, reason);
  };
  return options;
}

// Every record a notification disclosed is in the audit trail (gathered per subscription
// for a second, see Disclosures), every withheld event is a refused disclosure.
std::unique_ptr<routing::Disclosures> audit_disclosures(gateway::security::AuditTrail* audit, routing::SubscriptionEvents& events,
                                                        routing::DeliveryOptions& options) {
  if (!audit) return nullptr;
  auto record = [audit](const std::string& id, const std::string& owner, const std::vector<gateway::store::ResourceRecord>& records,
                        bool sent) {
    gateway::security::AuditRecord a;
    a.action = 'R';
    a.subtype = "subscription-notification";
    a.client = owner;
    a.outcome = sent ? 0 : 4;
    if (!sent) a.outcome_text = "withheld from Subscription/" + id + ": its client may not read it";
    for (const auto& r : records) a.add_resource(r);
    // A withheld event is told in the commit that made it (the store's writer thread),
    // which must not wait for the trail: the trail's own commit may be waiting for it.
    if (sent) {
      audit->record(std::move(a));
    } else {
      audit->record_without_waiting(std::move(a));
    }
  };
  auto disclosures = std::make_unique<routing::Disclosures>(
      [record](const std::string& id, const std::string& owner, std::vector<gateway::store::ResourceRecord> records) {
        record(id, owner, records, true);
      });
  options.disclosed = [ledger = disclosures.get()](const routing::Subscription& s,
                                                   const std::vector<gateway::store::ResourceRecord>& records) {
    ledger->add(s.id, s.owner, records);
  };
  events.on_withheld([record](const routing::Subscription& s, const gateway::store::ResourceRecord& r) {
    record(s.id, s.owner, {r}, false);
  });
  return disclosures;
}

// The websocket channel's hub, listening where the config says; null (after saying why) when it cannot.
std::unique_ptr<routing::WebsocketHub> start_websocket(const std::string& address) {
  gateway::config::Listen where;
  if (!gateway::config::parse_listen(address, where)) {
    std::cerr << "carebridge serve: routing.websocket: cannot read \"" << address << "\" as HOST:PORT\n";
    return nullptr;
  }
  auto hub = std::make_unique<routing::WebsocketHub>(where.host, where.port);
  try {
    hub->start();
  } catch (const std::exception& e) {
    std::cerr << "carebridge serve: the websocket channel cannot listen on " << address << ": " << e.what() << "\n";
    return nullptr;
  }
  return hub;
}

// Who tells delivery what: new events and bindings wake it, its state bounds the backlog,
// and /metrics shows each subscription.
void connect(Routing& r, uint32_t max_backlog, gateway::http::Metrics& metrics, gateway::store::Store& store, bool public_metrics) {
  auto* delivery = r.delivery.get();
  if (r.websocket) {
    r.websocket->set_handshake([delivery](const std::string& id) { return delivery->handshake_notification(id); });
    r.websocket->on_bind([delivery] { delivery->wake(); });
  }
  r.events->bound_backlog(
      max_backlog, [delivery](const std::string& id) { return delivery->state(id).delivered; },
      [delivery](const std::string& id, int64_t max) { delivery->overflowed(id, max); });
  r.events->on_change([delivery](const std::vector<std::string>& ids) { delivery->wake(ids); });
  metrics.add_source([events = r.events.get(), delivery, &store, public_metrics] {
    return subscription_metrics(*events, *delivery, store, public_metrics);
  });
}

}  // namespace

std::unique_ptr<Routing> set_up_routing(const gateway::config::Config& config, const fhir::definitions::Definitions& definitions,
                                        gateway::rest::FhirService& service, gateway::store::SqliteStore& store,
                                        const Security& security, gateway::http::Metrics& metrics) {
  auto topics = read_topics();
  if (!topics) return nullptr;
  auto r = std::make_unique<Routing>();
  r->topics = std::move(*topics);
  publish_topics(r->topics, service, config.base_path);
  r->care_teams = std::make_shared<routing::CareTeams>();
  store.add_commit_hook(r->care_teams);
  r->care_teams->load(store);
  r->events = std::make_shared<routing::SubscriptionEvents>(r->topics, service.registry(), authorizer(config, security, service),
                                                            r->care_teams.get());
  r->events->resolve_references(routing::stored_references(store, definitions, service.extractor()));
  store.add_commit_hook(r->events);
  r->events->load(store);
  auto options = delivery_options(config, definitions, service, store);
  options.authorize = authorizer(config, security, service);  // asked again when each event is sent
  r->disclosures = audit_disclosures(security.audit.get(), *r->events, options);
  if (!config.routing.websocket.empty()) {
    r->websocket = start_websocket(config.routing.websocket);
    if (!r->websocket) return nullptr;
    options.websocket = r->websocket.get();
  }
  gateway::rest::SubscriptionCapability capability;
  for (const routing::Topic& topic : r->topics.all()) capability.topics.push_back(topic.url);
  capability.websocket = options.websocket != nullptr;
  service.set_subscriptions(std::move(capability));
  r->delivery = std::make_unique<routing::Delivery>(store, *r->events, std::move(options));
  connect(*r, config.routing.max_backlog, metrics, store, config.auth.metrics_public);
  return r;
}

}  // namespace carebridge::app

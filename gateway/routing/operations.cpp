#include "gateway/routing/operations.h"

#include <rapidjson/document.h>

#include <cctype>
#include <charconv>
#include <functional>
#include <optional>

#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "mappings/engine/ids.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/rest/negotiation.h"
#include "fhir/time/fhir_time.h"
#include "gateway/routing/notification.h"

namespace carebridge::gateway::routing {

Backlog backlog(store::Store& store, const std::string& log, int64_t delivered) {
  Backlog b;
  b.waiting = last_event_number(store, log, delivered) - delivered;
  if (b.waiting <= 0) return b;
  auto first = store.read_log(log, delivered, 1);
  EventRecord event;
  if (first && !first->empty() && EventRecord::decode(first->front().record, event)) b.oldest_ms = event.at_ms;
  return b;
}

namespace {

http::Response status_of(const Subscription& s, int64_t last, const std::string& url, const std::string& error) {
  std::string body = R"({"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"fullUrl":)";
  fhir::json::append_json_string(body, "urn:uuid:" + mappings::engine::name_uuid(s.id + "|status"));
  body += R"(,"resource":)" + subscription_status(s, "query-status", s.status, last, {}, url, error) +
          R"(,"search":{"mode":"match"}}]})";
  return pipeline::fhir_json_response(200, std::move(body));
}

// An event number a client sent (eventsSinceNumber, eventsUntilNumber): digits only. A typo
// read as 0 would answer with every event instead of saying what is wrong.
std::optional<int64_t> event_number(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0) return std::nullopt;
  return n;
}

http::Response bad_event_number(const std::string& name, const std::string& value) {
  return pipeline::outcome_response(400, "invalid", name + " must be a non-negative event number, not '" + value + "'");
}

// Reads a logged version as the caller may: its JSON, or nullopt when the caller may not
// read it (scopes, consent, labels) — then the event keeps its number and says nothing.
using VersionReader = std::function<std::optional<std::string>(const EventRecord& event)>;

http::Response events_of(const Subscription& s, store::Store& store, const rest::Params& params, int64_t last,
                         const std::string& url, const VersionReader& read_version) {
  int64_t since = 1, until = last;
  for (const auto& [name, value] : params) {
    if (name != "eventsSinceNumber" && name != "eventsUntilNumber") continue;
    auto number = event_number(value);
    if (!number) return bad_event_number(name, value);
    if (name == "eventsSinceNumber") since = std::max<int64_t>(1, *number);
    if (name == "eventsUntilNumber") until = std::min<int64_t>(last, *number);
  }
  Subscription shaped = s;
  for (const auto& [name, value] : params)
    if (name == "content") shaped.payload = value == "empty" ? Payload::Empty : value == "id-only" ? Payload::IdOnly : Payload::FullResource;
  std::vector<NotificationEvent> events;
  if (until >= since) {
    size_t count = static_cast<size_t>(std::min<int64_t>(until - since + 1, 1000));
    auto records = store.read_log(s.log(), since - 1, count);
    if (!records) return pipeline::outcome_response(503, "transient", "the store could not read the events");
    for (const auto& record : *records) {
      if (record.seq > until) break;
      NotificationEvent e;
      e.number = record.seq;
      if (!EventRecord::decode(record.record, e.event)) continue;
      if (shaped.payload != Payload::Empty && !e.event.deleted) {
        auto version = read_version(e.event);
        e.withheld = !version;
        if (version && shaped.payload == Payload::FullResource) e.body = std::move(*version);
      }
      events.push_back(std::move(e));
    }
  }
  return pipeline::fhir_json_response(200, notification_bundle(shaped, "query-event", s.status, last, events, url));
}

http::Response binding_token(const std::string& id, WebsocketHub* websocket) {
  if (!websocket) return pipeline::outcome_response(501, "not-supported", "this gateway has no websocket channel");
  std::string body = R"({"resourceType":"Parameters","parameter":[{"name":"token","valueString":)";
  fhir::json::append_json_string(body, websocket->issue_token(id));
  body += R"(},{"name":"expiration","valueDateTime":)";
  fhir::json::append_json_string(body, fhir::time::format_instant(fhir::time::now_ms() + 5 * 60 * 1000));
  body += R"(},{"name":"subscription","valueString":)";
  fhir::json::append_json_string(body, id);
  body += R"(},{"name":"websocket-url","valueUrl":)";
  fhir::json::append_json_string(body, websocket->url());
  return pipeline::fhir_json_response(200, body + "}]}");
}

// What the operations work with.
struct Context {
  std::string base;
  rest::FhirService& service;
  store::Store& store;
  const SubscriptionEvents& events;
  Delivery& delivery;
  WebsocketHub* websocket;
};

// The operation a path names ("$status", percent-encoded or not).
std::string operation_of(std::string_view path) {
  std::string operation(path.substr(path.rfind('/') + 1));
  if (operation.starts_with("%24")) operation = "$" + operation.substr(3);
  return operation;
}

http::Response resend(const Subscription& s, const http::Request& request, const rest::Params& params, Delivery& delivery,
                      int64_t last, const std::string& url) {
  if (request.method != "POST") return pipeline::outcome_response(405, "not-supported", "POST $resend");
  int64_t since = 1;
  for (const auto& [name, value] : params)
    if (name == "eventsSinceNumber") {
      auto number = event_number(value);
      if (!number) return bad_event_number(name, value);
      since = std::max<int64_t>(1, *number);
    }
  delivery.resend_from(s.id, since);
  return status_of(s, last, url, delivery.state(s).last_error);
}

// GET|POST [base]/Subscription/ID/$operation, for a caller who may read the Subscription.
http::Response instance_operation(const Context& c, const http::Request& request, const rest::Caller& who, const std::string& id,
                                  const std::string& operation) {
  http::Request read;
  read.method = "GET";
  read.target = c.base + "/Subscription/" + id;
  read.headers = request.headers;
  http::Response readable = c.service.handle(read, who);
  if (readable.status != 200) return readable;
  if (operation == "$get-ws-binding-token") return binding_token(id, c.websocket);
  auto s = c.events.find(id);
  if (!s) return pipeline::outcome_response(422, "processable", "Subscription/" + id + " is not one this gateway delivers");
  int64_t last = last_event_number(c.store, s->log(), c.delivery.state(*s).delivered);
  std::string url = c.service.base_url(request);
  if (operation == "$status") return status_of(*s, last, url, c.delivery.state(*s).last_error);
  if (operation == "$resend") return resend(*s, request, rest::operation_params(request, c.service.definitions()), c.delivery, last, url);
  // Each version read as the caller, as a read would be: its access checked and audited.
  auto read_version = [&](const EventRecord& e) -> std::optional<std::string> {
    http::Request vread;
    vread.method = "GET";
    vread.target = c.base + "/" + e.type + "/" + e.id + "/_history/" + std::to_string(e.version);
    vread.headers = {{"Accept", "application/fhir+json"}};
    vread.remote = request.remote;
    http::Response version = c.service.handle(vread, who);
    if (version.status != 200) return std::nullopt;
    return std::move(version.body);
  };
  return events_of(*s, c.store, rest::operation_params(request, c.service.definitions()), last, url, read_version);
}

// The search that finds the Subscriptions a type-level $status asks about (its `status`
// and `id` parameters, each any of their values), or "" when a value cannot be one.
std::string status_search(const std::string& base, const rest::Params& params) {
  std::string statuses, ids;
  for (const auto& [name, value] : params) {
    if (name != "status" && name != "id") continue;
    for (char ch : value)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.' && ch != ',') return {};
    std::string& list = name == "status" ? statuses : ids;
    list += (list.empty() ? "" : ",") + value;
  }
  std::string target = base + "/Subscription?_count=1000&_elements=status,criteria,error";
  if (!statuses.empty()) target += "&status=" + statuses;
  if (!ids.empty()) target += "&_id=" + ids;
  return target;
}

// GET|POST [base]/Subscription/$status[?status=error][&id=...]: the SubscriptionStatus of each
// Subscription the caller may read (an administrator: every one), with why delivery last
// failed — the operator's view of the subscriptions in error.
http::Response type_status(const Context& c, const http::Request& request, const rest::Caller& who) {
  std::string target = status_search(c.base, rest::operation_params(request, c.service.definitions()));
  if (target.empty()) return pipeline::outcome_response(400, "invalid", "status and id take codes and ids, separated by commas");
  http::Request search;
  search.method = "GET";
  search.target = target;
  search.headers = request.headers;  // its Host and Authorization; read as JSON, whatever the client asked for
  std::erase_if(search.headers, [](const auto& h) { return http::iequals(h.first, "Accept"); });
  search.headers.emplace_back("Accept", "application/fhir+json");
  http::Response found = c.service.handle(search, who);
  if (found.status != 200) return found;
  rapidjson::Document bundle;
  bundle.Parse(found.body.c_str());
  std::string url = c.service.base_url(request), entries;
  size_t total = 0;
  if (bundle.IsObject() && bundle.HasMember("entry") && bundle["entry"].IsArray()) {
    for (const auto& entry : bundle["entry"].GetArray()) {
      if (!entry.HasMember("resource") || !entry["resource"].IsObject()) continue;
      const auto& resource = entry["resource"];
      auto text = [&](const char* name) {
        return resource.HasMember(name) && resource[name].IsString() ? std::string(resource[name].GetString()) : std::string();
      };
      Subscription shown;  // one this gateway cannot deliver is shown as stored
      shown.id = text("id");
      shown.topic = text("criteria");
      shown.status = text("status");
      auto s = c.events.find(shown.id);
      if (s) shown = *s;
      auto state = c.delivery.state(shown);
      // Why its status is error (kept on the Subscription), else why delivery last failed.
      std::string error = !text("error").empty() ? text("error")
                          : !s && state.last_error.empty() ? "the subscription cannot be delivered as stored"
                                                           : state.last_error;
      entries += std::string(total++ ? "," : "") + R"({"fullUrl":)";
      fhir::json::append_json_string(entries, "urn:uuid:" + mappings::engine::name_uuid(shown.id + "|status"));
      entries += R"(,"resource":)" +
                 subscription_status(shown, "query-status", shown.status, last_event_number(c.store, shown.log(), state.delivered), {}, url,
                                     error) +
                 R"(,"search":{"mode":"match"}})";
    }
  }
  return pipeline::fhir_json_response(
      200, R"({"resourceType":"Bundle","type":"searchset","total":)" + std::to_string(total) + R"(,"entry":[)" + entries + "]}");
}

// Which operation a request under [base]/Subscription/ asks for; "" when none (a read,
// history, ...: the REST service's).
http::Response dispatch(const Context& c, const http::Request& request, const rest::Caller& who) {
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  std::string_view rest = path.substr(c.base.size() + 14);  // after "/Subscription/"
  std::string operation = operation_of(path);
  bool instance = rest.find('/') != std::string_view::npos;
  if (!instance && operation == "$status" && (request.method == "GET" || request.method == "POST"))
    return type_status(c, request, who);
  if (!instance || (operation != "$status" && operation != "$events" && operation != "$get-ws-binding-token" &&
                    operation != "$resend"))
    return c.service.handle(request, who);
  return instance_operation(c, request, who, std::string(rest.substr(0, rest.find('/'))), operation);
}

}  // namespace

std::vector<pipeline::Route> subscription_operations(const std::string& base, rest::FhirService& service, store::Store& store,
                                                     const SubscriptionEvents& events, Delivery& delivery,
                                                     WebsocketHub* websocket) {
  auto context = std::make_shared<Context>(Context{base, service, store, events, delivery, websocket});
  auto handler = [context](std::shared_ptr<const http::Request> request, rest::Caller who, http::Responder responder) {
    responder.defer([context, request, who, responder] {
      // Answered as JSON here, then in the format the client asked for, as the service's own answers.
      auto answer = std::make_shared<http::Response>(context->service.as_negotiated(*request, dispatch(*context, *request, who)));
      responder.reply([answer] { return std::move(*answer); });
    });
  };
  std::vector<pipeline::Route> routes;
  for (const char* path : {"/Subscription/{operation}", "/Subscription/{id}/{operation}"}) {
    pipeline::Route route{"subscription-operations", base + path, false, nullptr, nullptr};
    route.caller_handler = handler;
    routes.push_back(std::move(route));
  }
  return routes;
}

}  // namespace carebridge::gateway::routing

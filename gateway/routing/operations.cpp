#include "gateway/routing/operations.h"

#include "fhir/json/json_writer.h"
#include "mappings/hl7v2/to_fhir.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/rest/negotiation.h"
#include "fhir/time/fhir_time.h"
#include "gateway/routing/notification.h"

namespace carebridge::gateway::routing {

namespace {


// The number of the last event logged for a subscription.
int64_t last_event(store::Store& store, const std::string& id, int64_t known) {
  int64_t last = known;
  while (true) {
    auto page = store.read_log(event_log(id), last, 1000);
    if (!page || page->empty()) return last;
    last = page->back().seq;
  }
}

std::string base_url(const http::Request& request, const std::string& base) {
  std::string host(request.header("Host"));
  return std::string(request.tls ? "https://" : "http://") + (host.empty() ? "localhost" : host) + base;
}

http::Response status_of(const Subscription& s, int64_t last, const std::string& url) {
  std::string body = R"({"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"fullUrl":)";
  fhir::json::append_json_string(body, "urn:uuid:" + mappings::hl7v2::stable_id(s.id + "|status"));
  body += R"(,"resource":)" + subscription_status(s, "query-status", s.status, last, {}, url) +
          R"(,"search":{"mode":"match"}}]})";
  return pipeline::fhir_json_response(200, std::move(body));
}

http::Response events_of(const Subscription& s, store::Store& store, const rest::Params& params, int64_t last,
                         const std::string& url) {
  int64_t since = 1, until = last;
  for (const auto& [name, value] : params) {
    if (name == "eventsSinceNumber") since = std::max<int64_t>(1, std::atoll(value.c_str()));
    if (name == "eventsUntilNumber") until = std::min<int64_t>(last, std::atoll(value.c_str()));
  }
  Subscription shaped = s;
  for (const auto& [name, value] : params)
    if (name == "content") shaped.payload = value == "empty" ? Payload::Empty : value == "id-only" ? Payload::IdOnly : Payload::FullResource;
  std::vector<NotificationEvent> events;
  if (until >= since) {
    size_t count = static_cast<size_t>(std::min<int64_t>(until - since + 1, 1000));
    auto records = store.read_log(event_log(s.id), since - 1, count);
    if (!records) return pipeline::outcome_response(503, "transient", "the store could not read the events");
    for (const auto& record : *records) {
      if (record.seq > until) break;
      NotificationEvent e;
      e.number = record.seq;
      if (!EventRecord::decode(record.record, e.event)) continue;
      if (shaped.payload == Payload::FullResource && !e.event.deleted)
        if (auto version = store.vread(e.event.type, e.event.id, e.event.version)) e.body = version->body;
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

}  // namespace

pipeline::Route subscription_operations(const std::string& base, rest::FhirService& service, store::Store& store,
                                        const SubscriptionEvents& events, Delivery& delivery, WebsocketHub* websocket) {
  pipeline::Route route{"subscription-operations", base + "/Subscription/{id}/{operation}", false, nullptr, nullptr};
  route.caller_handler = [&service, &store, &events, &delivery, websocket, base](
                            std::shared_ptr<const http::Request> request, rest::Caller who, http::Responder responder) {
    responder.defer([&service, &store, &events, &delivery, websocket, base, request, who, responder] {
      auto answer = std::make_shared<http::Response>([&]() -> http::Response {
        std::string_view target = request->target;
        std::string_view path = target.substr(0, target.find('?'));
        std::string operation(path.substr(path.rfind('/') + 1));
        if (operation.starts_with("%24")) operation = "$" + operation.substr(3);  // $ percent-encoded
        if (operation != "$status" && operation != "$events" && operation != "$get-ws-binding-token" && operation != "$resend")
          return service.handle(*request, who);
        std::string_view rest = path.substr(base.size() + 14);  // after "/Subscription/"
        std::string id(rest.substr(0, rest.find('/')));
        // Only who may read the Subscription may ask about it.
        http::Request read;
        read.method = "GET";
        read.target = base + "/Subscription/" + id;
        read.headers = request->headers;
        http::Response readable = service.handle(read, who);
        if (readable.status != 200) return readable;
        if (operation == "$get-ws-binding-token") return binding_token(id, websocket);
        auto s = events.find(id);
        if (!s) return pipeline::outcome_response(422, "processable", "Subscription/" + id + " is not one this gateway delivers");
        int64_t last = last_event(store, id, delivery.state(id).delivered);
        std::string url = base_url(*request, base);
        if (operation == "$status") return status_of(*s, last, url);
        size_t query = target.find('?');
        rest::Params params = query == std::string_view::npos ? rest::Params{} : rest::parse_query(target.substr(query + 1));
        if (operation == "$resend") {
          if (request->method != "POST") return pipeline::outcome_response(405, "not-supported", "POST $resend");
          int64_t since = 1;
          for (const auto& [name, value] : params)
            if (name == "eventsSinceNumber") since = std::max<int64_t>(1, std::atoll(value.c_str()));
          delivery.resend_from(id, since);
          return status_of(*s, last, url);
        }
        return events_of(*s, store, params, last, url);
      }());
      responder.reply([answer] { return std::move(*answer); });
    });
  };
  return route;
}

}  // namespace carebridge::gateway::routing

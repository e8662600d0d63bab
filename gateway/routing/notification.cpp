#include "gateway/routing/notification.h"

#include "fhir/json/json_writer.h"
#include "fhir/time/fhir_time.h"
#include "mappings/engine/ids.h"

namespace carebridge::gateway::routing {

namespace {

using fhir::json::append_json_string;

std::string instant(int64_t ms) { return fhir::time::format_instant(ms); }

std::string string_value(const std::string& name, const std::string& value, const char* type = "valueString") {
  std::string out = "{\"name\":";
  append_json_string(out, name);
  out += ",\"";
  out += type;
  out += "\":";
  append_json_string(out, value);
  return out + "}";
}

std::string reference_value(const std::string& name, const std::string& reference) {
  std::string out = "{\"name\":";
  append_json_string(out, name);
  out += ",\"valueReference\":{\"reference\":";
  append_json_string(out, reference);
  return out + "}}";
}

std::string resource_url(const std::string& base_url, const EventRecord& e) { return base_url + "/" + e.type + "/" + e.id; }

}  // namespace

std::string subscription_status(const Subscription& s, const std::string& type, const std::string& status,
                                int64_t events_since_start, const std::vector<NotificationEvent>& events,
                                const std::string& base_url, const std::string& error) {
  std::string out = R"({"resourceType":"Parameters","meta":{"profile":[")" + std::string(kBackport) +
                    R"(backport-subscription-status-r4"]},"parameter":[)";
  out += reference_value("subscription", base_url + "/Subscription/" + s.id);
  // A plain R4 criteria subscription has no topic: its search is no canonical to name. A
  // notification of an empty payload names none either (R5 SubscriptionStatus.topic: SHOULD NOT
  // be present, as the topic alone may tell what happened); a status query still does.
  bool says_nothing = s.payload == Payload::Empty && !type.starts_with("query-");
  if (s.names_topic() && !says_nothing) out += "," + string_value("topic", s.topic, "valueCanonical");
  out += "," + string_value("status", status, "valueCode");
  out += "," + string_value("type", type, "valueCode");
  out += "," + string_value("events-since-subscription-start", std::to_string(events_since_start));
  for (const NotificationEvent& e : events) {
    out += R"(,{"name":"notification-event","part":[)";
    out += string_value("event-number", std::to_string(e.number));
    out += "," + string_value("timestamp", instant(e.event.at_ms), "valueInstant");
    if (s.payload != Payload::Empty && !e.withheld) out += "," + reference_value("focus", resource_url(base_url, e.event));
    out += "]}";
  }
  if (!error.empty()) {
    out += R"(,{"name":"error","valueCodeableConcept":{"text":)";
    append_json_string(out, error);
    out += "}}";
  }
  return out + "]}";
}

std::string notification_bundle(const Subscription& s, const std::string& type, const std::string& status,
                                int64_t events_since_start, const std::vector<NotificationEvent>& events,
                                const std::string& base_url) {
  std::string out = R"({"resourceType":"Bundle","type":"history","timestamp":)";
  append_json_string(out, instant(fhir::time::now_ms()));
  out += R"(,"entry":[{"fullUrl":)";
  append_json_string(out, "urn:uuid:" + mappings::engine::name_uuid(s.id + "|" + type + "|" + std::to_string(events_since_start) + "|" +
                                                                   std::to_string(fhir::time::now_ms())));
  out += R"(,"resource":)" + subscription_status(s, type, status, events_since_start, events, base_url);
  out += R"(,"request":{"method":"GET","url":)";
  append_json_string(out, "Subscription/" + s.id + "/$status");
  out += R"(},"response":{"status":"200"}})";
  if (s.payload != Payload::Empty) {
    for (const NotificationEvent& e : events) {
      if (e.withheld) continue;
      out += R"(,{"fullUrl":)";
      append_json_string(out, resource_url(base_url, e.event));
      if (s.payload == Payload::FullResource && !e.body.empty() && !e.event.deleted) out += R"(,"resource":)" + e.body;
      out += R"(,"request":{"method":")" + std::string(e.event.deleted ? "DELETE" : e.event.version == 1 ? "POST" : "PUT") +
             R"(","url":)";
      append_json_string(out, e.event.type + (e.event.version == 1 && !e.event.deleted ? "" : "/" + e.event.id));
      out += R"(},"response":{"status":")" + std::string(e.event.deleted ? "204" : e.event.version == 1 ? "201" : "200") + "\"}}";
    }
  }
  return out + "]}";
}

}  // namespace carebridge::gateway::routing

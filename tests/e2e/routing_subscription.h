// The Subscription the routing tests store: the lab-results topic, a rest-hook channel to
// a test receiver, a payload content, and optionally a filter and a heartbeat; and the
// notifications a receiver got, read back.
#pragma once

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "server_process.h"
#include "webhook_receiver.h"

namespace carebridge::testing {

inline constexpr const char* kLabTopic = "http://carebridge.example/fhir/SubscriptionTopic/lab-results";
// With tokens required, the tests' receivers on loopback must be allow-listed (SecuredGateway's
// extra config).
inline constexpr const char* kLoopbackReceivers = R"("routing":{"allowed_hosts":["127.0.0.1"]})";

inline std::string subscription(const std::string& endpoint, const std::string& content, const std::string& filter = "",
                         const std::string& heartbeat = "") {
  std::string s = R"({"resourceType":"Subscription","status":"requested","reason":"results","criteria":")" +
                  std::string(kLabTopic) + "\"";
  if (!filter.empty())
    s += R"(,"_criteria":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria","valueString":")" +
         filter + R"("}]})";
  s += R"(,"channel":{"type":"rest-hook","endpoint":")" + endpoint + R"(","payload":"application/fhir+json",)";
  s += R"("extension":[{"url":"http://carebridge.example/fhir/StructureDefinition/subscription-signing-secret","valueString":"s3cret"})";
  if (!heartbeat.empty())
    s += R"(,{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-heartbeat-period","valueUnsignedInt":)" +
         heartbeat + "}";
  s += "],";
  s += R"("_payload":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content","valueCode":")" +
       content + R"("}]},"header":["Authorization: Bearer receiver-secret"]}})";
  return s;
}

// A final laboratory Observation about `patient`: what the lab-results topic fires on.
inline std::string lab(const std::string& patient, const std::string& code, int value, const std::string& status = "final") {
  return R"({"resourceType":"Observation","status":")" + status +
         R"(","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],)"
         R"("code":{"coding":[{"system":"http://loinc.org","code":")" + code + R"("}]},"subject":{"reference":"Patient/)" + patient +
         R"("},"valueQuantity":{"value":)" + std::to_string(value) + R"(,"unit":"mg/dL"}})";
}

// One notification as the receiver got it.
struct Notification {
  std::string type;
  long since = 0;
  std::vector<long> numbers;
  std::vector<std::string> focus;
  size_t resources = 0;  // entries after the status that carry a resource
  size_t entries = 0;
};

inline Notification read(const std::string& body) {
  rapidjson::Document b;
  b.Parse(body.c_str());
  REQUIRE(b.IsObject());
  Notification n;
  CHECK(std::string(b["type"].GetString()) == "history");
  const auto& parameters = b["entry"][0]["resource"]["parameter"];
  for (const auto& p : parameters.GetArray()) {
    std::string name = p["name"].GetString();
    if (name == "type") n.type = p["valueCode"].GetString();
    if (name == "events-since-subscription-start") n.since = std::stol(p["valueString"].GetString());
    if (name == "notification-event")
      for (const auto& part : p["part"].GetArray()) {
        if (std::string(part["name"].GetString()) == "event-number") n.numbers.push_back(std::stol(part["valueString"].GetString()));
        if (std::string(part["name"].GetString()) == "focus") n.focus.emplace_back(part["valueReference"]["reference"].GetString());
      }
  }
  n.entries = b["entry"].Size() - 1;
  for (size_t i = 1; i < b["entry"].Size(); ++i) n.resources += b["entry"][i].HasMember("resource");
  return n;
}

// Every event number the receiver got, in the order it got them.
inline std::vector<long> event_numbers(const WebhookReceiver& receiver) {
  std::vector<long> out;
  for (const auto& body : receiver.bodies())
    for (long n : read(body).numbers) out.push_back(n);
  return out;
}

inline bool eventually_events(const WebhookReceiver& receiver, size_t n, int seconds = 20) {
  return eventually([&] { return event_numbers(receiver).size() >= n; }, std::chrono::seconds(seconds));
}

}  // namespace carebridge::testing

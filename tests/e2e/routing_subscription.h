// The Subscription the routing tests store: the lab-results topic, a rest-hook channel to
// a test receiver, a payload content, and optionally a filter and a heartbeat.
#pragma once

#include <string>

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

}  // namespace carebridge::testing

// Patient consents as policies: R4 Consents written the way EHRs and consent registries send
// them, read by ConsentPolicy::from and asked who may see what (decide, decide_all).
#include <catch2/catch.hpp>

#include "fhir/time/temporal.h"
#include "gateway/security/consent.h"
#include "gateway/security/labels.h"
#include "support/test_support.h"

namespace sec = carebridge::gateway::security;
namespace model = carebridge::fhir::model;
using sec::Decision;

namespace {

constexpr const char* kPrivacyScope =
    R"("scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},)";
constexpr const char* kCategory =
    R"("category":[{"coding":[{"system":"http://loinc.org","code":"59284-0","display":"Patient Consent"}]}],)";

std::string policy_rule(const std::string& code) {
  return R"("policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":")" + code +
         R"("}]},)";
}

std::string actor(const std::string& reference) {
  return R"({"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType",)"
         R"("code":"IRCP"}]},"reference":{"reference":")" +
         reference + R"("}})";
}

std::string purpose(const std::string& code) {
  return R"({"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":")" + code + R"("})";
}

std::string label(const std::string& code) {
  return R"({"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":")" + code + R"("})";
}

constexpr const char* kAccess =
    R"([{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentaction","code":"access"}]}])";

// A Consent of patient p1 with the given status, policy rule and root provision.
std::string consent(const std::string& provision, const std::string& rule = "OPTOUT",
                    const std::string& status = "active", const std::string& scope = kPrivacyScope) {
  return R"({"resourceType":"Consent","id":"c1","status":")" + status + R"(",)" + scope + kCategory +
         R"("patient":{"reference":"Patient/p1"},"dateTime":"2024-01-10T09:30:00+01:00",)"
         R"("organization":[{"reference":"Organization/custodian"}],)" +
         policy_rule(rule) + R"("provision":)" + provision + "}";
}

std::unique_ptr<model::Document> parsed(const std::string& json) {
  auto result = carebridge::testing::parse(json);
  INFO(result.first_error());
  REQUIRE(!result.has_errors());
  return std::move(result.document);
}

sec::ConsentPolicy policy_of(const std::string& json) {
  auto doc = parsed(json);
  auto policy = sec::ConsentPolicy::from(*doc->root());
  INFO(policy.message());
  REQUIRE(policy);
  return std::move(policy).value();
}

std::string rejection(const std::string& json) {
  auto doc = parsed(json);
  auto policy = sec::ConsentPolicy::from(*doc->root());
  REQUIRE_FALSE(policy);
  return policy.message();
}

int64_t ms(std::string_view date_time) {
  auto parsed_time = carebridge::fhir::time::try_parse(date_time, carebridge::fhir::time::Syntax::DateTime);
  REQUIRE(parsed_time);
  auto span = carebridge::fhir::time::utc_span(*parsed_time);
  REQUIRE(span);
  return span->start.seconds * 1000 + span->start.nanos / 1'000'000;
}

// clinic-a reading an Observation of p1 for treatment in June 2024.
sec::ConsentQuery query(const std::string& org = "clinic-a", uint32_t labels = 0) {
  sec::ConsentQuery q;
  q.actor_org = org;
  q.resource_type = "Observation";
  q.resource_ref = "Observation/o1";
  q.labels = labels;
  q.now_ms = ms("2024-06-01T12:00:00Z");
  return q;
}

constexpr uint32_t kHivData = sec::HIV | sec::ConfidentialityR;
constexpr uint32_t kMentalHealthData = sec::PSY | sec::ConfidentialityR;

// OPTIN; clinic-a may access HIV data for treatment during 2024.
const std::string kHivShare = consent(R"({"period":{"start":"2024-01-01","end":"2024-12-31"},"provision":[
  {"type":"permit","actor":[)" + actor("Organization/clinic-a") + R"(],"action":)" + kAccess +
                                      R"(,"purpose":[)" + purpose("TREAT") + R"(],"securityLabel":[)" + label("HIV") +
                                      "]}]}",
                                      "OPTIN");

}  // namespace

TEST_CASE("An opt-in consent lets the named clinic see HIV data for treatment during its period", "[consent]") {
  auto policy = policy_of(kHivShare);
  CHECK(policy.id() == "c1");
  CHECK(policy.patient() == "p1");
  CHECK(policy.governs_disclosure());

  CHECK(policy.decide(query("clinic-a", kHivData)) == Decision::Permit);
  auto emergency = query("clinic-a", kHivData);
  emergency.purpose = "ETREAT";  // emergency treatment is treatment
  CHECK(policy.decide(emergency) == Decision::Permit);
  auto disclosure = query("clinic-a", kHivData);
  disclosure.action = "disclose";  // the custodian's side of the same release
  CHECK(policy.decide(disclosure) == Decision::Permit);

  // Opt-in covers ordinary data for anyone, never sensitive data without a provision.
  CHECK(policy.decide(query("clinic-b")) == Decision::Permit);
  CHECK(policy.decide(query("clinic-b", kHivData)) == Decision::NotApplicable);
  // HIV data that is also mental-health data is more than the patient agreed to.
  CHECK(policy.decide(query("clinic-a", kHivData | sec::PSY)) == Decision::NotApplicable);
}

TEST_CASE("A permit for treatment does not cover payment", "[consent]") {
  auto policy = policy_of(kHivShare);
  auto payment = query("clinic-a", kHivData);
  payment.purpose = "HPAYMT";
  CHECK(policy.decide(payment) == Decision::NotApplicable);
  auto claim = query("clinic-a", kHivData);
  claim.purpose = "CLMATTCH";  // a kind of payment, still not treatment
  CHECK(policy.decide(claim) == Decision::NotApplicable);
}

TEST_CASE("Outside the consent's period the consent does not apply at all", "[consent]") {
  auto policy = policy_of(kHivShare);
  auto last_day = query("clinic-a", kHivData);
  last_day.now_ms = ms("2024-12-31T23:59:00Z");  // the end date covers its whole day
  CHECK(policy.decide(last_day) == Decision::Permit);

  auto ended = query("clinic-a");
  ended.now_ms = ms("2025-01-01T00:00:00Z");
  CHECK(policy.decide(ended) == Decision::NotApplicable);  // not even the opt-in base
  auto before = query("clinic-a", kHivData);
  before.now_ms = ms("2023-12-31T23:59:59Z");
  CHECK(policy.decide(before) == Decision::NotApplicable);
}

TEST_CASE("An opt-out consent with a nested permit shares only what the permit names", "[consent]") {
  auto policy = policy_of(consent(R"({"provision":[{"type":"permit","actor":[)" + actor("Organization/clinic-a") +
                                  R"(],"class":[{"system":"http://hl7.org/fhir/resource-types",)"
                                  R"("code":"Observation"}]}]})"));
  CHECK(policy.decide(query("clinic-a")) == Decision::Permit);
  // No label condition: every ordinary observation, and no sensitive one (that needs a label).
  CHECK(policy.decide(query("clinic-a", kHivData)) == Decision::Deny);

  auto condition = query("clinic-a");
  condition.resource_type = "Condition";
  condition.resource_ref = "Condition/d1";
  CHECK(policy.decide(condition) == Decision::Deny);
  CHECK(policy.decide(query("clinic-b")) == Decision::Deny);
  auto nobody = query("");
  CHECK(policy.decide(nobody) == Decision::Deny);
}

TEST_CASE("A deny for mental-health data nested in a permit keeps that data back", "[consent]") {
  auto policy = policy_of(consent(R"({"provision":[{"type":"permit","actor":[)" + actor("Organization/clinic-a") +
                                  R"(],"purpose":[)" + purpose("TREAT") +
                                  R"(],"provision":[{"type":"deny","securityLabel":[)" + label("PSY") + "]}]}]}"));
  CHECK(policy.decide(query("clinic-a")) == Decision::Permit);
  CHECK(policy.decide(query("clinic-a", kHivData)) == Decision::Deny);  // the permit names no label
  CHECK(policy.decide(query("clinic-a", kMentalHealthData)) == Decision::Deny);
  CHECK(policy.decide(query("clinic-a", kMentalHealthData | sec::HIV)) == Decision::Deny);
  // The deny is an exception to clinic-a's permit; for others the opt-out base decides.
  CHECK(policy.decide(query("clinic-b", kMentalHealthData)) == Decision::Deny);
}

TEST_CASE("Among applicable sibling provisions a deny wins", "[consent]") {
  auto policy = policy_of(consent(R"({"provision":[
    {"type":"permit","actor":[)" + actor("Organization/clinic-a") + R"(]},
    {"type":"deny","purpose":[)" + purpose("HMARKT") + R"(]}]})"));
  CHECK(policy.decide(query("clinic-a")) == Decision::Permit);
  auto marketing = query("clinic-a");
  marketing.purpose = "HMARKT";
  CHECK(policy.decide(marketing) == Decision::Deny);
}

TEST_CASE("An inactive, draft or research consent decides nothing", "[consent]") {
  const std::string permit_all =
      R"({"provision":[{"type":"permit","actor":[)" + actor("Organization/clinic-a") + "]}]}";
  auto inactive = policy_of(consent(permit_all, "OPTOUT", "inactive"));
  CHECK(inactive.status() == "inactive");
  CHECK(inactive.decide(query("clinic-a")) == Decision::NotApplicable);
  CHECK(inactive.decide(query("clinic-b")) == Decision::NotApplicable);
  CHECK(policy_of(consent(permit_all, "OPTOUT", "proposed")).decide(query("clinic-b")) == Decision::NotApplicable);

  auto research = policy_of(consent(
      permit_all, "OPTOUT", "active",
      R"("scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"research"}]},)"));
  CHECK_FALSE(research.governs_disclosure());
  CHECK(research.decide(query("clinic-b")) == Decision::NotApplicable);
}

TEST_CASE("A consent the gateway cannot apply safely is rejected, saying why", "[consent]") {
  const std::string provision = R"({"provision":[{"type":"permit"}]})";
  CHECK(rejection(consent(provision, "OPTOUT", "active",
                          R"("scope":{"coding":[{"system":"http://example.org/scopes","code":"share"}]},)"))
            .find("scope") != std::string::npos);
  CHECK(rejection(consent(provision, "OPTOUT", "active",
                          R"("scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope",)"
                          R"("code":"marketing"}]},)"))
            .find("scope") != std::string::npos);
  CHECK(rejection(consent(R"({"provision":[{"actor":[)" + actor("Organization/clinic-a") + "]}]}"))
            .find("permit or deny") != std::string::npos);
  CHECK(rejection(consent(R"({"period":{"start":"2024-06-01","end":"2024-01-01"}})")).find("period") !=
        std::string::npos);
  CHECK(rejection(consent(R"({"type":"permit","modifierExtension":[{"url":"http://example.org/only-if-asked",)"
                          R"("valueBoolean":true}]})"))
            .find("only-if-asked") != std::string::npos);

  std::string no_patient = consent(provision);
  no_patient.replace(no_patient.find("Patient/p1"), 10, "Group/g1");
  CHECK(rejection(no_patient).find("Consent.patient") != std::string::npos);

  auto both = consent(provision, "OPTIN");
  const std::string opt_in = R"("code":"OPTIN"})";
  both.replace(both.find(opt_in), opt_in.size(),
               R"("code":"OPTIN"},{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTOUT"})");
  CHECK(rejection(both).find("opt-in and opt-out") != std::string::npos);
}

TEST_CASE("An actor given as a care team is the requester only when the caller says so", "[consent]") {
  auto policy = policy_of(consent(R"({"provision":[{"type":"permit","actor":[)" + actor("CareTeam/ct1") + "]}]}"));
  auto member = query("clinic-a");
  member.actor_matches = [](std::string_view reference) { return reference == "CareTeam/ct1"; };
  CHECK(policy.decide(member) == Decision::Permit);

  auto outsider = query("clinic-b");
  outsider.actor_matches = [](std::string_view) { return false; };
  CHECK(policy.decide(outsider) == Decision::Deny);
  // Unresolved, the care team cannot be taken to include the requester.
  CHECK(policy.decide(query("clinic-a")) == Decision::Deny);
}

TEST_CASE("A deny naming another organization applies unless the caller resolves it", "[consent]") {
  auto policy = policy_of(consent(R"({"provision":[{"type":"deny","actor":[)" + actor("Organization/clinic-b") + "]}]}",
                                  "OPTIN"));
  auto resolved = query("clinic-a");
  resolved.actor_matches = [](std::string_view reference) { return reference == "Organization/clinic-a"; };
  CHECK(policy.decide(resolved) == Decision::Permit);
  // Fail safe: Organization/clinic-b might be clinic-a's parent.
  CHECK(policy.decide(query("clinic-a")) == Decision::Deny);
  CHECK(policy.decide(query("clinic-b")) == Decision::Deny);
}

TEST_CASE("Conditions the gateway cannot check keep permits from applying and let denies apply", "[consent]") {
  const std::string by_code =
      R"({"type":"permit","code":[{"coding":[{"system":"http://loinc.org","code":"8867-4"}]}]})";
  CHECK(policy_of(consent(R"({"provision":[)" + by_code + "]}")).decide(query("clinic-a")) == Decision::Deny);

  auto data_period = policy_of(consent(R"({"provision":[{"type":"deny",
    "dataPeriod":{"start":"2020-01-01","end":"2020-12-31"}}]})",
                                       "OPTIN"));
  CHECK(data_period.decide(query("clinic-a")) == Decision::Deny);  // the data's time is not known
  auto recent = query("clinic-a");
  recent.data_time_ms = ms("2023-03-01T08:00:00Z");
  CHECK(data_period.decide(recent) == Decision::Permit);
  auto old = query("clinic-a");
  old.data_time_ms = ms("2020-03-01T08:00:00Z");
  CHECK(data_period.decide(old) == Decision::Deny);

  auto profile_class = policy_of(consent(R"({"provision":[{"type":"permit","class":[
    {"system":"http://hl7.org/fhir/StructureDefinition","code":"lipidprofile"}]}]})"));
  CHECK(profile_class.decide(query("clinic-a")) == Decision::Deny);
}

TEST_CASE("A consent on one record applies to that record only", "[consent]") {
  auto policy = policy_of(consent(R"({"provision":[{"type":"permit","data":[
    {"meaning":"instance","reference":{"reference":"https://ehr.example.org/fhir/Observation/o1/_history/3"}}]}]})"));
  CHECK(policy.decide(query("clinic-a")) == Decision::Permit);
  auto other = query("clinic-a");
  other.resource_ref = "Observation/o2";
  CHECK(policy.decide(other) == Decision::Deny);
}

TEST_CASE("42 CFR Part 2 records need a consent that names them", "[consent]") {
  constexpr uint32_t kPart2 = sec::Part2 | sec::ETH | sec::ConfidentialityR | sec::NoRedisclosure;
  auto general = policy_of(consent(R"({"provision":[{"type":"permit","actor":[)" + actor("Organization/clinic-a") +
                                   "]}]}"));
  CHECK(general.decide(query("clinic-a", kPart2)) == Decision::Deny);  // the opt-out base decides
  CHECK(general.decide(query("clinic-a", kHivData)) == Decision::Deny);

  auto named = policy_of(consent(R"({"provision":[{"type":"permit","actor":[)" + actor("Organization/clinic-a") +
                                 R"(],"securityLabel":[)" + label("42CFRPart2") + "]}]}"));
  CHECK(named.decide(query("clinic-a", kPart2)) == Decision::Permit);

  // A deny of substance-use data covers a record labelled only as Part 2.
  auto deny_sud = policy_of(consent(R"({"provision":[{"type":"deny","securityLabel":[)" + label("SUD") + "]}]}",
                                    "OPTIN"));
  CHECK(deny_sud.decide(query("clinic-a", sec::Part2)) == Decision::Deny);
  CHECK(deny_sud.decide(query("clinic-a")) == Decision::Permit);
}

TEST_CASE("A permit without security labels shares ordinary data and no sensitive data", "[consent]") {
  // "Share my records with clinic-a" (OPTIN base: nothing sensitive either way).
  auto general = policy_of(consent(R"({"provision":[{"type":"permit","actor":[)" + actor("Organization/clinic-a") +
                                   "]}]}",
                                   "OPTIN"));
  CHECK(general.decide(query("clinic-a")) == Decision::Permit);
  for (uint32_t sensitive : {kHivData, kMentalHealthData, uint32_t{sec::SDV}, uint32_t{sec::STD}, uint32_t{sec::ETH},
                             uint32_t{sec::ConfidentialityR}, uint32_t{sec::ConfidentialityV}}) {
    CHECK(general.decide(query("clinic-a", sensitive)) == Decision::NotApplicable);
  }
  // Labels on an outer provision name the data for the permits nested in it.
  auto nested = policy_of(consent(R"({"provision":[{"type":"permit","securityLabel":[)" + label("SDV") +
                                  R"(],"provision":[{"type":"permit","actor":[)" + actor("Organization/clinic-a") +
                                  "]}]}]}"));
  CHECK(nested.decide(query("clinic-a", sec::SDV | sec::ConfidentialityR)) == Decision::Permit);
  CHECK(nested.decide(query("clinic-a", kHivData)) == Decision::Deny);
  // The record named in data is named.
  auto record = policy_of(consent(R"({"provision":[{"type":"permit","actor":[)" + actor("Organization/clinic-a") +
                                  R"(],"data":[{"meaning":"instance","reference":{"reference":"Observation/o1"}}]}]})"));
  CHECK(record.decide(query("clinic-a", kHivData)) == Decision::Permit);
}

TEST_CASE("A confidentiality label in a provision covers that level and below", "[consent]") {
  auto policy = policy_of(consent(R"({"provision":[{"type":"permit","actor":[)" + actor("Organization/clinic-a") +
                                  R"(],"securityLabel":[{"system":"http://terminology.hl7.org/CodeSystem/)"
                                  R"(v3-Confidentiality","code":"R"}]}]})"));
  CHECK(policy.decide(query("clinic-a")) == Decision::Permit);
  CHECK(policy.decide(query("clinic-a", sec::ConfidentialityR)) == Decision::Permit);
  CHECK(policy.decide(query("clinic-a", sec::ConfidentialityV)) == Decision::Deny);
  CHECK(policy.decide(query("clinic-a", kHivData)) == Decision::Deny);  // HIV is not named
}

TEST_CASE("Across a patient's consents any deny denies, else any permit permits", "[consent]") {
  auto permit = std::make_shared<const sec::ConsentPolicy>(policy_of(kHivShare));
  auto deny = std::make_shared<const sec::ConsentPolicy>(policy_of(consent(
      R"({"provision":[{"type":"deny","actor":[)" + actor("Organization/clinic-a") + "]}]}", "OPTIN")));
  auto inactive = std::make_shared<const sec::ConsentPolicy>(policy_of(consent(R"({"type":"deny"})", "OPTOUT",
                                                                               "inactive")));
  const auto hiv = query("clinic-a", kHivData);
  CHECK(sec::decide_all({permit}, hiv) == Decision::Permit);
  CHECK(sec::decide_all({permit, deny}, hiv) == Decision::Deny);
  CHECK(sec::decide_all({deny, permit}, hiv) == Decision::Deny);
  CHECK(sec::decide_all({permit, inactive, nullptr}, hiv) == Decision::Permit);
  CHECK(sec::decide_all({inactive}, hiv) == Decision::NotApplicable);
  CHECK(sec::decide_all({}, hiv) == Decision::NotApplicable);
  CHECK(sec::to_string(Decision::NotApplicable) == "not-applicable");
}

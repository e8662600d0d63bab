// The index of patients' Consents as the access policy asks it: whose Consent counts.
#include <catch2/catch.hpp>

#include "gateway/security/access_facts.h"
#include "gateway/security/consent_index.h"
#include "gateway/security/labels.h"
#include "gateway/store/store.h"
#include "support/test_support.h"

namespace sec = carebridge::gateway::security;
namespace store = carebridge::gateway::store;

namespace {

struct NoLog final : store::CommitLog {
  int64_t append(std::string_view, std::string_view) override { return 0; }
};

// Patient p1's Consent letting clinic-a see HIV results, as first stored by `recorder`'s client.
store::ResourceRecord hiv_permit_recorded_by(const std::string& id, const std::string& recorder) {
  std::string body =
      R"({"resourceType":"Consent","id":")" + id + R"(","status":"active",)"
      R"("scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},)"
      R"("category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],)"
      R"("patient":{"reference":"Patient/p1"},"dateTime":"2026-01-10T09:30:00Z",)"
      R"("policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTIN"}]},)"
      R"("provision":{"type":"deny","provision":[{"type":"permit","actor":[{"role":{"coding":[{"system":)"
      R"("http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},)"
      R"("reference":{"reference":"Organization/clinic-a"}}],"securityLabel":[{"system":)"
      R"("http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}]}})";
  sec::AccessFacts facts;
  facts.owner = recorder;
  facts.patients = {"p1"};
  return {"Consent", id, 1, "2026-01-10T09:30:00Z", 0, false, "PUT", body, sec::encode(facts)};
}

sec::Principal member_of(const std::string& organization) {
  sec::Principal who;
  who.organization = organization;
  return who;
}

constexpr uint32_t kHiv = sec::HIV | sec::ConfidentialityR;

void store_in(sec::ConsentIndex& index, const store::ResourceRecord& record) {
  NoLog log;
  REQUIRE(index.on_write(store::WriteEvent{record, {}, 0, {}, {}}, log).ok());
  index.ended(true);
}

}  // namespace

TEST_CASE("a Consent recorded by the organization it permits does not open labelled records to it",
          "[security][consent]") {
  sec::ConsentIndex index(carebridge::testing::core());
  store_in(index, hiv_permit_recorded_by("self-granted", "clinic-a"));
  CHECK(index.decide("p1", member_of("clinic-a"), "Observation", "o1", kHiv, "hospital") == sec::ConsentVerdict::NotApplicable);
  store_in(index, hiv_permit_recorded_by("from-custodian", "hospital"));
  CHECK(index.decide("p1", member_of("clinic-a"), "Observation", "o1", kHiv, "hospital") == sec::ConsentVerdict::Permit);
}

TEST_CASE("a Consent recorded by a third organization opens only that organization's records", "[security][consent]") {
  sec::ConsentIndex index(carebridge::testing::core());
  // A shelter records that p1 lets clinic-a see HIV results: the hospital's results stay
  // closed, the shelter's own are the shelter's to share.
  store_in(index, hiv_permit_recorded_by("from-shelter", "shelter"));
  CHECK(index.decide("p1", member_of("clinic-a"), "Observation", "o1", kHiv, "hospital") == sec::ConsentVerdict::NotApplicable);
  CHECK(index.decide("p1", member_of("clinic-a"), "Observation", "o1", kHiv, "shelter") == sec::ConsentVerdict::Permit);
  // Its deny (the permit names clinic-a only) counts for everyone else, whoever recorded it.
  CHECK(index.decide("p1", member_of("clinic-b"), "Observation", "o1", kHiv, "hospital") == sec::ConsentVerdict::Deny);
}

TEST_CASE("a Consent recorded without an organization (an open server) still permits", "[security][consent]") {
  sec::ConsentIndex index(carebridge::testing::core());
  store_in(index, hiv_permit_recorded_by("open", ""));
  CHECK(index.decide("p1", member_of("clinic-a"), "Observation", "o1", kHiv, "hospital") == sec::ConsentVerdict::Permit);
}

TEST_CASE("a Consent whose recorder cannot be read permits nothing and still denies", "[security][consent]") {
  sec::ConsentIndex index(carebridge::testing::core());
  auto unreadable = hiv_permit_recorded_by("unreadable", "hospital");
  unreadable.access = "not access facts";
  store_in(index, unreadable);
  CHECK(index.decide("p1", member_of("clinic-a"), "Observation", "o1", kHiv, "hospital") == sec::ConsentVerdict::NotApplicable);
  CHECK(index.decide("p1", member_of("clinic-b"), "Observation", "o1", kHiv, "hospital") == sec::ConsentVerdict::Deny);
}

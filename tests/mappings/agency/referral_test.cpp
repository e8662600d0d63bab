// The referral-request spec on a referral log written the way a clinic keeps one: the golden
// sample maps to the Bundle checked in beside it; each referral is a ServiceRequest with its
// SDOH category, a Task for the receiving organization (status requested, the Gravity
// workflow's start) and a Consent only when the client's consent is on file.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "fhir/json/json_writer.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "agency_test_support.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::core;
using carebridge::testing::project_sample;
using carebridge::testing::read_text;

namespace {

agency::AgencyConversion map_sample() {
  return carebridge::testing::shipped_converter("referral-request").convert_files(
      {{"referrals-2026-11.csv", read_text(project_sample("agency/referral-request/referrals-2026-11.csv"))}}, "local");
}

}  // namespace

TEST_CASE("referral-request: the golden sample maps to the Bundle checked in beside it", "[agency]") {
  auto c = map_sample();
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  REQUIRE(c.mapped.rejected.empty());
  REQUIRE(c.bundle);
  rapidjson::Document want, got;
  want.Parse(read_text(project_sample("agency/referral-request/referrals-2026-11.expected.json")).c_str());
  got.Parse(carebridge::fhir::json::write(*c.bundle->root()).c_str());
  CHECK(got == want);
}

TEST_CASE("referral-request: a Task for the receiving organization per referral, a Consent only when on file", "[agency]") {
  auto c = map_sample();
  REQUIRE(c.bundle);
  CHECK(c.mapped.resources.at("ServiceRequest") == 3);
  CHECK(c.mapped.resources.at("Task") == 3);
  CHECK(c.mapped.resources.at("Consent") == 2);  // the third referral's consent is not signed yet
  CHECK(c.mapped.resources.at("Patient") == 2);  // Colin's two referrals are about one person
  rapidjson::Document bundle;
  bundle.Parse(carebridge::fhir::json::write(*c.bundle->root()).c_str());
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    std::string type = r["resourceType"].GetString();
    if (type == "Task") {
      CHECK(std::string(r["status"].GetString()) == "requested");
      CHECK(std::string(r["owner"]["reference"].GetString()).starts_with("Organization/org-"));
      CHECK(std::string(r["focus"]["reference"].GetString()).starts_with("urn:uuid:"));
      // Created once: the log sent again never resets a referral its organization moved on.
      CHECK(std::string(e["request"]["method"].GetString()) == "POST");
      CHECK(std::string(e["request"]["ifNoneExist"].GetString()).starts_with("identifier=urn:carebridge:agency:local:referral-task%7C"));
    }
    if (type == "ServiceRequest" && std::string(r["code"]["text"].GetString()) == "Emergency shelter placement") {
      CHECK(std::string(r["category"][1]["coding"][0]["code"].GetString()) == "housing-instability");
      CHECK(std::string(r["priority"].GetString()) == "urgent");
    }
  }
}

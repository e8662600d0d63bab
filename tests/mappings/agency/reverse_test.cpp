// FHIR back into the agency's format with the same spec: a partner without FHIR gets a
// CSV it can open, and reading that CSV again gives the same records (what the spec maps
// goes both ways), with codes in the agency's own words and formulas neutralised.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "fhir/json/json_writer.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "mappings/agency/reverse.h"
#include "agency_test_support.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::core;
using carebridge::testing::project_sample;
using carebridge::testing::read_text;

namespace {

std::shared_ptr<const agency::Spec> spec(const std::string& name) {
  auto loaded = agency::load_spec(agency::default_specs_dir() / name / "spec.json", core());
  INFO((loaded.ok() ? "" : loaded.message()));
  REQUIRE(loaded.ok());
  return std::make_shared<const agency::Spec>(*loaded);
}

std::string bundle_of(const std::shared_ptr<const agency::Spec>& s, const std::string& name, const std::string& csv) {
  agency::AgencyConverter converter(core(), &carebridge::testing::agency_validator(), s);
  auto c = converter.convert_files({{name, csv}}, "local");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  REQUIRE(c.mapped.rejected.empty());
  REQUIRE(c.bundle);
  return carebridge::fhir::json::write(*c.bundle->root());
}

std::string csv_of(const std::shared_ptr<const agency::Spec>& s, const std::string& bundle) {
  rapidjson::Document fhir;
  fhir.Parse(bundle.c_str());
  auto csv = agency::render_csv(*s, fhir);
  INFO((csv.ok() ? "" : csv.message()));
  REQUIRE(csv.ok());
  return *csv;
}

}  // namespace

TEST_CASE("reverse: a food-bank sheet written back from FHIR reads as the same records", "[agency]") {
  auto s = spec("foodbank-intake");
  std::string first = bundle_of(s, "intake.csv", read_text(project_sample("agency/foodbank-intake/intake-2026-11.csv")));
  std::string csv = csv_of(s, first);
  CHECK(csv.starts_with("Client ID,First Name,Last Name,Date of Birth,Gender,"));
  CHECK(csv.find("FB-10231,Maria,Delgado,1984-03-14,F,+16175550142,maria.delgado@example.org,\"48 Elm St, Apt 2\",Cambridge,MA,"
                 "02139,HH-5501,4,Yes,SNAP,Often true,Sometimes true,2026-11-02,32.5,Central Square Pantry") != std::string::npos);
  CHECK(bundle_of(s, "intake.csv", csv) == first);
}

TEST_CASE("reverse: a case plan written back has one row per step, each with its own goal and partner", "[agency]") {
  auto s = spec("case-plan");
  std::string first = bundle_of(s, "plan.csv", read_text(project_sample("agency/case-plan/plan-CP-118.csv")));
  std::string csv = csv_of(s, first);
  CHECK(csv.find("Enroll in SNAP,Not started,2026-11-30,Dana Whitfield,org-foodbank") != std::string::npos);
  CHECK(csv.find("Enough food every week,2026-12-31,Active,Weekly pantry pickup at North Pantry,Scheduled,2026-11-14,,org-foodbank") !=
        std::string::npos);
  CHECK(bundle_of(s, "plan.csv", csv) == first);
}

TEST_CASE("reverse: a value a spreadsheet would run is written so that it never runs", "[agency]") {
  auto s = spec("case-plan");
  std::string sheet =
      "Plan ID,Client ID,First Name,Last Name,Plan Start,Goal,Goal Target Date,Goal Status,Action Step,Step Status,Due Date,"
      "Assigned Staff,Partner Organization\r\nP1,C1,Ana,Ruiz,,Housing,,Active,\"=HYPERLINK(\"\"http://x.example\"\")\",To do,,,\r\n";
  std::string first = bundle_of(s, "plan.csv", sheet);
  std::string csv = csv_of(s, first);
  CHECK(csv.find("'=HYPERLINK") != std::string::npos);
  // Read back, the ' is taken off again: the same records, the goal's identity unchanged.
  CHECK(bundle_of(s, "plan.csv", csv) == first);
}

// A referral log's header row, as the clinic's sheet has it.
constexpr const char* kReferralHeader =
    "Referral ID,Referral Date,Client ID,First Name,Last Name,Date of Birth,Phone,Need,Service Requested,"
    "Receiving Organization,Urgency,Consent on File,Consent Date,Referred By,Notes\r\n";

TEST_CASE("reverse: a referral log written back names each need in the clinic's words, not the fixed SNOMED category",
          "[agency]") {
  auto s = spec("referral-request");
  std::string log = std::string(kReferralHeader) +
      "R-1,1/10/2026,K-1,Rosa,Diaz,5/5/1970,,Food,Pantry enrollment,org-foodbank,ASAP,Yes,1/10/2026,Dr. Lin,\r\n"
      "R-2,1/10/2026,K-2,Tariq,Ali,6/6/1980,,Housing,Shelter bed,org-shelter,Emergency,Yes,1/10/2026,Dr. Lin,\r\n";
  std::string csv = csv_of(s, bundle_of(s, "log.csv", log));
  INFO(csv);
  CHECK(csv.find("410606002") == std::string::npos);
  CHECK(csv.find(",Food,Pantry enrollment,org-foodbank,ASAP,") != std::string::npos);
  CHECK(csv.find(",Housing,Shelter bed,org-shelter,Emergency,") != std::string::npos);
}

TEST_CASE("reverse: a spec that does not say what a row is cannot write its format back", "[agency]") {
  rapidjson::Document fhir;
  fhir.Parse(R"({"resourceType":"Bundle","type":"collection"})");
  auto csv = agency::render_csv(*spec("hmis"), fhir);
  CHECK(!csv.ok());
}

TEST_CASE("reverse: a referral log written back says Yes where the Consent is there, and reads back to the same records",
          "[agency]") {
  // "Consent on File" is written nowhere in a resource: the Consent made only when it is Yes says it.
  auto s = spec("referral-request");
  std::string log = std::string(kReferralHeader) +
      "R-1,1/10/2026,K-1,Rosa,Diaz,5/5/1970,,Food,Pantry enrollment,org-foodbank,ASAP,Yes,1/10/2026,Dr. Lin,\r\n"
      "R-2,1/10/2026,K-2,Tariq,Ali,6/6/1980,,Housing,Shelter bed,org-shelter,Emergency,Yes,,Dr. Lin,\r\n";
  std::string first = bundle_of(s, "log.csv", log);
  std::string csv = csv_of(s, first);
  INFO(csv);
  CHECK(csv.starts_with("Referral ID,Referral Date,Client ID,First Name,Last Name,Date of Birth,Phone,Need,Service Requested,"
                        "Receiving Organization,Urgency,Consent on File,Consent Date,Referred By,Notes\r\n"));
  CHECK(csv.find(",org-foodbank,ASAP,Yes,2026-01-10,") != std::string::npos);
  CHECK(csv.find(",org-shelter,Emergency,Yes,,") != std::string::npos);
  CHECK(bundle_of(s, "log.csv", csv) == first);
}

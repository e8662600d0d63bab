// The hsds spec on an Open Referral HSDS 3.0 directory export (samples/agency/hsds/
// directory-2026-11, a whole folder): it maps to the Bundle checked in beside it and
// validates, no row rejected; every service is a HealthcareService provided by its
// organization, at the locations its service_at_location rows name, with its hours
// (weekdays as FHIR codes, times as hh:mm:ss), its phones as telecom of the right system
// and its taxonomy terms (through attributes) as categories. The official HSDS example
// tables (the reference corpus, when present) map without breaking on their ids that point
// nowhere, and their latitude of 100 is never written.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "fhir/json/json_writer.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "mappings/csv/table.h"
#include "agency_test_support.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::core;
using carebridge::testing::project_sample;
using carebridge::testing::read_text;

using carebridge::testing::bundle_of;

namespace {

constexpr const char* kSample = "agency/hsds/directory-2026-11";

const carebridge::fhir::validation::Validator& validator() { return carebridge::testing::agency_validator(); }

const agency::AgencyConverter& hsds() { return carebridge::testing::shipped_converter("hsds"); }

// Every file of an export folder, by name, as `carebridge map` reads a folder.
std::vector<std::pair<std::string, std::string>> folder(const std::filesystem::path& dir) {
  return carebridge::testing::folder_files(dir);
}


// The sample's rows of one file, by column name.
std::vector<std::map<std::string, std::string>> rows_of(const std::string& file) {
  return carebridge::testing::sample_rows(std::string(kSample) + "/" + file);
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : ""; }

// The HSDS id a resource carries in the agency's identifier system.
std::string hsds_id(const rapidjson::Value& resource) {
  if (!resource.HasMember("identifier")) return {};
  for (const auto& id : resource["identifier"].GetArray())
    if (id.HasMember("system") && str(id["system"]).starts_with("urn:carebridge:agency:")) return str(id["value"]);
  return {};
}

// What a Bundle holds: resources by type and HSDS id, and each fullUrl's HSDS id.
struct Directory {
  std::map<std::string, std::map<std::string, const rapidjson::Value*>> by_type;
  std::map<std::string, std::string> id_of_url;

  explicit Directory(const rapidjson::Document& bundle) {
    for (const auto& e : bundle["entry"].GetArray()) {
      const auto& r = e["resource"];
      by_type[str(r["resourceType"])][hsds_id(r)] = &r;
      id_of_url[str(e["fullUrl"])] = hsds_id(r);
    }
  }
  // The HSDS id of the resource a reference names ("" when it is not in the Bundle).
  std::string target(const rapidjson::Value& reference) const {
    auto it = id_of_url.find(str(reference["reference"]));
    return it == id_of_url.end() ? std::string() : it->second;
  }
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  for (size_t at = 0; at <= text.size();) {
    size_t end = std::min(text.find(separator, at), text.size());
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

agency::AgencyConversion map_sample() { return hsds().convert_files(folder(project_sample(kSample)), "local"); }

}  // namespace

TEST_CASE("hsds: the sample directory maps to the Bundle checked in beside it and validates", "[agency][hsds]") {
  auto c = map_sample();
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  CHECK(c.file_errors.empty());
  REQUIRE(c.bundle);
  std::string expected = read_text(project_sample("agency/hsds/directory-2026-11.expected.json"));
  std::string difference = carebridge::testing::json_difference(expected, carebridge::fhir::json::write(*c.bundle->root()));
  INFO(difference);
  CHECK(difference.empty());
  size_t errors = 0;
  for (const auto& issue : validator().validate(*c.bundle->root())) {
    INFO(issue.expression << ": " << issue.message);
    CHECK(issue.severity != carebridge::fhir::model::Severity::Error);
    errors += issue.severity == carebridge::fhir::model::Severity::Error;
  }
  CHECK(errors == 0);
  CHECK(c.mapped.resources.at("Organization") == 3);
  CHECK(c.mapped.resources.at("Location") == 4);
  CHECK(c.mapped.resources.at("HealthcareService") == 6);
}

TEST_CASE("hsds: every service is there with its organization, locations, hours, phones and categories", "[agency][hsds]") {
  auto c = map_sample();
  REQUIRE(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  Directory directory(bundle);
  const auto& services = directory.by_type["HealthcareService"];

  // Expected from the sample's own tables, as HSDS links them.
  std::map<std::string, std::string> service_of_link;  // service_at_location id → service id
  std::map<std::string, std::set<std::string>> locations, telecoms, categories;
  std::map<std::string, std::set<std::string>> hours;  // service → "mon,wed|09:00:00|13:00:00"
  for (const auto& sal : rows_of("service_at_location.csv")) {
    service_of_link[sal.at("id")] = sal.at("service_id");
    locations[sal.at("service_id")].insert(sal.at("location_id"));
  }
  const std::map<std::string, std::string> kSystem = {{"", "phone"},  {"voice", "phone"}, {"cell", "phone"},
                                                      {"fax", "fax"}, {"pager", "pager"}, {"text", "sms"},
                                                      {"textphone", "sms"}, {"video", "other"}};
  for (const auto& phone : rows_of("phones.csv")) {
    std::string service = phone.at("service_id");
    if (service.empty() && !phone.at("service_at_location_id").empty()) service = service_of_link.at(phone.at("service_at_location_id"));
    if (!service.empty()) telecoms[service].insert(kSystem.at(phone.at("type")));
  }
  const std::map<std::string, std::string> kDay = {{"MO", "mon"}, {"TU", "tue"}, {"WE", "wed"}, {"TH", "thu"},
                                                   {"FR", "fri"}, {"SA", "sat"}, {"SU", "sun"}};
  // The sample writes its times as 09:00, 10:00:00, 6:00 PM, 8:30 AM: FHIR wants hh:mm:ss.
  const std::map<std::string, std::string> kTime = {{"09:00", "09:00:00"}, {"13:00", "13:00:00"}, {"10:00:00", "10:00:00"},
                                                    {"12:00:00", "12:00:00"}, {"6:00 PM", "18:00:00"}, {"7:00 AM", "07:00:00"},
                                                    {"08:30", "08:30:00"}, {"16:30", "16:30:00"}, {"8:30 AM", "08:30:00"},
                                                    {"5:00 PM", "17:00:00"}};
  for (const auto& schedule : rows_of("schedules.csv")) {
    std::string service = schedule.at("service_id");
    if (service.empty() && !schedule.at("service_at_location_id").empty()) service = service_of_link.at(schedule.at("service_at_location_id"));
    if (service.empty()) continue;
    std::string days;
    for (const auto& day : split(schedule.at("byday"), ',')) days += (days.empty() ? "" : ",") + kDay.at(day);
    hours[service].insert(days + "|" + kTime.at(schedule.at("opens_at")) + "|" + kTime.at(schedule.at("closes_at")));
  }
  std::map<std::string, std::string> term_code, term_taxonomy, taxonomy_uri;
  for (const auto& t : rows_of("taxonomies.csv")) taxonomy_uri[t.at("id")] = t.at("uri");
  for (const auto& t : rows_of("taxonomy_terms.csv")) {
    term_code[t.at("id")] = t.at("code");
    term_taxonomy[t.at("id")] = t.at("taxonomy_id");
  }
  for (const auto& a : rows_of("attributes.csv"))
    if (a.at("link_entity") == "service") {
      std::string uri = taxonomy_uri.at(term_taxonomy.at(a.at("taxonomy_term_id")));
      if (!uri.empty()) categories[a.at("link_id")].insert(uri + "|" + term_code.at(a.at("taxonomy_term_id")));
    }

  auto service_rows = rows_of("services.csv");
  CHECK(services.size() == service_rows.size());
  for (const auto& row : service_rows) {
    const std::string& id = row.at("id");
    INFO("service " << row.at("name"));
    REQUIRE(services.count(id));
    const auto& s = *services.at(id);
    CHECK(s["active"].GetBool() == (row.at("status") == "active"));
    REQUIRE(s.HasMember("providedBy"));
    CHECK(directory.target(s["providedBy"]) == row.at("organization_id"));
    std::set<std::string> got_locations, got_telecoms, got_hours, got_categories;
    for (const auto& l : s["location"].GetArray()) got_locations.insert(directory.target(l));
    CHECK(got_locations == locations[id]);
    if (s.HasMember("telecom"))
      for (const auto& t : s["telecom"].GetArray())
        if (str(t["system"]) != "email" && str(t["system"]) != "url") got_telecoms.insert(str(t["system"]));
    CHECK(got_telecoms == telecoms[id]);
    if (s.HasMember("availableTime"))
      for (const auto& t : s["availableTime"].GetArray()) {
        std::string days;
        for (const auto& d : t["daysOfWeek"].GetArray()) days += (days.empty() ? "" : ",") + str(d);
        got_hours.insert(days + "|" + str(t["availableStartTime"]) + "|" + str(t["availableEndTime"]));
      }
    CHECK(got_hours == hours[id]);
    REQUIRE(s.HasMember("category"));
    for (const auto& category : s["category"].GetArray())
      if (category.HasMember("coding"))
        for (const auto& coding : category["coding"].GetArray()) got_categories.insert(str(coding["system"]) + "|" + str(coding["code"]));
    CHECK(got_categories == categories[id]);
  }
  // A term whose taxonomy has no uri is text only.
  const auto& flu = *services.at(service_rows.back().at("id"));
  CHECK(str(flu["category"][0]["text"]) == "Flu shots");
  CHECK_FALSE(flu["category"][0].HasMember("coding"));
}

TEST_CASE("hsds: locations take their physical address and never a postal one beside it", "[agency][hsds]") {
  auto c = map_sample();
  auto bundle = bundle_of(c);
  Directory directory(bundle);
  const auto& locations = directory.by_type["Location"];
  REQUIRE(locations.size() == rows_of("locations.csv").size());
  for (const auto& a : rows_of("addresses.csv")) {
    INFO(a.at("address_1"));
    const auto& l = *locations.at(a.at("location_id"));
    CHECK(str(l["status"]) == "active");
    REQUIRE(l.HasMember("address"));
    bool taken = str(l["address"]["line"][0]) == a.at("address_1");
    CHECK(taken == (a.at("address_type") == "physical"));  // the shelter's PO Box is left out
    if (taken) {
      CHECK(str(l["address"]["type"]) == "physical");
      CHECK(str(l["address"]["postalCode"]) == a.at("postal_code"));
    }
  }
}

TEST_CASE("hsds: the official HSDS example tables map without breaking, and latitude 100 is not written", "[agency][hsds]") {
  auto dir = carebridge::testing::corpus("hsds/examples/csv");
  if (dir.empty()) {
    WARN("corpus not present: skipped");
    return;
  }
  auto c = hsds().convert_files(folder(dir), "local");
  CHECK(c.file_errors.empty());
  // Nothing is refused: the phone number the example wraps in literal quote characters
  // ("+44 1234 234567" inside the CSV field) is read without them, as no number holds a quote.
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  Directory directory(bundle);
  const auto& organization = *directory.by_type["Organization"].begin()->second;
  bool phone = false;
  for (const auto& t : organization["telecom"].GetArray()) phone = phone || str(t["value"]) == "+441234234567 ext. 100";
  CHECK(phone);
  CHECK(directory.by_type["HealthcareService"].size() == 1);
  REQUIRE(directory.by_type["Location"].size() == 1);
  const auto& location = *directory.by_type["Location"].begin()->second;
  CHECK_FALSE(location.HasMember("position"));
  // The location's organization_id points to no record: a conditional reference to the stored
  // one, and a warning that the gateway must hold it (at POST /ingest it is left out if not).
  CHECK(str(location["managingOrganization"]["reference"]).starts_with("Organization?identifier="));
  std::string warnings;
  for (const auto& w : c.mapped.warnings) warnings += w + "\n";
  INFO(warnings);
  CHECK(warnings.find("locations.csv row 2, column \"organization_id\": there is no Organization") != std::string::npos);
  const auto& service = *directory.by_type["HealthcareService"].begin()->second;
  CHECK(directory.target(service["providedBy"]) == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610");
  // Its one schedule was valid on 2005-01-01 only: not today's hours, so left out, with a warning.
  CHECK_FALSE(service.HasMember("availableTime"));
  CHECK(warnings.find("schedules.csv row 2, column \"valid_to\": these hours ended before today") != std::string::npos);
}

TEST_CASE("hsds: a monthly schedule (the second Tuesday) is written out in words, never as every Tuesday", "[agency][hsds]") {
  auto files = folder(project_sample(kSample));
  for (auto& [name, bytes] : files)
    if (name == "schedules.csv")
      bytes += "b1e6d0c2-9f4a-4c1e-8d2b-7a5e3c9f1d04,2097835c-3e11-4936-b700-10a488dbd064,,,2026-01-01,,,-6,,,MO,MONTHLY,1,2TU,,,,"
               "Senior box day,10:00,12:00,,in person,\r\n";
  auto c = hsds().convert_files(files, "local");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);  // the Directory points into it
  Directory d(bundle);
  const auto* pantry = d.by_type["HealthcareService"]["2097835c-3e11-4936-b700-10a488dbd064"];
  REQUIRE(pantry);
  // The weekly schedule's description stays, and the monthly one's is added after it.
  CHECK(str((*pantry)["availabilityExceptions"]) == "Closed on holiday weekends.; Senior box day; the second Tuesday of each month, 10:00:00 to 12:00:00");
  for (const auto& t : (*pantry)["availableTime"].GetArray())  // the weekly hours only: Monday, Wednesday, Friday
    for (const auto& day : t["daysOfWeek"].GetArray()) CHECK(str(day) != "tue");
}

TEST_CASE("hsds: only current hours become available times, DAILY is every day, spreadsheet times and extensions read",
          "[agency][hsds]") {
  auto c = hsds().convert_files(
      {{"services.csv", "id,name,status\r\nS1,Pantry,active\r\n"},
       {"schedules.csv",
        "id,service_id,freq,byday,opens_at,closes_at,description,valid_from,valid_to,until\r\n"
        "H1,S1,WEEKLY,MO,0900,1700,,,,\r\n"
        "H2,S1,WEEKLY,FR,0.375,0.708333333,,,,\r\n"
        "H3,S1,WEEKLY,TU,10:00,12:00,ended,,2021-06-30,\r\n"
        "H4,S1,WEEKLY,WE,10:00,12:00,stopped,,,2021-06-30\r\n"
        "H5,S1,WEEKLY,SA,10:00,12:00,future,2099-01-01,,\r\n"
        "H6,S1,DAILY,,06:00,07:00,,,,\r\n"},
       {"phones.csv", "id,service_id,number,extension,type\r\nP1,S1,4145550100,12.0,voice\r\n"},
       {"taxonomies.csv", "id,name,uri\r\nX1,Open Eligibility,https://openeligibility.org\r\n"},
       {"taxonomy_terms.csv", "id,code,name,taxonomy_id\r\nT1,veteran,Veterans,X1\r\nT2,1102,Food Pantry,X1\r\n"},
       {"attributes.csv",
        "id,link_id,taxonomy_term_id,link_type,link_entity,value\r\n"
        "A1,S1,T1,eligibility,service,veterans only\r\nA2,S1,T2,service_category,service,\r\n"}},
      "local");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  REQUIRE(c.mapped.rejected.empty());
  std::string warnings;
  for (const auto& w : c.mapped.warnings) warnings += w + "\n";
  INFO(warnings);
  CHECK(warnings.find("schedules.csv row 4, column \"valid_to\": these hours ended before today") != std::string::npos);
  CHECK(warnings.find("schedules.csv row 5, column \"until\": this schedule stopped repeating before today") != std::string::npos);
  CHECK(warnings.find("schedules.csv row 6, column \"valid_from\": these hours start after today") != std::string::npos);
  auto bundle = bundle_of(c);
  REQUIRE(bundle["entry"].Size() == 1);
  const auto& service = bundle["entry"][0]["resource"];
  const auto& hours = service["availableTime"];
  REQUIRE(hours.Size() == 3);  // Monday, Friday and every day; never the ended nor the future ones
  CHECK(str(hours[0]["daysOfWeek"][0]) == "mon");
  CHECK(str(hours[0]["availableStartTime"]) == "09:00:00");  // 0900
  CHECK(str(hours[0]["availableEndTime"]) == "17:00:00");
  CHECK(str(hours[1]["availableStartTime"]) == "09:00:00");  // Excel's 0.375 of a day
  CHECK(str(hours[1]["availableEndTime"]) == "17:00:00");
  CHECK(hours[2]["daysOfWeek"].Size() == 7);
  CHECK(str(service["telecom"][0]["value"]) == "+14145550100 ext. 12");
  // An eligibility term says who may use the service, not what it is.
  REQUIRE(service["category"].Size() == 1);
  CHECK(str(service["category"][0]["coding"][0]["code"]) == "1102");
  bool veterans = false;
  for (const auto& e : service["eligibility"].GetArray())
    veterans = veterans || (e.HasMember("code") && str(e["code"]["coding"][0]["code"]) == "veteran" && str(e["comment"]) == "veterans only");
  CHECK(veterans);
}

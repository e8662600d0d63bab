// The hsds spec on a directory export written from the Open Referral HSDS 3.0 schemas, not
// from our samples (tests/data/hsds-independent/metro-directory): optional columns left out
// and the others in another order, a contacts table the spec does not read, services of
// every status, physical, postal and virtual locations, phones as directories write them
// (extensions in the number, 211 and 911, toll-free, a text line, a pager without its area
// code, London numbers), weekly hours with offsets, monthly and every-other-week schedules,
// taxonomies with and without a uri. What a user would notice: every organization, location
// and service is there, no phone row is refused, hours and categories are right, and the
// Bundle validates.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>

#include "agency_test_support.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::bundle_of;
using carebridge::testing::fixture;

namespace {

const agency::AgencyConverter& hsds() { return carebridge::testing::shipped_converter("hsds"); }

agency::AgencyConversion map_directory() {
  return hsds().convert_files(carebridge::testing::folder_files(fixture("hsds-independent/metro-directory")), "metro211");
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : ""; }

// The Bundle's resources of each type by name, and each fullUrl's resource name.
// It keeps the Bundle: its maps point into it.
struct Directory {
  rapidjson::Document bundle;
  std::map<std::string, std::map<std::string, const rapidjson::Value*>> by_name;
  std::map<std::string, std::string> name_of_url;

  explicit Directory(rapidjson::Document read) : bundle(std::move(read)) {
    for (const auto& e : bundle["entry"].GetArray()) {
      const auto& r = e["resource"];
      by_name[str(r["resourceType"])][str(r["name"])] = &r;
      name_of_url[str(e["fullUrl"])] = str(r["name"]);
    }
  }
  const rapidjson::Value& get(const std::string& type, const std::string& name) const {
    auto of_type = by_name.find(type);
    REQUIRE(of_type != by_name.end());
    auto it = of_type->second.find(name);
    INFO(type << " " << name);
    REQUIRE(it != of_type->second.end());
    return *it->second;
  }
  std::string target(const rapidjson::Value& reference) const {
    auto it = name_of_url.find(str(reference["reference"]));
    return it == name_of_url.end() ? str(reference["reference"]) : it->second;
  }
};

// "system value" of each telecom of a resource.
std::set<std::string> telecoms(const rapidjson::Value& r) {
  std::set<std::string> out;
  if (r.HasMember("telecom"))
    for (const auto& t : r["telecom"].GetArray()) out.insert(str(t["system"]) + " " + str(t["value"]));
  return out;
}

// "mon,wed|09:00:00|17:00:00" for each item of a list of weekly hours.
std::set<std::string> hours(const rapidjson::Value& r, const char* list, const char* opens, const char* closes) {
  std::set<std::string> out;
  if (!r.HasMember(list)) return out;
  for (const auto& t : r[list].GetArray()) {
    std::string days;
    if (t.HasMember("daysOfWeek"))
      for (const auto& d : t["daysOfWeek"].GetArray()) days += (days.empty() ? "" : ",") + str(d);
    out.insert(days + "|" + (t.HasMember(opens) ? str(t[opens]) : "") + "|" + (t.HasMember(closes) ? str(t[closes]) : ""));
  }
  return out;
}

// "system|code" of each coded category, and "text" of each text-only one.
std::set<std::string> categories(const rapidjson::Value& service) {
  std::set<std::string> out;
  if (!service.HasMember("category")) return out;
  for (const auto& c : service["category"].GetArray())
    if (c.HasMember("coding")) out.insert(str(c["coding"][0]["system"]) + "|" + str(c["coding"][0]["code"]));
    else out.insert(str(c["text"]));
  return out;
}

}  // namespace

TEST_CASE("hsds independent: every organization, location and service is there, nothing refused, valid", "[agency][hsds]") {
  auto c = map_directory();
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  CHECK(c.file_errors.empty());
  REQUIRE(c.bundle);
  CHECK(c.mapped.resources.at("Organization") == 6);
  CHECK(c.mapped.resources.at("Location") == 6);
  CHECK(c.mapped.resources.at("HealthcareService") == 9);
  size_t errors = 0;
  for (const auto& issue : carebridge::testing::agency_validator().validate(*c.bundle->root())) {
    INFO(issue.expression << ": " << issue.message);
    errors += issue.severity == carebridge::fhir::model::Severity::Error;
  }
  CHECK(errors == 0);
  // The contacts table is not read, and says so; so is the pager number without its area code.
  bool contacts = false, pager = false;
  for (const auto& w : c.mapped.warnings) {
    contacts = contacts || w.find("contacts.csv") != std::string::npos;
    pager = pager || (w.starts_with("phones.csv row 10") && w.find("555-0188") != std::string::npos);
  }
  CHECK(contacts);
  CHECK(pager);
}

TEST_CASE("hsds independent: services say whether they are active, who provides them and where", "[agency][hsds]") {
  auto c = map_directory();
  Directory d(bundle_of(c));
  const std::map<std::string, bool> kActive = {
      {"Weekly Grocery Distribution", true}, {"Mobile Pantry", true},      {"Emergency Family Shelter", true},
      {"Holiday Meal Boxes", false},         {"Clothing Closet", false},   {"Tenant Rights Clinic", false},
      {"24/7 Crisis Helpline", true},        {"Text-to-Help", true},       {"English Classes for New Arrivals", true}};
  for (const auto& [name, active] : kActive) {
    const auto& s = d.get("HealthcareService", name);
    INFO(name);
    CHECK(s["active"].GetBool() == active);
  }
  const auto& mobile = d.get("HealthcareService", "Mobile Pantry");
  CHECK(d.target(mobile["providedBy"]) == "Riverside Mobile Market");
  std::set<std::string> places;
  for (const auto& l : mobile["location"].GetArray()) places.insert(d.target(l));
  CHECK(places == std::set<std::string>{"Riverside Warehouse Pantry", "St. Brendan Parish Hall"});
  // The mobile market is part of the food network, both in the export.
  const auto& market = d.get("Organization", "Riverside Mobile Market");
  CHECK(d.target(market["partOf"]) == "Riverside Community Food Network");
  const auto& helpline = d.get("HealthcareService", "24/7 Crisis Helpline");
  CHECK(d.target(helpline["location"][0]) == "Crisis Line Online Chat");
}

TEST_CASE("hsds independent: every phone is kept, international ones, extensions and 211 included", "[agency][hsds]") {
  auto c = map_directory();
  Directory d(bundle_of(c));
  auto has = [](const rapidjson::Value& r, const std::string& telecom) {
    INFO(telecom);
    CHECK(telecoms(r).count(telecom) == 1);
  };
  has(d.get("Organization", "Riverside Community Food Network"), "phone +16175550142 ext. 12");
  has(d.get("HealthcareService", "Weekly Grocery Distribution"), "phone +16175550142 ext. 3");
  has(d.get("HealthcareService", "Weekly Grocery Distribution"), "other +16175550160");
  has(d.get("Location", "Riverside Warehouse Pantry"), "fax +16175550199");
  has(d.get("HealthcareService", "Emergency Family Shelter"), "phone +18005550199");
  has(d.get("HealthcareService", "Emergency Family Shelter"), "phone 911");
  has(d.get("Location", "Harbor Light House"), "sms +16175550111");
  has(d.get("Organization", "Harbor Light Family Shelter"), "phone +16175550100 ext. 200");
  has(d.get("HealthcareService", "Tenant Rights Clinic"), "pager 555-0188");
  has(d.get("HealthcareService", "Mobile Pantry"), "phone +16175550175");  // by its service_at_location
  has(d.get("HealthcareService", "24/7 Crisis Helpline"), "phone 211");
  has(d.get("HealthcareService", "24/7 Crisis Helpline"), "phone +18885550123");
  has(d.get("HealthcareService", "Text-to-Help"), "sms 898211");
  has(d.get("Organization", "Refugee Welcome Partnership"), "phone +442079460958");
  has(d.get("Organization", "Refugee Welcome Partnership"), "fax +442079460959");
  has(d.get("HealthcareService", "English Classes for New Arrivals"), "phone +16175550177");
}

TEST_CASE("hsds independent: weekly hours as FHIR hours, monthly and every-other-week ones in words, each kept", "[agency][hsds]") {
  auto c = map_directory();
  Directory d(bundle_of(c));
  const auto& grocery = d.get("HealthcareService", "Weekly Grocery Distribution");
  CHECK(hours(grocery, "availableTime", "availableStartTime", "availableEndTime") ==
        std::set<std::string>{"mon,wed,fri|09:00:00|17:00:00", "sat|10:00:00|13:00:00"});
  CHECK(str(grocery["availabilityExceptions"]) == "Saturday distribution");
  // Times written with their offset (08:00-05:00) are the location's local times.
  CHECK(hours(d.get("Location", "Riverside Warehouse Pantry"), "hoursOfOperation", "openingTime", "closingTime") ==
        std::set<std::string>{"mon,tue,wed,thu,fri|08:00:00|16:30:00"});
  CHECK(hours(d.get("HealthcareService", "Emergency Family Shelter"), "availableTime", "availableStartTime", "availableEndTime") ==
        std::set<std::string>{"mon,tue,wed,thu,fri|19:00:00|07:00:00"});
  CHECK(hours(d.get("HealthcareService", "24/7 Crisis Helpline"), "availableTime", "availableStartTime", "availableEndTime") ==
        std::set<std::string>{"mon,tue,wed,thu,fri,sat,sun|00:00:00|23:59:00"});
  // Two monthly schedules of one service: neither is every Tuesday or Friday, and both are told.
  const auto& mobile = d.get("HealthcareService", "Mobile Pantry");
  CHECK_FALSE(mobile.HasMember("availableTime"));
  std::string words = str(mobile["availabilityExceptions"]);
  CHECK(words.find("Second Tuesday of each month; the second Tuesday of each month, 10:00:00 to 14:00:00") != std::string::npos);
  CHECK(words.find("Last Friday at St. Brendan; the last Friday of each month, 15:00:00 to 18:00:00") != std::string::npos);
  CHECK(str(d.get("HealthcareService", "Tenant Rights Clinic")["availabilityExceptions"]) ==
        "Evening clinic; the 1st and the 15th of each month, 18:00:00 to 20:00:00");
  // Every other Thursday is not every Thursday.
  const auto& classes = d.get("HealthcareService", "English Classes for New Arrivals");
  CHECK_FALSE(classes.HasMember("availableTime"));
  CHECK(str(classes["availabilityExceptions"]) == "Every other Thursday; every 2 weeks on Thursday, 18:00:00 to 19:30:00");
}

TEST_CASE("hsds independent: categories from taxonomy terms, coded when the taxonomy has a uri", "[agency][hsds]") {
  auto c = map_directory();
  Directory d(bundle_of(c));
  CHECK(categories(d.get("HealthcareService", "Weekly Grocery Distribution")) ==
        std::set<std::string>{"https://211taxonomy.org|BD-1800.2000", "https://openeligibility.org|1102", "Walk-ins welcome"});
  CHECK(categories(d.get("HealthcareService", "Emergency Family Shelter")) ==
        std::set<std::string>{"https://211taxonomy.org|BH-1800.8500", "https://openeligibility.org|1160"});
  CHECK(categories(d.get("HealthcareService", "English Classes for New Arrivals")) == std::set<std::string>{"ESL"});
  // Terms an attribute gives a location or an organization are not a service's category.
  CHECK_FALSE(d.get("HealthcareService", "Holiday Meal Boxes").HasMember("category"));
}

TEST_CASE("hsds independent: locations take their physical address, a postal one only alone, and their position", "[agency][hsds]") {
  auto c = map_directory();
  Directory d(bundle_of(c));
  const auto& shelter = d.get("Location", "Harbor Light House");
  CHECK(str(shelter["address"]["line"][0]) == "77 Harbor View Road");
  CHECK(str(shelter["address"]["line"][1]) == "Rear entrance");
  CHECK_FALSE(shelter.HasMember("position"));
  const auto& mailing = d.get("Location", "Eastside Legal Aid mailing address");
  CHECK(str(mailing["address"]["type"]) == "postal");
  CHECK(str(mailing["address"]["line"][0]) == "PO Box 912");
  const auto& warehouse = d.get("Location", "Riverside Warehouse Pantry");
  CHECK(str(warehouse["address"]["postalCode"]) == "02139-1234");
  CHECK(warehouse["position"]["latitude"].GetDouble() == Approx(42.3736));
  CHECK(warehouse["position"]["longitude"].GetDouble() == Approx(-71.1097));
  const auto& online = d.get("Location", "Crisis Line Online Chat");
  CHECK_FALSE(online.HasMember("address"));
  CHECK(telecoms(online).count("url https://crisisline.example.org/chat") == 1);
}

TEST_CASE("hsds independent: a data package as HSDS 3.0 publishes it (service_at_locations.csv, datapackage.json)",
          "[agency][hsds]") {
  auto files = carebridge::testing::folder_files(fixture("hsds-independent/metro-directory"));
  for (auto& [name, text] : files)
    if (name == "service_at_location.csv") name = "service_at_locations.csv";
  files.emplace_back("datapackage.json", R"({"name": "metro-directory", "profile": "tabular-data-package",
    "resources": [{"name": "organizations", "path": "organizations.csv"}]})");
  auto c = hsds().convert_files(files, "metro211");
  CHECK(c.file_errors.empty());
  CHECK(c.mapped.rejected.empty());
  REQUIRE(c.bundle);
  CHECK(std::find(c.mapped.warnings.begin(), c.mapped.warnings.end(),
                  "datapackage.json: the mapping \"hsds\" reads no such file") != c.mapped.warnings.end());
  // Every service still has its locations (from the table under its 3.0 name).
  Directory directory(bundle_of(c));
  size_t located = 0;
  for (const auto& [name, service] : directory.by_name["HealthcareService"]) located += service->HasMember("location");
  auto reference = map_directory();
  Directory expected(bundle_of(reference));
  size_t expected_located = 0;
  for (const auto& [name, service] : expected.by_name["HealthcareService"]) expected_located += service->HasMember("location");
  CHECK(expected_located > 0);
  CHECK(located == expected_located);
}

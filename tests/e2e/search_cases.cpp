// The shared search fixtures and their searches (see search_cases.h).
#include "search_cases.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "fhir_client.h"
#include "support/test_support.h"

namespace carebridge::testing {
namespace fs = std::filesystem;
namespace {

std::string observation(const std::string& patient, const std::string& code, const std::string& value,
                        const std::string& when) {
  return R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":")" +
         code + R"("}]},"subject":{"reference":"Patient/)" + patient + R"("},"effectiveDateTime":")" + when +
         R"(","valueQuantity":{"value":)" + value + R"(,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}})";
}

std::string blood_pressure(const std::string& patient, int systolic, int diastolic) {
  auto component = [](const char* code, int value) {
    return std::string(R"({"code":{"coding":[{"system":"http://loinc.org","code":")") + code +
           R"("}]},"valueQuantity":{"value":)" + std::to_string(value) +
           R"(,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}})";
  };
  return R"({"resourceType":"Observation","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],)"
         R"("code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"Blood pressure panel"},)"
         R"("subject":{"reference":")" + patient + R"("},"effectiveDateTime":"2024-03-01T09:00:00Z","component":[)" +
         component("8480-6", systolic) + "," + component("8462-4", diastolic) + "]}";
}

std::string weight(const std::string& subject, double kg) {
  return R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},)"
         R"("subject":{"reference":")" + subject + R"("},"valueQuantity":{"value":)" + std::to_string(kg) +
         R"(,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}})";
}

std::string smoking(const std::string& patient, const char* snomed) {
  return R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"72166-2"}]},)"
         R"("subject":{"reference":")" + patient + R"("},"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":")" +
         snomed + R"("}]}})";
}

}  // namespace

Send http_send(gateway::http::Client& client) {
  return [&client](const std::string& method, const std::string& path, const std::string& body) {
    std::string target = "/fhir/" + path;
    auto r = method == "GET"   ? client.get(target)
             : method == "PUT" ? client.put(target, body, json_headers())
                               : client.post(target, body, json_headers());
    return Reply{r.status, r.body};
  };
}

std::string create_resource(const Send& send, const std::string& type, const std::string& json) {
  auto r = send("POST", type, json);
  INFO(type << " -> " << r.body.substr(0, 400));
  REQUIRE(r.status == 201);
  return str(parse_json(r.body), "id");
}

std::vector<SearchCase> parameter_searches(const Send& send) {
  const std::string v2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
  std::string smith = create_resource(send, "Patient", patient_json("Smith", "Anna", R"("identifier":[{"system":"urn:mrn","value":"1",)"
                                                                                     R"("type":{"coding":[{"system":")" + v2_0203 + R"(","code":"MR"}]}}],)"));
  std::string smithers = create_resource(send, "Patient", R"({"resourceType":"Patient","name":[{"family":"Smithers","given":["Bo"]}],)"
                                                          R"("gender":"male","birthDate":"1990-11-02","identifier":[{"system":"urn:mrn","value":"2"},)"
                                                          R"({"system":"http://hl7.org/fhir/sid/us-ssn","value":"999-12-3456","type":{"coding":[{"system":")" +
                                                          v2_0203 + R"(","code":"SS"}]}}]})");
  std::string jones = create_resource(send, "Patient", R"({"resourceType":"Patient","name":[{"family":"Jönes"}],"gender":"other"})");
  create_resource(send, "Observation", observation(smith, "2345-7", "5.4", "2024-01-15T10:00:00Z"));
  create_resource(send, "Observation", observation(smith, "2345-7", "7.1", "2024-02-20T10:00:00Z"));
  create_resource(send, "Observation", observation(smithers, "718-7", "13", "2023-12-31"));
  create_resource(send, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"by identifier"},)"
                                       R"("subject":{"identifier":{"system":"urn:mrn","value":"9"}}})");
  create_resource(send, "Encounter", R"({"resourceType":"Encounter","meta":{"tag":[{"system":"urn:test","code":"visit"}]},)"
                                     R"("status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"}})");
  for (const char* currency : {"USD", "EUR"}) {
    create_resource(send, "Invoice", R"({"resourceType":"Invoice","status":"issued","totalNet":{"value":100.5,"currency":")" +
                                         std::string(currency) + R"("}})");
  }
  create_resource(send, "ActivityDefinition", R"({"resourceType":"ActivityDefinition","status":"draft","useContext":[{"code":)"
                                              R"({"system":"http://terminology.hl7.org/CodeSystem/usage-context-type","code":"age"},)"
                                              R"("valueRange":{"low":{"value":18,"unit":"a","system":"http://unitsofmeasure.org","code":"a"},)"
                                              R"("high":{"value":65,"unit":"a","system":"http://unitsofmeasure.org","code":"a"}}}]})");
  for (const char* probability : {"0.1", "0.15"}) {
    create_resource(send, "RiskAssessment", R"({"resourceType":"RiskAssessment","status":"final","subject":{"reference":"Patient/)" +
                                                smith + R"("},"prediction":[{"probabilityDecimal":)" + probability + "}]}");
  }
  create_resource(send, "Subscription", R"({"resourceType":"Subscription","status":"requested","reason":"labs","criteria":"Observation?code=2345-7",)"
                                        R"("channel":{"type":"rest-hook","endpoint":"https://clinic.example/hook"}})");
  // Three pantries: Central Square, Cambridge; Boston Common, 3.4 km away; Worcester, 58 km away;
  // two stations either side of the antimeridian, 10 km apart; and a place with no position.
  create_resource(send, "Location", R"({"resourceType":"Location","name":"Mobile pantry, no fixed place"})");
  for (const char* at : {"42.3656,-71.1040", "42.3550,-71.0656", "42.2626,-71.8023", "0,179.955", "0,-179.955"}) {
    std::string latitude(at, std::string_view(at).find(',')), longitude(std::string_view(at).substr(latitude.size() + 1));
    create_resource(send, "Location", R"({"resourceType":"Location","name":"Pantry","position":{"latitude":)" + latitude +
                                          R"(,"longitude":)" + longitude + "}}");
  }
  return {
      // special: near=latitude|longitude|distance|units (km by default)
      {"Location?near=42.3656|-71.1040|1|km", 1}, {"Location?near=42.3656|-71.1040|5|km", 2},
      {"Location?near=42.3656|-71.1040|3|mi", 2}, {"Location?near=42.3656|-71.1040|100", 3},
      {"Location?near=42.3656|-71.1040|500|m", 1}, {"Location?near=40.7128|-74.0060|50|km", 0},
      {"Location?near=42.3656|-71.1040", 2},                        // no distance: 10 km
      {"Location?near=0|179.955|20|km", 2}, {"Location?near=0|-179.955|5|km", 1},  // across the antimeridian
      {"Location?near=42.3656|-71.1040|20000|km", 5},               // the world: never the place with no position
      // string: starts-with (case and accent insensitive), :exact, :contains
      {"Patient?name=smith", 2}, {"Patient?family=SMITH", 2}, {"Patient?name:exact=Smith", 1},
      {"Patient?name:contains=ithe", 1}, {"Patient?name=jones", 1}, {"Patient?name=smith,jones", 3},
      // phonetic indexes what name does (Patient.name): it reads name's rows
      {"Patient?phonetic=smith", 2}, {"Patient?phonetic=smithers&_sort=-phonetic", 1},
      // token: code, system|code, |code, :not, :text
      {"Patient?gender=female", 1}, {"Patient?gender:not=female", 2}, {"Patient?identifier=urn:mrn|2", 1},
      {"Patient?identifier=urn:other|2", 0}, {"Observation?code=http://loinc.org|2345-7", 2},
      {"Observation?code:text=by%20ident", 1}, {"Observation?code=718-7", 1},
      // token :of-type (identifier type|value), :in and :not-in a value set, :below and :above
      // in a code system's hierarchy (AMB is under _ActEncounterCode in v3-ActCode)
      {"Patient?identifier:of-type=" + v2_0203 + "|MR|1", 1}, {"Patient?identifier:of-type=" + v2_0203 + "|MR|2", 0},
      {"Patient?identifier:of-type=" + v2_0203 + "|SS|999-12-3456", 1}, {"Patient?identifier:of-type=urn:other|SS|999-12-3456", 0},
      {"Patient?gender:in=http://hl7.org/fhir/ValueSet/administrative-gender", 3},
      {"Patient?gender:not-in=http://hl7.org/fhir/ValueSet/administrative-gender", 0},
      {"Encounter?class:below=http://terminology.hl7.org/CodeSystem/v3-ActCode|_ActEncounterCode", 1},
      {"Encounter?class:above=http://terminology.hl7.org/CodeSystem/v3-ActCode|AMB", 1},
      {"Encounter?class:below=http://terminology.hl7.org/CodeSystem/v3-ActCode|IMP", 0},
      // reference: Type/id, id with :Type, chains (typed, untyped: any target type that
      // has the parameter)
      {"Observation?subject=Patient/" + smith, 2}, {"Observation?subject:Patient=" + smithers, 1},
      {"Observation?patient=" + smith, 2}, {"Observation?subject:Patient.name=smithers", 1},
      {"Observation?subject:Patient.identifier=urn:mrn|1", 2}, {"Observation?subject:identifier=urn:mrn|9", 1},
      {"Observation?subject:identifier=urn:mrn|1", 0}, {"Observation?subject.name=smithers", 1},
      {"Observation?subject.identifier=urn:mrn|1", 2}, {"Observation?subject.family=jones", 0},
      // date: precision ranges and prefixes
      {"Patient?birthdate=1980", 1}, {"Patient?birthdate=1980-05-17", 1}, {"Patient?birthdate=ge1985", 1},
      {"Patient?birthdate=lt1985-01-01", 1}, {"Observation?date=2024-01", 1}, {"Observation?date=gt2024-01-31", 1},
      {"Observation?date=sa2023-12-31", 2}, {"Observation?date=eb2024-01-01", 1}, {"Observation?date=ne2024-01-15", 2},
      // ap: within 10% (of the time from now, for a date)
      {"Patient?birthdate=ap1980-05-20", 1}, {"Patient?birthdate=ap1960", 0},
      {"Observation?value-quantity=ap5", 1}, {"Observation?value-quantity=ap6.5", 1},
      // quantity: value, prefix, system and code
      {"Observation?value-quantity=5.4", 1}, {"Observation?value-quantity=gt6|http://unitsofmeasure.org|mg/dL", 2},
      {"Observation?value-quantity=le7.1||mg/dL", 2}, {"Observation?value-quantity=lt100|http://unitsofmeasure.org|kg", 0},
      // UCUM canonical: the same amounts in other units of the dimension (60 mg/L is 6 mg/dL)
      {"Observation?value-quantity=gt60|http://unitsofmeasure.org|mg/L", 2},
      {"Observation?value-quantity=0.054|http://unitsofmeasure.org|g/L", 1}, {"Observation?value-quantity=54||mg/L", 0},
      // number: the implicit range leaves its top out (0.1 is [0.05, 0.15)), and an exponent
      // keeps the mantissa's significant figures (1e-1 is 0.1 to one figure, 2e-1 [0.15, 0.25))
      {"RiskAssessment?probability=0.1", 1}, {"RiskAssessment?probability=0.15", 1}, {"RiskAssessment?probability=1e-1", 1},
      {"RiskAssessment?probability=2e-1", 1}, {"RiskAssessment?probability=0", 2}, {"RiskAssessment?probability=ne0.1", 1},
      {"RiskAssessment?probability=1.5e-1", 1}, {"RiskAssessment?probability=gt0.1", 1},
      // quantity over Money: the currency is the unit, in ISO 4217's system
      {"Invoice?totalnet=100.5", 2}, {"Invoice?totalnet=gt100|urn:iso:std:iso:4217|USD", 1}, {"Invoice?totalnet=le100.5||EUR", 1},
      {"Invoice?totalnet=100.5|http://unitsofmeasure.org|USD", 0},
      // quantity over a Range (ages 18 to 65): compared as a Period is for dates
      {"ActivityDefinition?context-quantity=gt60", 1}, {"ActivityDefinition?context-quantity=lt10", 0},
      {"ActivityDefinition?context-quantity=ge18|http://unitsofmeasure.org|a", 1}, {"ActivityDefinition?context-quantity=30", 0},
      {"ActivityDefinition?context-quantity=eb70", 1}, {"ActivityDefinition?context-quantity=sa10", 1},
      {"ActivityDefinition?context-quantity=ge18||kg", 0}, {"ActivityDefinition?context-quantity:missing=false", 1},
      // uri
      {"Subscription?url=https://clinic.example/hook", 1}, {"Subscription?url:below=https://clinic.example", 1},
      {"Subscription?url:above=https://clinic.example/hook/v2", 1}, {"Subscription?url:above=https://clinic.example", 0},
      // :missing, _id, _lastUpdated
      {"Patient?birthdate:missing=true", 1}, {"Patient?birthdate:missing=false", 2},
      {"Patient?_id=" + smith + "," + jones, 2}, {"Patient?_lastUpdated=gt2000-01-01", 3},
      {"Patient?_lastUpdated=lt2000-01-01", 0},
      // system search, and _type narrowing it to one type (whose parameters may follow) or several
      {"?_id=" + smith, 1}, {"?_type=Patient", 3}, {"?_type=Patient&family=smith", 2},
      {"?_type=Patient,Encounter", 4}, {"?_type=Patient,Encounter&_id=" + smith, 1},
      // and the parameters every resource has (_tag, _profile, _security, _source)
      {"?_tag=urn:test|visit", 1}, {"?_type=Patient,Encounter&_tag=urn:test|visit", 1}, {"?_type=Patient&_tag=visit", 0},
      {"?_tag:not=urn:test|visit&_type=Encounter,Subscription", 1},
      // _has: Patients an Observation with a code refers to, one and two levels, and :not
      {"Patient?_has:Observation:subject:code=2345-7", 1}, {"Patient?_has:Observation:patient:code=718-7&gender=male", 1},
      {"Patient?_has:Observation:subject:code=718-7,2345-7", 2}, {"Patient?_has:Observation:subject:code=0000-0", 0},
      {"Patient?_has:Observation:subject:value-quantity=gt10", 1},
  };
}

std::vector<SearchCase> result_searches(const Send& send) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(create_resource(send, "Patient", R"({"resourceType":"Patient","name":[{"family":"Page)" + std::to_string(i) +
                                                       R"("}],"birthDate":"200)" + std::to_string(i) + R"(-01-01"})"));
  }
  create_resource(send, "Observation", observation(ids[0], "2345-7", "5", "2024-01-01"));
  std::string doctor = create_resource(send, "Practitioner", R"({"resourceType":"Practitioner","name":[{"family":"Osei"}]})");
  std::string cared = create_resource(send, "Patient", R"({"resourceType":"Patient","name":[{"family":"Cared"}],)"
                                                       R"("generalPractitioner":[{"reference":"Practitioner/)" + doctor + R"("}]})");
  create_resource(send, "Observation", observation(cared, "718-7", "12", "2024-03-01"));
  return {{"Observation?_include=Observation:subject"},
          {"Patient?_id=" + ids[0] + "&_revinclude=Observation:subject"},
          {"Patient?_count=2&_sort=birthdate"},
          {"Patient?_sort=-birthdate&_count=1"},
          {"Patient?_summary=count"},
          {"Patient?_id=" + ids[1] + "&_elements=birthDate"},
          {"Patient?family=page3"},
          {"Patient?nonsense=1"},
          {"Patient?family=page2"},
          {"Observation?code=718-7&_include=Observation:subject&_include=Patient:general-practitioner"},
          {"Observation?code=718-7&_include=Observation:subject&_include:iterate=Patient:general-practitioner"},
          {"Practitioner?_id=" + doctor + "&_revinclude=Patient:general-practitioner&_revinclude:iterate=Observation:subject"},
          // chains through two references, typed and untyped at each level
          {"Observation?subject:Patient.general-practitioner:Practitioner.name=osei"},
          {"Observation?subject.general-practitioner.family=osei"},
          {"Observation?patient.general-practitioner.name=nobody"},
          {"Observation?subject.nonsense=1"}};
}

std::vector<SearchCase> composite_searches(const Send& send) {
  REQUIRE(send("PUT", "Patient/a", patient_json("Adeyemi", "Tola", R"("id":"a",)")).status == 201);
  REQUIRE(send("PUT", "Group/g", R"({"resourceType":"Group","id":"g","type":"person","actual":true})").status == 201);
  create_resource(send, "Observation", blood_pressure("Patient/a", 152, 96));
  create_resource(send, "Observation", blood_pressure("Patient/a", 118, 142));  // odd, on purpose
  create_resource(send, "Observation", weight("Patient/a", 81.5));
  create_resource(send, "Observation", weight("Group/g", 70));
  create_resource(send, "Observation", smoking("Patient/a", "266919005"));
  std::vector<SearchCase> cases = {
      // The systolic component above 140: one panel, not the one whose diastolic is.
      {"component-code-value-quantity=http://loinc.org|8480-6$gt140", 1},
      {"component-code-value-quantity=8480-6$gt100", 2},
      {"component-code-value-quantity=8462-4$gt140", 1},
      {"component-code-value-quantity=8480-6$gt100|http://unitsofmeasure.org|mm[Hg]", 2},
      {"component-code-value-quantity=8480-6$gt100||kg", 0},
      {"code-value-quantity=http://loinc.org|29463-7$ge80", 1},
      {"code-value-quantity=29463-7$lt100|http://unitsofmeasure.org|kg", 2},
      {"code-value-quantity=8480-6$gt100", 0},  // a component's code, not the observation's
      {"combo-code-value-quantity=8480-6$gt100", 2},
      {"combo-code-value-quantity=29463-7$gt60", 2},
      {"code-value-concept=http://loinc.org|72166-2$http://snomed.info/sct|266919005", 1},
      {"code-value-concept=72166-2$266919005", 1},
      {"code-value-concept=72166-2$http://snomed.info/sct|77176002", 0},
      {"code-value-concept=http://example.org|72166-2$266919005", 0},
      {"code-value-quantity=29463-7$gt100,8480-6$gt100,29463-7$lt75", 1},  // any of the values
      // Shared rows: patient is subject of type Patient, also for a bare id; combo-code
      // is code or component-code.
      {"subject=g", 1}, {"patient=g", 0}, {"patient=a", 4}, {"patient=Patient/a", 4}, {"patient=Group/g", 0},
      {"combo-code=8480-6", 2}, {"combo-code=29463-7", 2}, {"code=8480-6", 0},
      {"code=29463-7&_include=Observation:patient"}};
  for (auto& c : cases) c.query = "Observation?" + c.query;
  cases.push_back({"Patient?_id=a&_revinclude=Observation:patient"});
  return cases;
}

std::vector<SearchCase> token_text_searches(const Send& send) {
  create_resource(send, "Condition",
                  R"({"resourceType":"Condition","subject":{"reference":"Patient/p"},"code":{"coding":[)"
                  R"({"system":"http://snomed.info/sct","code":"38341003","display":"Hypertensive disorder"},)"
                  R"({"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"I10","display":"Essential hypertension"}],)"
                  R"("text":"High blood pressure"}})");
  create_resource(send, "Condition", R"({"resourceType":"Condition","subject":{"reference":"Patient/p"},"code":{"text":"Housing insecurity"}})");
  return {{"Condition?code:text=hypertensive", 1}, {"Condition?code:text=essential", 1},
          {"Condition?code:text=high%20blood", 1}, {"Condition?code:text=housing", 1},
          {"Condition?code:text=blood", 0},  // starts-with, as for the display
          {"Condition?code=I10", 1}};
}

std::vector<SearchCase> international_name_searches(const Send& send) {
  auto person = [&](const std::string& family, const std::string& given) {
    create_resource(send, "Patient", R"({"resourceType":"Patient","name":[{"family":")" + family + R"(","given":[)" + given + "]}]}");
  };
  person("Šťastný", R"("Łukasz")");
  person("Nguyễn", R"("Thị","Đức")");
  person(R"(Gonc\u0327alves)", R"("José")");  // decomposed (NFD): c and a combining cedilla
  person("Иванов", R"("Ольга")");
  person("Wǎng", R"("秀英")");
  person("王", R"("伟")");
  person("Παπαδόπουλος", R"("Οδυσσέας")");
  person("Алёшин", R"("Андрей")");
  return {{"Patient?family=stastny", 1}, {"Patient?family=%C5%A0%C5%A4ASTN%C3%9D", 1}, {"Patient?given=lukasz", 1},
          {"Patient?family=nguyen", 1}, {"Patient?family=Nguy%C3%AAn", 1}, {"Patient?given=duc", 1}, {"Patient?given=thi", 1},
          {"Patient?family=goncalves", 1}, {"Patient?family=Gon%C3%A7alves", 1}, {"Patient?family=Gonc%CC%A7alves", 1},
          {"Patient?given=jose", 1}, {"Patient?family=%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2", 1},
          {"Patient?name=%D0%98%D0%92%D0%90%D0%9D", 1}, {"Patient?family=wang", 1}, {"Patient?name=%E7%8E%8B", 1},
          {"Patient?name:exact=%C5%A0%C5%A5astn%C3%BD", 1}, {"Patient?name:exact=Stastny", 0},
          {"Patient?name:contains=ASTN", 1}, {"Patient?name:contains=%C3%A7al", 1},
          // Greek without tonos and in capitals (final sigma as sigma), Cyrillic ё typed as е
          {"Patient?family=%CE%A0%CE%91%CE%A0%CE%91%CE%94%CE%9F%CE%A0%CE%9F%CE%A5%CE%9B%CE%9F%CE%A3", 1},
          {"Patient?given=%CE%BF%CE%B4%CF%85%CF%83%CF%83%CE%B5%CE%B1%CF%82", 1},
          {"Patient?family=%D0%90%D0%BB%D0%B5%D1%88", 1},
          {"Patient?name=%CC%81", 0}, {"Patient?name:contains=%CC%A7", 0}};  // a lone accent finds nothing, not everyone
}

bool is_shared_synthea_bundle(const fs::path& file) {
  std::string name = file.filename().string();
  return name.starts_with("hospitalInformation") || name.starts_with("practitionerInformation");
}

std::vector<fs::path> synthea_bundles(const std::string& set) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fixture("synthea/" + set))) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  auto rank = [](const fs::path& p) {
    std::string name = p.filename().string();
    return name.starts_with("hospitalInformation") ? 0 : name.starts_with("practitionerInformation") ? 1 : 2;
  };
  std::sort(files.begin(), files.end(), [&](const fs::path& a, const fs::path& b) {
    return std::make_pair(rank(a), a.filename()) < std::make_pair(rank(b), b.filename());
  });
  return files;
}

std::vector<SearchCase> synthea_patient_searches(const rapidjson::Document& bundle, const std::string& patient) {
  std::map<std::string, int> by_type, observations_by_category, conditions_by_code;
  int encounters_since_2015 = 0;
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    std::string type = str(r, "resourceType");
    ++by_type[type];
    if (type == "Observation" && r.HasMember("category")) {
      for (const auto& cat : r["category"].GetArray()) {
        for (const auto& coding : cat["coding"].GetArray()) ++observations_by_category[str(coding, "code")];
      }
    }
    if (type == "Condition") ++conditions_by_code[str(r["code"]["coding"][0], "code")];
    if (type == "Encounter" && str(r["period"], "start") >= "2015") ++encounters_since_2015;
  }
  std::vector<SearchCase> cases;
  for (const auto& [category, count] : observations_by_category) {
    cases.push_back({"Observation?patient=" + patient + "&category=" + category + "&_count=1", count});
  }
  cases.push_back({"Observation?subject=" + patient + "&_count=1", by_type["Observation"]});
  for (const auto& [code, count] : conditions_by_code) {
    cases.push_back({"Condition?patient=" + patient + "&code=http://snomed.info/sct|" + code, count});
  }
  cases.push_back({"Encounter?patient=" + patient + "&date=ge2015-01-01", encounters_since_2015});
  cases.push_back({"Patient?_id=" + patient.substr(8) + "&_revinclude=Encounter:patient&_count=500"});
  cases.push_back({"Immunization?patient=" + patient, by_type["Immunization"]});
  cases.push_back({"ExplanationOfBenefit?patient=" + patient, by_type["ExplanationOfBenefit"]});
  return cases;
}

}  // namespace carebridge::testing

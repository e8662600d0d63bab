// A patient's whole record: Patient/[id]/$everything (R4 OperationDefinition
// Patient-everything) and [compartment]/[id]/* (R4 RESTful API), both searches of every type
// of the compartment, kept to the compartment's records.
#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "fhir/search/parse_clause.h"
#include "fhir/time/fhir_time.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

using fhir::model::Severity;
using fhir::search::Clause;

// The types of `in_compartment` that the `_type` of `params` names (all of them when none is
// named; those named outside it go in `outside`), and the other parameters in `rest`.
std::vector<std::string> types_named(const std::vector<std::string>& in_compartment, const Params& params, Params& rest,
                                     std::vector<std::string>& outside) {
  std::vector<std::string> types;
  bool named = false;
  for (const auto& [name, value] : params) {
    if (name != "_type") {
      rest.emplace_back(name, value);
      continue;
    }
    named = true;
    for (std::string& t : fhir::search::split_escaped(value, ','))
      (std::find(in_compartment.begin(), in_compartment.end(), t) != in_compartment.end() ? types : outside).push_back(std::move(t));
  }
  return named ? types : in_compartment;
}

std::string comma_separated(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// Patient/[id]/$everything's parameters as the search of its compartment reads them: `_since`
// as _lastUpdated=ge, paging and format as they are; `_include` is left to $everything (which
// includes everything) and `start` and `end` to care_date_clauses. Others are said in `said`.
Params everything_params(const Params& asked, Issues& said) {
  static const std::set<std::string, std::less<>> kKept = {"_count", "_offset", "_snapshot", "_lastUpdated", "_format",
                                                           "_pretty", "_elements", "_summary"};
  Params params;
  for (const auto& [name, value] : asked) {
    if (name == "_since") params.emplace_back("_lastUpdated", "ge" + value);
    else if (kKept.count(name)) params.emplace_back(name, value);
    else if (name != "_include" && name != "start" && name != "end")
      said.push_back({Severity::Warning, "not-supported",
                      "$everything does not apply '" + name + "' here: every record of the patient is returned", {}, {}});
  }
  return params;
}

// Whether `record` changed at or after every `_since` asked (the patient leads $everything's
// first page only so).
bool changed_since(const store::ResourceRecord& record, const Params& asked) {
  for (const auto& [name, value] : asked) {
    auto range = name == "_since" ? fhir::time::date_range(value) : std::nullopt;
    if (range && static_cast<double>(record.updated_ms) / 1000.0 < range->first) return false;
  }
  return true;
}

// The search parameter that dates the care a record is about, for $everything's `start` and
// `end` ("care dates, not record currency dates"): the types whose common clinical `date` is
// not that (a MedicationRequest's is its dosage's timing, an AllergyIntolerance's when it was
// recorded, a DocumentReference's when the reference was made) name their own; others take
// `date` where they have it, else the first of kCareDates they have (a Condition's onset, a
// claim's creation). Types with none (Patient, Coverage, Group) are not narrowed by dates.
constexpr std::pair<std::string_view, std::string_view> kOwnCareDates[] = {
    {"MedicationRequest", "authoredon"}, {"AllergyIntolerance", "onset"}, {"DocumentReference", "period"}};
constexpr std::string_view kCareDates[] = {"date", "onset-date", "effective", "effective-time", "occurrence",
                                           "authored", "authored-on", "whenhandedover", "started", "collected",
                                           "created", "sent", "identified", "datetime", "datewritten", "recorded",
                                           "start-date", "period"};

std::string_view care_date(const fhir::search::SearchRegistry& registry, std::string_view type) {
  for (const auto& [own_type, param] : kOwnCareDates)
    if (own_type == type && registry.find(type, param)) return param;
  for (std::string_view param : kCareDates)
    if (registry.find(type, param)) return param;
  return {};
}

std::map<std::string, std::vector<std::string>> types_by_care_date(const fhir::search::SearchRegistry& registry,
                                                                   const std::vector<std::string>& types) {
  std::map<std::string, std::vector<std::string>> by_param;
  for (const std::string& type : types)
    if (std::string_view param = care_date(registry, type); !param.empty()) by_param[std::string(param)].push_back(type);
  return by_param;
}

}  // namespace

// One clause for each of `start` and `end` and each care date (kCareDates): a record of a type
// dated by that parameter has a date on or after `start` (on or before `end`); records of
// other types pass it. A date that is no date fails with the parser's reason.
carebridge::Result<std::vector<Clause>> FhirService::care_date_clauses(const std::vector<std::string>& types, const Params& asked) const {
  std::vector<Clause> clauses;
  auto by_param = types_by_care_date(registry_, types);
  for (const auto& [name, value] : asked) {
    if (name != "start" && name != "end") continue;
    for (const auto& [param, dated] : by_param) {
      auto dates = fhir::search::parse_clause(registry_, search_limits(), dated.front(), param, (name == "start" ? "ge" : "le") + value);
      if (!dates) return carebridge::Result<std::vector<Clause>>::failure("invalid", name + ": " + dates.message());
      clauses.push_back(fhir::search::for_types(dated, std::move(*dates), name));
    }
  }
  return clauses;
}

// The patient's record and every record of its compartment the caller may see, with what they
// refer to (_include=*): a search of the compartment's types, which the patient leads. Types
// the caller's scopes restrict are left out (a system search); `start` and `end` keep the
// records whose care is dated within them (care_date_clauses). An empty `id`:
// Patient/$everything, every patient's the caller may see, each with its compartment.
http::Response FhirService::everything(Call& call, const std::string& id) {
  bool every_patient = id.empty();
  if (!every_patient) {
    Result patient = read(call, "Patient", id, std::nullopt);
    if (patient.status != 200) return render_read(call, std::move(patient));
  }
  SearchScope scope{every_patient ? "Patient/$everything" : "Patient/" + id + "/$everything", {}};
  Params asked = operation_params(call.request, definitions_), rest;  // a POST's Parameters too
  std::vector<std::string> outside;
  std::vector<std::string> types = types_named(compartments_.types("Patient"), asked, rest, outside);
  for (const std::string& t : outside)
    scope.said.push_back({Severity::Warning, "not-supported", t + " resources are not in a patient's compartment", {}, {}});
  if (types.empty()) types = compartments_.types("Patient");
  auto dated = care_date_clauses(types, rest);
  if (!dated) return outcome(call, 400, {{Severity::Error, "invalid", dated.message(), {}, {}}});
  scope.narrowing = std::move(*dated);
  for (const auto& [name, value] : rest)
    if (name == "start" || name == "end") scope.in_links.emplace_back(name, value);  // the next pages are as narrow
  Params params = everything_params(rest, scope.said);
  params.emplace_back("_type", comma_separated(types));
  params.emplace_back("_include", "*");
  scope.clause = compartments_.clause("Patient", id, types);
  scope.not_included = compartments_.types("Patient");
  bool count_only = std::any_of(asked.begin(), asked.end(), [](const auto& p) { return p.first == "_summary" && p.second == "count"; });
  if (every_patient) return search(call, "", params, &scope);
  if (auto record = store_.read("Patient", id); record && changed_since(*record, asked) && !count_only) scope.lead = std::move(*record);
  return search(call, "", params, &scope);
}

// GET [compartment]/[id]/*: a system search of the compartment's types (of those `_type`
// names, the ones in it), kept to the compartment's records.
http::Response FhirService::compartment_search_all(Call& call, const std::string& compartment, const std::string& id,
                                                   const Params& params) {
  Params asked;
  std::vector<std::string> outside;
  std::vector<std::string> types = types_named(compartments_.types(compartment), params, asked, outside);
  if (types.empty())
    return outcome(call, 400, {{Severity::Error, "invalid", "none of the types _type names is in the " + compartment + " compartment", {}, {}}});
  asked.emplace_back("_type", comma_separated(types));
  SearchScope scope{compartment + "/" + id + "/*", compartments_.clause(compartment, id, types)};
  return search(call, "", asked, &scope);
}

}  // namespace carebridge::gateway::rest

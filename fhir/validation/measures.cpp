// Measure and MeasureReport, as the reference validator's MeasureValidator. A Measure's CQL
// stratifier criteria name a definition in the ELM (application/elm+xml content) of one of
// the libraries it names that the definitions know. A MeasureReport agrees with the Measure
// it names — a contained "#id" one or one the definitions know, not another Bundle entry: its
// groups, populations and stratifiers are the Measure's, each once, none left out, and its
// score fits the Measure's scoring.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <memory_resource>
#include <optional>
#include <vector>

#include "fhir/io/base64.h"
#include "fhir/json/json_reader.h"
#include "fhir/validation/measures.h"
#include "fhir/xml/xml_tree.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

constexpr std::string_view kPopulationSystem = "http://terminology.hl7.org/CodeSystem/measure-population";
constexpr std::string_view kUnitExtension = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
// DEQM's score of another kind ("n/a", a code) where a report has no number, which Java reads in
// place of measureScore.value.
constexpr std::string_view kAlternateScore = "http://hl7.org/fhir/us/davinci-deqm/StructureDefinition/extension-alternateScoreType";

// Whether a CodeableConcept holds a coding with this system and code.
bool has_coding(const Element* codes, std::string_view system, std::string_view code) {
  if (!codes) return false;
  for (const Element* c : codes->children()) {
    if (c->name == "coding" && value_of(child_named(*c, "system")) == system && value_of(child_named(*c, "code")) == code) {
      return true;
    }
  }
  return false;
}

// Whether two CodeableConcepts share a coding (system and code), as CodeableConcept.matches.
bool codes_match(const Element* a, const Element* b) {
  if (!a || !b) return false;
  for (const Element* c : b->children()) {
    if (c->name == "coding" && has_coding(a, value_of(child_named(*c, "system")), value_of(child_named(*c, "code")))) {
      return true;
    }
  }
  return false;
}

bool has_codings(const Element* codes) { return codes && child_named(*codes, "coding"); }

// A coding with both a system and a code.
bool usable_code(const Element& codes) {
  for (const Element* c : codes.children()) {
    if (c->name == "coding" && !value_of(child_named(*c, "system")).empty() && !value_of(child_named(*c, "code")).empty()) {
      return true;
    }
  }
  return false;
}

std::vector<const Element*> named(const Element& node, std::string_view name) {
  std::vector<const Element*> out;
  for (const Element* c : node.children()) {
    if (c->name == name) out.push_back(c);
  }
  return out;
}

// A resource of this type the definitions know by its canonical, read once a run; or null.
const Element* known_resource(Run& run, std::string_view type, std::string_view canonical) {
  auto [it, fresh] = run.known_documents.try_emplace(std::string(type) + "|" + std::string(canonical));
  if (fresh) {
    if (const auto* loaded = run.defs.resource(type, canonical)) it->second = std::move(json::read(loaded->json, run.defs).document);
  }
  return it->second ? it->second->root() : nullptr;
}

// The Measure a report names: "#id" among its contained resources, else one the definitions know.
const Element* find_measure(Run& run, const Element& report, std::string_view canonical) {
  if (canonical.starts_with('#')) {
    for (const Element* c : report.children()) {
      if (c->name == "contained" && c->type == "Measure" && value_of(child_named(*c, "id")) == canonical.substr(1)) return c;
    }
    return nullptr;
  }
  return known_resource(run, "Measure", canonical);
}

// A Library the Measure names and the definitions know: its name and the definitions its ELM
// declares (`elm` empty when it has no application/elm+xml content; `elm_error` when that does
// not parse or is no ELM library).
struct CqlLibrary {
  std::string name;
  bool elm = false;
  std::string elm_error;
  std::vector<std::string> definitions;
};

void read_elm(CqlLibrary& library, const std::string& data) {
  library.elm = true;
  std::optional<std::string> xml = io::base64_decode(data);
  std::pmr::monotonic_buffer_resource arena(4096);
  xml::XmlParse parsed = xml::parse_xml(xml ? *xml : std::string(), arena);
  if (!parsed.root) {
    library.elm_error = parsed.error.empty() ? "the ELM does not parse" : parsed.error;
    return;
  }
  if (parsed.root->local != "library" || parsed.root->uri != "urn:hl7-org:elm:r1") {
    library.elm_error = "the ELM is not an urn:hl7-org:elm:r1 library";
    return;
  }
  for (const xml::XmlNode* n = parsed.root->first; n; n = n->next) {
    if (n->is_text || n->local != "statements") continue;
    for (const xml::XmlNode* d = n->first; d; d = d->next) {
      const xml::XmlAttribute* name = d->is_text || d->local != "def" ? nullptr : d->attribute("name");
      if (name) library.definitions.emplace_back(name->value);
    }
  }
}

std::vector<CqlLibrary> known_libraries(Run& run, const Element& measure) {
  std::vector<CqlLibrary> out;
  for (const Element* c : named(measure, "library")) {
    const Element* library = c->has_value ? known_resource(run, "Library", c->value) : nullptr;
    if (!library) continue;
    CqlLibrary& l = out.emplace_back();
    l.name = std::string(value_of(child_named(*library, "name")));
    for (const Element* content : named(*library, "content")) {
      if (value_of(child_named(*content, "contentType")) == "application/elm+xml") {
        read_elm(l, std::string(value_of(child_named(*content, "data"))));
      }
    }
  }
  return out;
}

// The library a CQL expression ("Library.Definition", or "Definition" with one library) names,
// with the reason when there is none.
const CqlLibrary* named_library(const std::vector<CqlLibrary>& libraries, std::string_view& expression, std::string& problem) {
  if (libraries.empty()) {
    problem = "No CQL Libraries found on this Measure: its criteria are CQL, and none of its libraries resolves";
    return nullptr;
  }
  auto dot = expression.find('.');
  if (dot == std::string_view::npos) {
    if (libraries.size() == 1) return &libraries[0];
    problem = "the CQL expression names no library, and the Measure has several";
    return nullptr;
  }
  std::string_view name = expression.substr(0, dot);
  expression = expression.substr(dot + 1);
  const CqlLibrary* found = nullptr;
  for (const CqlLibrary& l : libraries) {
    if (l.name != name) continue;
    if (found) problem = "several of the Measure's libraries are called '" + std::string(name) + "'";
    found = &l;
  }
  if (!found) problem = "none of the Measure's libraries is called '" + std::string(name) + "'";
  return problem.empty() ? found : nullptr;
}

// What is wrong with a CQL criteria's expression (empty when nothing).
std::string cql_problem(const std::vector<CqlLibrary>& libraries, std::string_view expression) {
  std::string problem;
  const CqlLibrary* library = named_library(libraries, expression, problem);
  if (!library) return problem;
  if (!library->elm) return "the library '" + library->name + "' has no ELM (application/elm+xml content) to check the CQL against";
  if (!library->elm_error.empty()) return "the ELM of the library '" + library->name + "': " + library->elm_error;
  for (const std::string& d : library->definitions) {
    if (d == expression) return {};
  }
  return "the library '" + library->name + "' defines no '" + std::string(expression) + "'";
}

class ReportCheck {
 public:
  ReportCheck(Run& run, const Element& measure, const Element& report)
      : run_(run), measure_(measure), report_type_(value_of(child_named(report, "type"))) {
    if (const Element* scoring = child_named(measure, "scoring")) {
      if (const Element* first = child_named(*scoring, "coding")) scoring_ = value_of(child_named(*first, "code"));
    }
  }

  void groups(const Element& report, const Path& path) {
    auto defined = named(measure_, "group");
    if (defined.empty()) return;
    auto reported = named(report, "group");
    if (reported.size() == 1 && defined.size() == 1) {
      Path gp{&path, "group", 0};
      one_group(*reported[0], *defined[0], gp);
      group(*reported[0], *defined[0], gp);
      return;
    }
    std::vector<const Element*> seen;
    for (size_t i = 0; i < reported.size(); ++i) {
      Path gp{&path, "group", static_cast<int>(i)};
      const Element* code = child_named(*reported[i], "code");
      const Element* match = nullptr;
      for (const Element* g : defined) {
        if (!match && codes_match(code, child_named(*g, "code"))) match = g;
      }
      if (!code) error(*reported[i], gp, "a MeasureReport group needs a code when the Measure has several groups");
      else if (!match) error(*reported[i], gp, "the group code is not one of the Measure's group codes");
      else if (std::find(seen.begin(), seen.end(), match) != seen.end()) error(*reported[i], gp, "the group is reported twice");
      else {
        seen.push_back(match);
        group(*reported[i], *match, gp);
      }
    }
    if (report_type_ == "data-collection") return;
    for (const Element* g : defined) {
      if (std::find(seen.begin(), seen.end(), g) == seen.end()) error(report, path, "a group of the Measure is not reported");
    }
  }

 private:
  void one_group(const Element& reported, const Element& defined, const Path& gp) {
    const Element* code = child_named(reported, "code");
    const Element* expected = child_named(defined, "code");
    if (!code || !expected) return;
    if (!usable_code(*code)) error(reported, gp, "the group code has no coding with both a system and a code");
    else if (!codes_match(code, expected)) error(reported, gp, "the group code is not the Measure's group code");
  }

  void group(const Element& reported, const Element& defined, const Path& gp) {
    populations(reported, defined, gp);
    score(reported, gp);
    stratifiers(reported, defined, gp);
  }

  // Match report parts (population, stratifier) to the Measure's by code, each once, none left out.
  template <typename Match, typename Each>
  void parts(const Element& reported, const Element& defined, std::string_view name, const Path& gp, Match match,
             Each each) {
    auto wanted = named(defined, name);
    std::vector<const Element*> seen;
    int i = 0;
    for (const Element* part : named(reported, name)) {
      Path pp{&gp, name, i++};
      const Element* code = child_named(*part, "code");
      const Element* found = nullptr;
      for (const Element* w : wanted) {
        if (!found && code && match(*code, *w)) found = w;
      }
      if (!code) error(*part, pp, "the " + std::string(name) + " has no code");
      else if (!found) error(*part, pp, "the " + std::string(name) + " code is not one the Measure's group defines");
      else if (std::find(seen.begin(), seen.end(), found) != seen.end()) error(*part, pp, "the " + std::string(name) + " is reported twice");
      else {
        seen.push_back(found);
        each(*part, pp);
      }
    }
    for (const Element* w : wanted) {
      bool observation = name == "population" && has_coding(child_named(*w, "code"), kPopulationSystem, "measure-observation");
      if (!observation && std::find(seen.begin(), seen.end(), w) == seen.end()) {
        error(reported, gp, "the " + std::string(name) + " '" + describe(child_named(*w, "code")) + "' of the Measure is not reported");
      }
    }
  }

  void populations(const Element& reported, const Element& defined, const Path& gp) {
    auto match = [](const Element& code, const Element& w) { return codes_match(&code, child_named(w, "code")); };
    parts(reported, defined, "population", gp, match, [&](const Element& pop, const Path& pp) {
      // Java's MeasureValidator compares the count with how many subjectResults there are, though
      // R4 has one List (0..1) of the subjects: its check, for agreement with it (a count of 25
      // beside one List is refused by both).
      const Element* list = child_named(pop, "subjectResults");
      if (report_type_ == "subject-list") {
        const Element* count = child_named(pop, "count");
        size_t subjects = named(pop, "subjectResults").size();
        if (count && count->has_value && std::strtol(std::string(count->value).c_str(), nullptr, 10) != static_cast<long>(subjects)) {
          error(pop, pp, "the count is " + std::string(count->value) + ", but " + std::to_string(subjects) + " subjectResults are given");
        }
      } else if (list) {
        error(pop, pp, "subjectResults belong only in a subject-list report");
      } else if (!child_named(pop, "count")) {
        run_.report(Severity::Warning, "business-rule", "the population has no count", pop, pp);
      }
    });
  }

  void stratifiers(const Element& reported, const Element& defined, const Path& gp) {
    auto match = [](const Element& code, const Element& w) {
      const Element* mine = child_named(w, "code");
      if (!mine) return false;
      if (codes_match(&code, mine)) return true;
      std::string_view text = value_of(child_named(code, "text"));
      return !has_codings(&code) && !has_codings(mine) && !text.empty() && text == value_of(child_named(*mine, "text"));
    };
    parts(reported, defined, "stratifier", gp, match, [](const Element&, const Path&) {});
  }

  void score(const Element& group, const Path& gp) {
    const Element* score = child_named(group, "measureScore");
    Path sp{&gp, "measureScore", -1};
    if (report_type_ == "data-collection" || scoring_ == "cohort") {
      if (score) error(*score, sp, "a " + std::string(report_type_ == "data-collection" ? "data-collection report" : "cohort measure") + " has no measureScore");
      return;
    }
    if (scoring_ != "proportion" && scoring_ != "ratio" && scoring_ != "continuous-variable") return;
    if (!score) return error(group, gp, "a " + std::string(scoring_) + " measure needs a measureScore");
    const Element* value = child_named(*score, "value");
    if (scoring_ == "proportion") {
      for (const char* banned : {"unit", "system", "code"}) {
        if (const Element* e = child_named(*score, banned)) error(*e, sp, "a proportion score has no " + std::string(banned));
      }
    }
    if (!value) {
      for (const Element* e : named(*score, "extension"))
        if (value_of(child_named(*e, "url")) == kAlternateScore) return;  // a score of another kind: no number to check
      return error(*score, sp, "the measureScore has no value");
    }
    if (scoring_ == "proportion" && value->has_value) {
      double v = std::strtod(std::string(value->value).c_str(), nullptr);
      if (v < 0 || v > 1) error(*value, sp, "a proportion score is between 0 and 1");
    }
    if (scoring_ != "proportion") unit(*score, sp);
  }

  // A unit the Measure fixes (questionnaire-unit extension) is the score's.
  void unit(const Element& score, const Path& sp) {
    const Element* fixed = nullptr;
    for (const Element* e : named(measure_, "extension")) {
      if (value_of(child_named(*e, "url")) == kUnitExtension) fixed = child_named(*e, "valueCoding");
    }
    if (!fixed) return;
    std::string_view code = value_of(child_named(*fixed, "code"));
    std::string_view system = value_of(child_named(*fixed, "system"));
    const Element* given = child_named(score, "code");
    if (!given) return error(score, sp, "the score's unit must be " + std::string(system) + "#" + std::string(code));
    if (value_of(given) != code || value_of(child_named(score, "system")) != system) {
      error(score, sp, "the score's unit must be " + std::string(system) + "#" + std::string(code));
    }
  }

  static std::string describe(const Element* code) {
    if (!code) return "";
    if (const Element* c = child_named(*code, "coding")) return std::string(value_of(child_named(*c, "code")));
    return std::string(value_of(child_named(*code, "text")));
  }

  void error(const Element& node, const Path& path, const std::string& text) {
    run_.report(Severity::Error, "business-rule", text, node, path);
  }

  Run& run_;
  const Element& measure_;
  std::string_view report_type_;
  std::string_view scoring_;
};

}  // namespace

// Only stratifier criteria are checked, and only text/cql and text/cql.identifier ones, as by
// the reference validator (its loop over stratifier components reads the group's, which has
// none): population criteria in CQL without a library are common in the specification's own
// examples (Measure-component-a-example).
void check_measure(Run& run, const Element& measure, const Path& path) {
  std::optional<std::vector<CqlLibrary>> libraries;
  auto groups = named(measure, "group");
  for (size_t g = 0; g < groups.size(); ++g) {
    Path gp{&path, "group", static_cast<int>(g)};
    auto stratifiers = named(*groups[g], "stratifier");
    for (size_t i = 0; i < stratifiers.size(); ++i) {
      const Element* criteria = child_named(*stratifiers[i], "criteria");
      std::string_view language = criteria ? value_of(child_named(*criteria, "language")) : "";
      if (language != "text/cql" && language != "text/cql.identifier") continue;
      if (!libraries) libraries = known_libraries(run, measure);
      std::string problem = cql_problem(*libraries, value_of(child_named(*criteria, "expression")));
      Path sp{&gp, "stratifier", static_cast<int>(i)};
      if (!problem.empty()) run.report(Severity::Error, "invalid", problem, *criteria, Path{&sp, "criteria", -1});
    }
  }
}

void check_measure_report(Run& run, const Element& report, const Path& path) {
  const Element* reference = child_named(report, "measure");
  std::string_view canonical = value_of(reference);
  if (canonical.empty()) return;
  const Element* measure = find_measure(run, report, canonical);
  if (!measure) {
    run.report(Severity::Warning, "required",
               "the Measure '" + std::string(canonical) + "' could not be resolved, so the report was not checked against it",
               *reference, Path{&path, "measure", -1});
    return;
  }
  ReportCheck(run, *measure, report).groups(report, path);
}

}  // namespace carebridge::fhir::validation

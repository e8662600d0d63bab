// Internal to the terminology operations (terminology_operations.cpp, code_system_operations.cpp):
// what an operation was asked (its parameters from the query and a Parameters body), where it
// reads code systems, value sets and concept maps from (the definitions, then what clients
// stored), and the writing of Parameters answers.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/terminology/terminology.h"
#include "gateway/http/message.h"
#include "gateway/rest/negotiation.h"
#include "gateway/rest/write_path.h"

namespace carebridge::gateway::rest::terminology_ops {

namespace terminology = fhir::terminology;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// A concept named by a Coding (or by one Coding of a CodeableConcept); `parameter` is the
// Parameters name it came in ("coding", "codeableConcept", "codingA", "codingB").
struct CodingIn {
  std::string system, version, code, display, parameter;
};

// What an operation was asked: its primitive parameters, the concepts it names and the
// resource given in the body (valueSet, codeSystem or conceptMap, as JSON).
struct OperationInput {
  Params params;
  std::vector<CodingIn> codings;
  std::string resource_json;

  // The codings given as `parameter` ("coding" also takes "codeableConcept"'s).
  std::vector<CodingIn> codings_named(std::string_view parameter) const;
  // Every value of a repeating parameter ("property").
  std::vector<std::string> all(std::string_view name) const;
};

// The query's parameters and a POST's Parameters body; a body that is no Parameters is refused.
std::optional<Result> read_input(const http::Request& request, const Params& query,
                                 const fhir::definitions::Definitions& definitions, OperationInput& in);

// The concepts an operation asks about: the code parameter (with `system_param` and
// `version_param`), else each coding (and each coding of a codeableConcept).
std::vector<CodingIn> concepts_asked(const OperationInput& in, std::string_view system_param, std::string_view version_param);
// The same, each with its code: 400 when `operation` ("$translate") is asked none, or one has no
// code (which cannot be `doing`: "translated").
std::optional<Result> concepts_with_codes(const OperationInput& in, std::string_view system_param, std::string_view version_param,
                                          const std::string& operation, const std::string& doing, std::vector<CodingIn>& out);

// "url" and a version: "url|version" (just "url" without one).
std::string canonical(std::string_view url, std::string_view version);
// Whether the definitions' resource of `held_version` is the one `wanted` ("url" or "url|version") names.
bool names_version(std::string_view wanted, std::string_view held_version);

// What the operations read from: the definitions' terminology, then the resources of a type a
// client stored, by canonical URL ("url" or "url|version", the latest version when none is
// named) or "Type/id", as the caller sees them; `search` finds stored ones by search criteria.
class Sources {
 public:
  using Stored = std::function<std::optional<std::string>(const std::string& type, std::string_view reference)>;
  using Search = std::function<std::vector<std::string>(const std::string& type, const Params& criteria)>;
  Sources(const terminology::Terminology& terminology, Stored by_canonical, Search by_criteria)
      : terms(terminology), stored(std::move(by_canonical)), search(std::move(by_criteria)) {}

  const terminology::Terminology& terms;
  Stored stored;
  Search search;
  const fhir::definitions::Definitions* definitions = nullptr;  // their resources as JSON (a value set's compose)

  // The code system `canonical` names: the definitions' (unless another version is asked),
  // else a stored one; null when neither holds it.
  const terminology::CodeSystem* code_system(std::string_view canonical);
  // The code system read from JSON (a stored instance or the body's), kept for this request.
  Result read_code_system(const std::string& json, const terminology::CodeSystem*& out);
  // The code systems and value sets clients stored, for Terminology::expand.
  terminology::ExtraSources extra();
  // The JSON of the `type` resource the instance (`id`) or the body names: the stored one
  // (404 when the caller sees none), else the body's; empty when neither names one.
  std::optional<Result> given(const std::string& type, const std::string& id, const OperationInput& in, std::string& json);

 private:
  std::vector<std::unique_ptr<const terminology::CodeSystem>> held_;
  std::vector<std::pair<std::string, const terminology::CodeSystem*>> found_;  // canonical -> held_
};

// Parameters answers.
// A 200 answer whose resource `members` writes (inside its object).
Result resource_answer(const std::function<void(Writer&)>& members);
Result parameters(const std::function<void(Writer&)>& members);
void parameter(Writer& w, std::string_view name, const char* type, std::string_view value);
void boolean_parameter(Writer& w, std::string_view name, bool value);
void coding_value(Writer& w, std::string_view system, std::string_view code, std::string_view display);
void coding_parameter(Writer& w, std::string_view name, std::string_view system, std::string_view code, std::string_view display);
// A parameter made of parts: start_group, its parts (parameter, coding_parameter), end_group.
void start_group(Writer& w, const char* name);
void end_group(Writer& w);
// A $validate-code answer: result, and the message and display when there are.
Result validation_answer(bool result, const std::string& message, std::string_view display);
// What a display given for a concept found in `cs` adds to a $validate-code answer: "" when right.
std::string display_problem(const terminology::CodeSystem& cs, const terminology::Concept& found, std::string_view display);

// The operations (`id` empty at the type level).
Result expand(Sources& from, const std::string& id, const OperationInput& in);
Result validate_in_value_set(Sources& from, const std::string& id, const OperationInput& in);
Result lookup(Sources& from, const OperationInput& in);
Result validate_in_code_system(Sources& from, const std::string& id, const OperationInput& in);
Result subsumes(Sources& from, const std::string& id, const OperationInput& in);
Result translate(Sources& from, const std::string& id, const OperationInput& in);

}  // namespace carebridge::gateway::rest::terminology_ops

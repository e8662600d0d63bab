// fhir/search is FHIR search without a server: this registry of parameters, the
// index rows a resource gives (index.h, index_row.h), request parameters parsed into
// a search (parse.h, query.h) and the in-memory matcher (matcher.h); the store runs
// the same parsed search as SQL.
//
// The SearchParameters the server supports, read once at start-up from the core
// definitions: per resource type, each parameter's code, type, FHIRPath expression
// and reference targets. Parameters on Resource/DomainResource apply to every type.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/definitions.h"

namespace carebridge::fhir::terminology {
class Terminology;
}

namespace carebridge::fhir::search {

struct SearchParam {
  std::string code;        // "name", "subject", "_profile"
  std::string type;        // string token reference date number quantity uri composite (special unsupported)
  std::string expression;  // FHIRPath over the resource
  std::string url;
  std::vector<std::string> targets;  // reference target types
  // A composite's parts ("code-value-quantity": code, then value.as(Quantity)), each an
  // expression from one node the composite's expression selects, with its type. Two
  // parts, the first a token or a reference (every R4 composite but MolecularSequence's).
  struct Component {
    std::string type;
    std::string expression;
  };
  std::vector<Component> components;
  // Another parameter of the type with the same type and expression indexes the
  // same values ("phonetic" is "name" here): its rows serve both. Empty: itself.
  // A reference parameter that is another's restricted to a type ("patient" is
  // "subject.where(resolve() is Patient)") reads that one's rows, of `only_type`.
  std::string indexed_as;
  std::string only_type;
  // A union of other parameters ("combo-code" is "code | component-code"): their
  // rows are its rows, and it has none of its own.
  std::vector<std::string> union_of;
  // A token parameter whose every path ends at an element of type code (Patient.gender),
  // which FHIR writes without the system its binding implies.
  bool code_elements = false;

  // The parameter whose index rows this one reads.
  const std::string& index_code() const { return indexed_as.empty() ? code : indexed_as; }
  // Every parameter whose rows this one reads (one, or the members of a union).
  std::vector<std::string> index_codes() const { return union_of.empty() ? std::vector<std::string>{index_code()} : union_of; }
  // Whether the extractors index rows under this parameter's own code.
  bool has_own_rows() const { return indexed_as.empty() && union_of.empty(); }
};

class SearchRegistry {
 public:
  explicit SearchRegistry(const fhir::definitions::Definitions& definitions);

  // Every concrete resource type of the definitions: what the server offers.
  const std::vector<std::string>& types() const { return types_; }
  bool is_resource_type(std::string_view type) const;

  // The parameter `code` of `type`, or null. kAnyType ("Resource") has the parameters every
  // type has (_tag, _profile, ...): those of a system search.
  static constexpr std::string_view kAnyType = "Resource";
  const SearchParam* find(std::string_view type, std::string_view code) const;
  // Every supported parameter of `type` (own and inherited), by code.
  const std::map<std::string, SearchParam, std::less<>>& of(std::string_view type) const;
  // The value sets and code systems the token modifiers :in, :not-in, :below and :above
  // stand for, read from the same definitions on first use. Thread-safe.
  const terminology::Terminology& terminology() const;

 private:
  struct LazyTerminology;
  std::shared_ptr<LazyTerminology> terminology_;
  std::vector<std::string> types_;
  std::map<std::string, std::map<std::string, SearchParam, std::less<>>, std::less<>> by_type_;
  std::map<std::string, SearchParam, std::less<>> empty_;

  void share_rows(std::map<std::string, SearchParam, std::less<>>& params);
};

}  // namespace carebridge::fhir::search

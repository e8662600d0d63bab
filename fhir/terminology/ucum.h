// UCUM (the Unified Code for Units of Measure) as a code system: whether a unit code is a
// well-formed UCUM expression — atoms, prefixes on metric atoms, products, quotients,
// exponents, factors, parentheses and {annotations}, case-sensitive, as the UCUM
// specification's grammar defines it. Quantities and Codings with the system
// http://unitsofmeasure.org carry such codes ("mg/dL", "10*3/uL", "mm[Hg]", "{beats}/min").
// The atoms and prefixes are read from the UCUM table scripts/setup-definitions fetches
// (NLM's @lhncbc/ucum-lhc data, derived from UCUM's ucum-essence.xml).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace carebridge::fhir::terminology {

class Ucum {
 public:
  // Reads the table (data/ucumDefs.min.json's shape); null when it is missing or unreadable.
  static std::unique_ptr<Ucum> load(const std::filesystem::path& file);
  // From the table's JSON text; null when it is not such a table.
  static std::unique_ptr<Ucum> from_json(std::string_view json);

  // "" when `code` is a valid UCUM expression, otherwise why not, in plain words
  // ("'mmHg' is not a UCUM unit (at 'mmHg')").
  std::string problem(std::string_view code) const;
  bool valid(std::string_view code) const { return problem(code).empty(); }

 private:
  // Looked up by string_view: a code is tried as many splits of prefix, atom and exponent,
  // each of which would otherwise build a string to look up.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, bool, Hash, std::equal_to<>> atoms_;  // atom symbol -> takes a prefix (metric)
  std::vector<std::string> prefixes_;

  bool simple_unit(std::string_view text) const;
  bool annotatable(std::string_view text) const;
  std::string term(std::string_view text, int depth) const;
};

}  // namespace carebridge::fhir::terminology

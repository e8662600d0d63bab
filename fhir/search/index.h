// Search-index extraction: the rows a resource contributes to the search index,
// one per value of each supported SearchParameter of its type. Two extractors
// share the conversion from FHIR values to rows: the path extractor (a subset of
// FHIRPath enough for the core SearchParameter expressions: paths, unions, `as`,
// ofType, where(resolve() is T), where(a='b'), extension('url'), first()) and, once
// the FHIRPath engine links, one that evaluates the expressions in full.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/fhirpath/fhirpath.h"
#include "fhir/model/element.h"
#include "fhir/search/registry.h"
#include "fhir/search/index_row.h"
#include "fhir/search/query.h"

namespace carebridge::fhir::search {

// The most values of one parameter a resource is indexed by: far past any real record (a
// patient's names, an observation's codes), so that a 15 MB Patient of 1.5 million given
// names cannot make 1.5 million index rows (1.75 GB to store it). The values past it are
// stored and read, not searched by.
constexpr size_t kMaxIndexedValues = 10'000;

class IndexExtractor {
 public:
  virtual ~IndexExtractor() = default;
  // The index rows of `resource` for every supported search parameter of its type.
  virtual std::vector<IndexEntry> extract(const fhir::model::Element& resource) const = 0;
};

// `include` limits the parameters it extracts (all when empty).
std::unique_ptr<IndexExtractor> make_path_extractor(const SearchRegistry& registry,
                                                    std::function<bool(const SearchParam&)> include = {});
// Whether the path extractor reads every part of the parameter's expression for
// resources of `type` (it skips parts it cannot read).
bool path_reads_fully(const SearchParam& param, const std::string& type);

// Evaluates each parameter's expression with the FHIRPath engine (`resolve() is T`
// is read as a check of the reference's type, since stored references are not
// resolved); expressions the engine cannot compile fall back to the path extractor.
// With `prefer_paths`, expressions the path extractor reads fully go to it instead:
// the same rows (tests/gateway/index_extractor_test.cpp) at a fraction of the cost.
std::unique_ptr<IndexExtractor> make_fhirpath_extractor(const SearchRegistry& registry,
                                                        const fhir::fhirpath::Engine& engine, bool prefer_paths = true);

// Parameters the store answers from the resource's own columns (id, last update
// time), so they have no index rows.
bool is_resource_column(std::string_view code);

// Appends the rows one value (a node selected by the parameter's expression) gives.
void index_value(const SearchParam& param, const fhir::model::Element& value, std::vector<IndexEntry>& out);

// The rows of a composite from the rows of its two parts (for one node it selects):
// one per pair, the first part's code and '$' before the second's value (in code,
// system and norm as the second's kind keeps them), as composite searches look them up.
void index_composite(const SearchParam& param, const std::vector<IndexEntry>& first,
                     const std::vector<IndexEntry>& second, std::vector<IndexEntry>& out);

// Folds a string for matching: lower case, accents removed (composed or combining), in fold.cpp.
std::string fold(std::string_view text);

// "Patient/123" from a reference ("Patient/123", "Patient/123/_history/2",
// "https://x/fhir/Patient/123"); empty when it does not end in Type/id.
std::string reference_key(std::string_view reference);

// Whether a reference as written is to a resource of the server whose base (with its final
// '/') is `base`: relative, or an absolute URL under it. Another server's otherwise.
inline bool is_local_reference(std::string_view reference, std::string_view base) {
  return reference.find("://") == std::string_view::npos || reference.starts_with(base);
}

}  // namespace carebridge::fhir::search

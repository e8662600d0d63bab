// An agency's export from its files to a validated FHIR transaction Bundle: read (CSV,
// XLSX, form), map (the spec), validate — every problem traced to its row and cell. A row
// whose resources do not validate is rejected with the validator's reason, at its cell,
// and the others are mapped again without it: one bad row never blocks the rest (unless
// the spec asks that the whole file be rejected). The same path serves `carebridge map`
// and POST /ingest/{mapping}.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/mapper.h"
#include "mappings/csv/table.h"

namespace carebridge::mappings::agency {

struct AgencyConversion {
  MappedExport mapped;                            // rows read, rejected, resources built
  std::unique_ptr<fhir::model::Document> bundle;  // the valid Bundle (null when nothing was built)
  std::vector<std::string> file_errors;           // a file that could not be read at all
  bool too_large = false;                         // the rows make more records than one upload may (a file error says so)
  // An upload converted in parts (parts.h) adds up its parts' conversions (add), their
  // Bundles stored one by one and not kept: how many, the rows they took, whether any had one.
  size_t parts = 0, accepted_in_parts = 0;
  bool built_in_parts = false;

  // Accepted: something to store and nothing rejected; partly: something to store.
  bool anything() const { return bundle != nullptr || built_in_parts; }
  size_t accepted_rows() const {
    if (parts) return accepted_in_parts;
    return !too_large && (bundle || mapped.rejected.empty()) ? mapped.accepted() : 0;
  }
  // Adds a part's rows, problems, warnings (each once) and, when it has a Bundle, its records.
  void add(AgencyConversion&& part);
};

// The files of an export as read, before mapping.
struct ReadExport {
  std::vector<csv::Table> tables;
  std::vector<std::string> errors;  // files that could not be read at all (each names its file)
  std::vector<std::string> unread;  // warnings: files passed over (empty, or no table of the spec)
  // Why the rows are too many to map at all (more than limits.max_total_rows), or "".
  std::string too_many(const csv::ReadLimits& limits) const;
};

class AgencyConverter {
 public:
  // `validator` may be null (the Bundle is not validated).
  AgencyConverter(const fhir::definitions::Definitions& definitions, const fhir::validation::Validator* validator,
                  std::shared_ptr<const Spec> spec, fhir::validation::Policy policy = fhir::validation::Policy::Strict);

  // `agency`: the organization whose data it is; `records`: the stored records the spec's
  // merged resources change (see Mapper::map).
  // `max_records`: refused once mapped when the rows make more records (csv::ReadLimits).
  // `part`: only its rows are converted (an upload stored in parts, parts.h; null: all).
  AgencyConversion convert(const std::vector<csv::Table>& tables, const std::string& agency = "local",
                           const Records* records = nullptr, size_t max_records = 0,
                           const Part* part = nullptr) const;
  // Reads each named file's bytes (CSV, XLSX or a form's JSON) as tables.
  ReadExport read_files(const std::vector<std::pair<std::string, std::string>>& named_bytes,
                        const csv::ReadLimits& limits = {}) const;
  // Reads each named file's bytes (CSV, XLSX or a form's JSON) and converts them together.
  AgencyConversion convert_files(const std::vector<std::pair<std::string, std::string>>& named_bytes,
                                 const std::string& agency = "local", const csv::ReadLimits& limits = {},
                                 const Records* records = nullptr) const;
  const Spec& spec() const { return mapper_.spec(); }
  // Whether a valid Bundle's values are traced to their cells too (MappedExport::sources;
  // a Bundle with problems always is): for reports that show where every value came from.
  void set_trace(bool trace) { trace_ = trace; }

 private:
  // The errors in a Bundle (read into `bundle`, and taken out of `tree` as it is read) as the
  // validator finds them.
  std::vector<Issue> errors(engine::Node&& tree, std::unique_ptr<fhir::model::Document>& bundle) const;
  // Maps until no row refers to a record of a row not taken (conversion.cpp).
  MappedExport settled(const std::vector<csv::Table>& tables, std::set<RowRef>& excluded, std::vector<RowProblem>& reasons,
                       const std::string& agency, bool trace, const Records* records, const Part* part) const;
  // The rows whose entries have `found` errors, each reason added to `mapped` at its cell.
  // With `narrow`, only the row that made a record invalid, where the sources tell it.
  std::set<RowRef> reject(const std::vector<Issue>& found, MappedExport& mapped, bool narrow) const;

  const fhir::definitions::Definitions& definitions_;
  const fhir::validation::Validator* validator_;
  Mapper mapper_;
  fhir::validation::Policy policy_;
  bool trace_ = false;
};

}  // namespace carebridge::mappings::agency

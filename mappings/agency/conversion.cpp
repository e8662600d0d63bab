#include "mappings/agency/conversion.h"

#include <algorithm>
#include <charconv>
#include <iterator>

#include "mappings/agency/parts.h"
#include "mappings/engine/node_json.h"

namespace carebridge::mappings::agency {

namespace {

// The entry an issue's expression ("Bundle.entry[3].resource.birthDate") is in, or -1.
long entry_of(std::string_view expression) {
  constexpr std::string_view kEntry = "Bundle.entry[";
  if (!expression.starts_with(kEntry)) return -1;
  long index = -1;
  std::from_chars(expression.data() + kEntry.size(), expression.data() + expression.size(), index);
  return index;
}

// The row that made the record invalid at `expression`: of the entry's `rows` whose cells
// are at or below it, the one applied last (an exit dated before its enrollment's entry
// makes the episode's period invalid, not the enrollment); null when none is traced there.
const RowRef* culprit(const MappedExport& mapped, const std::string& expression, const std::vector<RowRef>& rows,
                      std::string& where) {
  const RowRef* found = nullptr;
  for (auto it = mapped.sources.lower_bound(expression); it != mapped.sources.end(); ++it) {
    const std::string& path = it->first;
    if (!path.starts_with(expression)) break;
    if (path.size() > expression.size() && path[expression.size()] != '.' && path[expression.size()] != '[') continue;
    auto row = mapped.source_rows.find(it->second);
    if (row == mapped.source_rows.end()) continue;
    auto at = std::find(rows.begin(), rows.end(), row->second);
    if (at != rows.end() && (!found || at > std::find(rows.begin(), rows.end(), *found))) {
      found = &*at;
      where = it->second;
    }
  }
  return found;
}

}  // namespace

AgencyConverter::AgencyConverter(const fhir::definitions::Definitions& definitions,
                                 const fhir::validation::Validator* validator, std::shared_ptr<const Spec> spec,
                                 fhir::validation::Policy policy)
    : definitions_(definitions), validator_(validator), mapper_(std::move(spec)), policy_(policy) {}

std::vector<Issue> AgencyConverter::errors(engine::Node&& tree, std::unique_ptr<fhir::model::Document>& bundle) const {
  fhir::model::ParseResult read = engine::read_tree(std::move(tree), definitions_);
  bundle = std::move(read.document);
  std::vector<Issue> found = std::move(read.issues);
  if (validator_ && bundle && bundle->root()) {
    fhir::validation::Options options;
    options.policy = policy_;
    auto more = validator_->validate(*bundle->root(), options);
    found.insert(found.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
  std::erase_if(found, [](const Issue& i) { return i.severity != Severity::Error && i.severity != Severity::Fatal; });
  return found;
}

std::set<RowRef> AgencyConverter::reject(const std::vector<Issue>& found, MappedExport& mapped, bool narrow) const {
  std::set<RowRef> invalid;
  for (const Issue& issue : found) {
    long entry = entry_of(issue.expression);
    std::string where = engine::source_of(mapped.sources, issue.expression);
    std::vector<RowRef> rows = entry >= 0 && static_cast<size_t>(entry) < mapped.entry_rows.size()
                                   ? mapped.entry_rows[static_cast<size_t>(entry)] : std::vector<RowRef>{};
    // One row too: the cell below the element that made it invalid (an exit's ExitDate, when
    // the episode's start is a stored record's, which no cell of the export gave).
    if (const RowRef* last = narrow && !rows.empty() ? culprit(mapped, issue.expression, rows, where) : nullptr)
      rows = {*last};
    for (const RowRef& row : rows) {
      invalid.insert(row);
      mapped.rejected.push_back({row, where.empty() ? row.first + " row " + std::to_string(row.second) : where, issue.message});
    }
    if (rows.empty()) {  // not traceable to a row: nothing can be taken, and the reason says so
      invalid.insert({"", 0});
      mapped.rejected.push_back({{"", 0}, issue.expression.empty() ? "the Bundle" : issue.expression, issue.message});
    }
  }
  return invalid;
}

// Maps the tables, then again without the rows that refer to a record of a row not taken
// (a client whose birth date is no date: its enrollments, then their exits and services),
// until no row does; each reason is kept in `reasons`. Rows still left so after as many
// rounds as the spec has tables refuse the whole upload.
MappedExport AgencyConverter::settled(const std::vector<csv::Table>& tables, std::set<RowRef>& excluded,
                                      std::vector<RowProblem>& reasons, const std::string& agency, bool trace,
                                      const Records* records, const Part* part) const {
  MappedExport mapped = mapper_.map(tables, excluded, agency, trace, records, part);
  for (size_t round = 0; round <= mapper_.spec().tables.size() && !mapped.dangling.empty(); ++round) {
    for (RowProblem& p : mapped.dangling) {
      excluded.insert(p.row);
      reasons.push_back(std::move(p));
    }
    mapped = mapper_.map(tables, excluded, agency, trace, records, part);
  }
  if (!mapped.dangling.empty()) {
    for (RowProblem& p : mapped.dangling) mapped.rejected_rows.insert(p.row);
    reasons.insert(reasons.end(), mapped.dangling.begin(), mapped.dangling.end());
    mapped.tree = engine::Node::object();
  }
  return mapped;
}

void AgencyConversion::add(AgencyConversion&& part) {
  ++parts;
  accepted_in_parts += part.accepted_rows();
  too_large = too_large || part.too_large;
  mapped.rows += part.mapped.rows;
  mapped.skipped += part.mapped.skipped;
  mapped.rejected_rows.insert(part.mapped.rejected_rows.begin(), part.mapped.rejected_rows.end());
  std::move(part.mapped.rejected.begin(), part.mapped.rejected.end(), std::back_inserter(mapped.rejected));
  // What each part says of the whole file (a column the mapping does not read) is said once.
  auto add_new = [](std::vector<std::string>& to, std::vector<std::string>& from) {
    std::set<std::string> said(to.begin(), to.end());
    for (std::string& s : from)
      if (said.insert(s).second) to.push_back(std::move(s));
  };
  add_new(mapped.warnings, part.mapped.warnings);
  add_new(file_errors, part.file_errors);
  if (!part.bundle) return;
  built_in_parts = true;
  for (const auto& [type, n] : part.mapped.resources) mapped.resources[type] += n;
  for (const auto& [type, n] : part.mapped.deleted) mapped.deleted[type] += n;
}

std::string counts_in_words(const std::map<std::string, size_t>& by_type) {
  std::string out;
  for (const auto& [type, n] : by_type) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + type;
  return out;
}

namespace {

// Why the mapped rows cannot be stored in one upload (they make more than `max_records`
// records), with the part size that could: "" when they can.
std::string beyond_limit(const MappedExport& mapped, size_t max_records) {
  std::map<std::string, size_t> by_type = mapped.resources;
  for (const auto& [type, n] : mapped.deleted) by_type[type] += n;
  size_t records = 0;
  for (const auto& [type, n] : by_type) records += n;
  if (max_records == 0 || records <= max_records) return {};
  size_t part = mapped.accepted() * max_records / records / 100 * 100;  // rows, rounded down to hundreds
  return "the rows make " + std::to_string(records) + " records (" + counts_in_words(by_type) + "); one upload stores at most " +
         std::to_string(max_records) + ", so nothing was stored: send the rows in parts" +
         (part ? " of at most about " + std::to_string(part) + " rows" : "");
}

}  // namespace

AgencyConversion AgencyConverter::convert(const std::vector<csv::Table>& tables, const std::string& agency,
                                          const Records* records, size_t max_records, const Part* part) const {
  AgencyConversion c;
  std::set<RowRef> excluded;
  std::vector<RowProblem> reasons;
  c.mapped = settled(tables, excluded, reasons, agency, trace_, records, part);
  if (std::string said = beyond_limit(c.mapped, max_records); !said.empty()) {
    c.file_errors.push_back(std::move(said));
    c.too_large = true;
    c.mapped.tree = engine::Node::object();
    return c;
  }
  // Each round leaves out the rows whose records do not validate, with the validator's reason,
  // and maps the others again: first only the row that made a record invalid (see culprit),
  // then every row of a record still invalid. What is invalid after that refuses the upload.
  for (int round = 0; c.mapped.built(); ++round) {
    std::unique_ptr<fhir::model::Document> bundle;
    // The Bundle becomes the document: its tree, read part by part, is freed as it goes (the
    // tree, its JSON and the document together were most of an export's memory).
    auto found = errors(std::move(c.mapped.tree), bundle);
    if (found.empty()) {
      c.bundle = std::move(bundle);
      break;
    }
    if (c.mapped.bundle.empty()) {  // untraced: traced again, to say where each problem comes from
      MappedExport traced = mapper_.map(tables, excluded, agency, true, records, part);
      c.mapped.sources = std::move(traced.sources);
      c.mapped.source_rows = std::move(traced.source_rows);
    }
    auto invalid = reject(found, c.mapped, round == 0);
    if (round == 2 || invalid.count({"", 0}) || mapper_.spec().whole_file) break;
    excluded.insert(invalid.begin(), invalid.end());
    for (const RowProblem& p : c.mapped.rejected) excluded.insert(p.row);
    reasons.insert(reasons.end(), c.mapped.rejected.begin(), c.mapped.rejected.end());
    c.mapped = settled(tables, excluded, reasons, agency, true, records, part);
    c.mapped.rejected.clear();  // every row it leaves out has its reason in `reasons`
  }
  c.mapped.rejected.insert(c.mapped.rejected.begin(), reasons.begin(), reasons.end());
  if (part && !part->context.empty()) {  // what the part that stores them found is said there
    std::erase_if(c.mapped.rejected, [&](const RowProblem& p) { return part->context.count(p.row) != 0; });
    std::erase_if(c.mapped.rejected_rows, [&](const RowRef& r) { return part->context.count(r) != 0; });
  }
  return c;
}

ReadExport AgencyConverter::read_files(const std::vector<std::pair<std::string, std::string>>& named_bytes,
                                      const csv::ReadLimits& limits) const {
  ReadExport read;
  for (const auto& [name, bytes] : named_bytes) {
    // A file that is one table named as no table of the spec is never read (it would be left
    // out after reading): an HSDS folder's datapackage.json is not a form, a README is not CSV.
    // A zip holds an export's files, a workbook its sheets: their tables have their own names.
    if (bytes.empty() || bytes == "\xEF\xBB\xBF") {  // nothing to export (some systems write no header then, or a BOM alone)
      read.unread.push_back(name + ": the file is empty; nothing was read from it");
      continue;
    }
    if (!std::string_view(bytes).starts_with("PK\x03\x04") && !mapper_.spec().table_for(name)) {
      read.unread.push_back(mapper_.unread(name));
      continue;
    }
    auto tables = csv::read_tables(bytes, name, limits);
    if (!tables) {
      read.errors.push_back(tables.message());  // it names the file
      continue;
    }
    for (auto& t : *tables) read.tables.push_back(std::move(t));
  }
  return read;
}

std::string ReadExport::too_many(const csv::ReadLimits& limits) const {
  size_t rows = 0;
  for (const auto& t : tables) rows += t.rows.size();
  if (rows <= limits.max_total_rows) return {};
  return "the files hold " + std::to_string(rows) + " rows together, more than the limit of " +
         std::to_string(limits.max_total_rows) + " for one upload: send them in parts";
}

AgencyConversion AgencyConverter::convert_files(const std::vector<std::pair<std::string, std::string>>& named_bytes,
                                                const std::string& agency, const csv::ReadLimits& limits,
                                                const Records* records) const {
  ReadExport read = read_files(named_bytes, limits);
  AgencyConversion c;
  if (std::string too_many = read.too_many(limits); !too_many.empty()) {  // refused before mapping: its cost grows with every row
    c.file_errors = std::move(read.errors);
    c.file_errors.push_back(std::move(too_many));
    return c;
  }
  c = convert(read.tables, agency, records, limits.max_records);
  c.file_errors.insert(c.file_errors.begin(), read.errors.begin(), read.errors.end());
  c.mapped.warnings.insert(c.mapped.warnings.begin(), read.unread.begin(), read.unread.end());
  return c;
}

}  // namespace carebridge::mappings::agency

// An agency format as data: one spec file per format (mappings/specs/NAME/spec.json, with
// the ConceptMaps it names beside it) says which columns the agency's files have (types,
// required or optional, allowed values, the codes that mean "no answer"), which FHIR
// resources each row becomes, with which values at which paths, how the resources refer
// to each other and to the records of other files, which identifiers make them land on
// the right record, and which security labels they carry. mappings/README.md explains the
// language for someone who knows the agency's data but not C++. A spec with a mistake (an
// unknown column, a path FHIR does not have, a missing ConceptMap) is refused when it is
// read, with its file and line.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/result.h"

namespace carebridge::mappings::agency {

// What a column's text is read as (and checked against).
// Id: an agency's identifier (any text); ResourceId: the id of a record on the gateway
// (FHIR's id: 1 to 64 letters, digits, '-' and '.'), which a literal reference names.
enum class ValueType { String, Integer, Decimal, Boolean, Date, DateTime, Time, Code, Phone, Zip, Email, Ssn, Id, ResourceId };

// A code translation: the agency's code (case-insensitive) to a FHIR code, from a
// ConceptMap beside the spec or from the column's own `values`. A target may hold only
// when another column of the row has a given value (a ConceptMap target's `dependsOn`:
// HMIS's TypeProvided means one thing for a bed night and another for an SSVF service).
struct CodeMap {
  struct Target {
    std::string system;  // "" for plain codes
    std::string code, display;
  };
  // Lower-cased source code, or "when|code" for a target that depends on another column
  // whose value is `when` (lower-cased) → the target.
  std::map<std::string, Target> targets;
  // The target of `value`, given the value of the column it depends on; null when none.
  const Target* translate(std::string_view value, std::string_view depends = {}) const;
  // Back: the agency's value for a target code, as first written in the map ("" when none).
  std::map<std::string, std::string> written;  // target code → the first source code, as written
  // For a person choosing: the first source code that is a word (Female, not F), else as written.
  std::map<std::string, std::string> worded;
  void note_written(const std::string& code, const std::string& source) {
    written.try_emplace(code, source);
    if (source.size() > 2) worded.try_emplace(code, source);
  }
  const std::string& word_for(const std::string& code) const {
    auto w = worded.find(code);
    return w != worded.end() ? w->second : written.at(code);
  }
};

// A condition on a row: every listed column has a value (`present`), each test holds (the
// column's value — a Code column: its code — is one of `in`; a date column's date is before
// today, `"is": "past"`, or after it, `"is": "future"`), every condition of `all` holds,
// none of `none` ("not") does and, when there are alternatives (`any`), at least one does.
struct Condition {
  struct Test {
    std::string column;
    std::vector<std::string> in;  // lower-cased
    std::string is;               // "past" or "future" (dates), instead of `in`
  };
  std::vector<std::string> present;
  std::vector<Test> tests;
  std::vector<Condition> all, any, none;
  uint32_t line = 0;
  std::string unknown;  // a key the spec gave that no condition has ("none" for "not"): a spec error
  bool empty() const { return present.empty() && tests.empty() && all.empty() && any.empty() && none.empty(); }
};

// A column whose value is not in its file but in a row of another table of the export:
// the row of `table` whose column `key` holds this row's value of `by`, and the value is
// that row's `column` (an Enrollment's project's organization, say). Columns are named by
// their keys. It reads as the column it takes its value from (type, codes). Without `key`
// and `by`, every row of the table matches (whether any organization of the export is a
// victim service provider).
struct Lookup {
  std::string table, key, by, column;
  std::vector<std::string> prefer;  // several rows match: a value listed here wins, the first most (lower-cased)
  std::string absent;               // the value when no row matches ("" unless the spec says)
  // The row found must have been taken (its table is mapped first): a row about a record
  // whose own row was not taken (an exit of a refused enrollment) is not taken either.
  bool taken = false;
  // The rows the looked-up table's `skip` skips (deleted records) are not read: a deleted
  // funder of a project says nothing about it. Without it they are (a visit can tell that its
  // person was deleted).
  bool live = false;
  // The value when the looked-up table's file was not sent at all ("unsent"; HMIS: without
  // Export.csv, a row's ExportID is taken as this export's and its HashStatus as "unsent").
  // Without it, a required lookup into a table not sent refuses the row.
  std::optional<std::string> unsent{};
  // A row whose `by` cell is empty finds the looked-up table's only record, when it has
  // exactly one ("onlyRow": an HMIS file without ExportIDs, in an export of one Export row).
  bool only_row = false;
  // A record the gateway holds that stands for a row the export does not send ("orStored":
  // the EpisodeOfCare of an enrollment an earlier export brought, for a delta's exit): the
  // record of `stored_type` whose identifier in the spec's system `stored_system` is the `by`
  // value. Found, it meets `required` and `taken`, the lookup reads `stored_value` (none: the
  // value stays empty) or, with `stored_path`, the record's element there (a delta's
  // re-sent enrollment reads its stored episode's end for the exit it does not send again),
  // the row's resources carry its security labels (unless "labels": false), and with
  // "extends" a resource of the row with the same identity starts from it. With "when", only
  // for rows that meet it (a delta's exit, not a full refresh's enrollment that has none).
  std::string stored_type{}, stored_system{}, stored_value{}, stored_path{};
  Condition stored_when{};
  bool stored_labels = true;
  bool stored_extends = false;
  bool whole_table() const { return key.empty() && by.empty(); }
  // Resolved when the spec is read: indexes in Spec::tables and in the tables' columns.
  size_t table_index = 0, key_index = 0, by_index = 0, column_index = 0;
};

// A column whose value is in the stored record a row changes (see ResourceSpec::merge): the
// client and the referral of the Task a status row names, say. `path` is a path of that
// resource ("for.reference").
struct Stored {
  std::string resource;  // the spec's id of the resource that is merged into its record
  std::string path;
  // What the stored value must be for the row to change the record (a template:
  // "Organization/{agency}", only the Task addressed to the sender), and why not, in plain
  // words; empty: anything.
  std::string expect, refusal;
};


struct Column {
  std::string name;                  // the header as the agency writes it (a lookup: a label)
  std::vector<std::string> aliases;  // other headers that mean the same column
  std::string key;                   // how the spec's templates name it: {key}
  ValueType type = ValueType::String;
  bool required = false;
  std::vector<std::string> missing;  // values that mean "no answer" (HMIS 8, 9, 99): never a value
  std::shared_ptr<const CodeMap> codes;  // allowed values and their codes (Code columns)
  std::string help;                  // for forms: what to write here
  std::string format;                // dates: "MDY" or "DMY" for 1/2/2024 (default MDY)
  bool past = false;                 // dates that cannot be ahead (a birth date): "1/5/28" is 1928
  // Dates: the column (key, often a lookup) whose date this one's should not be after (an
  // HMIS export's ExportEndDate), or before: one out of order is warned of, and left out when
  // `past`; a looked-up one is left out, without a word (its own row says it).
  std::string not_after, not_before;
  std::string depends_on;            // a code column: the column (key) whose value, as written, its codes depend on
  std::string depends_on_name;       // ... and that column's header, for messages
  std::string same_as;               // the column (key) whose value this one's must be when both have one
  std::optional<Lookup> lookup;      // taken from another table's row, not from the file
  std::optional<Stored> stored;      // taken from the stored record the row changes, not from the file
  // When the row meets this, the cell may hold a digest ("hashedWhen": an HMIS birth date in a
  // hashed export): a value that does not read as the column's type is left out, no problem.
  Condition hashed_when;
  // Answered only when the row meets this ("onlyWhen": HMIS's WhenOccurred only of a
  // survivor): a value without it is left out, with a warning saying `only_when_text`.
  Condition only_when;
  std::string only_when_text;  // "DomesticViolenceSurvivor is 1"
  std::string split;                 // several values in one cell, separated by this ("MO,TU"): each read alone
  // Numbers: the values that make sense ([-90, 90] for a latitude); one outside reads as
  // empty, with a warning naming the cell (the rest of the row is still taken).
  std::optional<std::pair<double, double>> range;
  // Codes: a value not on the list reads as empty, with a warning naming the cell, instead of
  // rejecting the row (`"unknown": "leave out"`: a code from a newer list loses the answer,
  // not the exit date or the whole project).
  bool unknown_left_out = false;
  // What an empty cell reads as, as the agency would write it ("default": "Unknown" for a
  // step's status that FHIR requires): the rest of the row is not lost for want of it.
  std::string fallback;
  // A record type (`"known": "Organization"`): the value is the id of such a record the
  // gateway knows, or the row is refused at this cell (a referral to an organization no one
  // would ever see). Mapped offline, nothing can say so, and it is not checked.
  std::string known;
  uint32_t line = 0;                 // where the spec defines it
};

// A split column's values as one text: each value read, joined by this separator
// (a path ending in [] gets one list item per value; elsewhere they read "a, b").
inline constexpr char kValueSeparator = '\x1f';

// One value the spec writes: a literal, a template of column values ("{first} {last}"),
// a reference to another resource of the row ("@patient") or of the file by its
// identifier ("@Patient:client:{PersonalID}"), or a code looked up in a column's map.
// An object ({"entity": "@patient"}) is built from its members, each a value of its own,
// and set whole (appending it to a list that already holds the same adds nothing).
// A join ({"join": ["{a|display}", "{b}"], "separator": ", "}) is the values of its parts
// that are not empty, separated.
struct ValueMember;

struct ValueSpec {
  enum class Kind { Literal, Template, Reference, Boolean, Number, Object, Join } kind = Kind::Template;
  std::string text;  // the literal, template or reference as written; a join's separator
  std::vector<ValueMember> members;  // Object: path within it → value; Join: its parts
  uint32_t line = 0;
  bool gather = false;  // a join ("gather": true): each row's text is added to what the element holds
};

// A member of an object value, or a part of a join (path empty). Its own type, not a
// std::pair, since clang 14 cannot instantiate a pair of a type still being defined.
struct ValueMember {
  std::string path;
  ValueSpec value;
};

struct Assignment {
  std::string path;  // resource_tree path: "name[0].given[]", "identifier[system=S].value"
  ValueSpec value;
};


// A meta.security label, carried by the resource whenever a row that meets `when` builds
// or adds to it.
struct SecurityLabel {
  std::string system, code;
  Condition when;
};

// The values an element may move between, as a state machine ({"requested": ["received",
// "accepted", ...]}): a row may set a value reachable from the current one (a status file
// says where a referral is now, not every step on the way), or the same value again.
struct Transitions {
  std::string path;  // "status"
  std::map<std::string, std::vector<std::string>> next;
  uint32_t line = 0;
  bool allows(const std::string& from, const std::string& to) const;
  // "received, accepted, rejected or cancelled" — what can follow `from` ("nothing" at an end).
  std::string following(const std::string& from) const;
};

struct ResourceSpec {
  std::string id;      // the spec's name for it ("patient"), for references
  std::string type;    // "Patient"
  Condition when;      // built only for rows that meet it
  std::string identity_system;  // the identifier that makes it land on the right record
  ValueSpec identity_value;
  bool identity_is_id = false;  // the identity is the record's id itself ({"id": "{task_id}"})
  // Changes the stored record (named by id) instead of replacing it: the row's values are
  // set on it, and a row whose record is not there (or not the agency's to see) is rejected.
  bool merge = false;
  // Written only when no record has its identity (`"update": "create"`, a conditional
  // create): a stored record's later life belongs to others (a referral's Task to the
  // organization that works it), so sending the file again never resets it.
  bool create_only = false;
  // Starts from the stored record with its identity when there is one (`"update": "extend"`):
  // what the row sets is set on it, a list's `[]` adds to what it holds, and the rest stays
  // (a household's members from earlier months); made new when there is none.
  bool extend = false;
  // A taken row that does not meet `when` deletes the stored record with the resource's
  // identity (`"otherwise": "delete"`): an answer an earlier export gave that a later one
  // withdraws (HMIS VeteranStatus 1 then 99) is not left standing as the record's answer.
  bool otherwise_delete = false;
  // `"itemsMoveBy": P`: a list item with an element id this record gains leaves the other
  // stored records of its type and system that hold it, found by search parameter P naming the
  // item's record (a membership moved to another household: Group?member=Patient/7).
  std::string items_move_by;
  std::optional<Transitions> transitions;  // a merged record's element that moves only so
  std::vector<Assignment> set;
  std::vector<SecurityLabel> security;
  bool confined = false;  // also labelled so that it never leaves the agency (VAWA)
  // A reference by identity to a record that is neither in the export nor stored is left
  // out, with a warning naming the cell (`"unresolved": "leave out"`), instead of refusing
  // the row: an optional link (a directory's parent organization) never costs the record.
  bool unresolved_left_out = false;
  uint32_t line = 0;
};

// A rule on a table's rows: a row that meets `when` is refused (or, with `skip`, makes
// nothing, with a warning; with `warn`, is taken with a warning), the reason told at the
// cell of `column` — a referral whose client's consent to share it is not on file, a
// schedule that is no longer current, a completed referral whose consent is withdrawn.
struct RowCheck {
  enum class Then : uint8_t { Refuse, Skip, Warn };
  Condition when;
  std::string column;  // key
  std::string reason;
  Then then = Then::Refuse;
  uint32_t line = 0;
};

// Rows with the same value of `key` give one record (a referral, a household, a directory
// entry): a later row whose value in one of `columns` (every column of the file when none
// are listed) differs from an earlier row's is refused as a conflicting duplicate, naming
// both rows — or, with `warn`, taken with a warning (the later value is kept).
struct Duplicates {
  std::string key;
  std::vector<std::string> columns;
  bool warn = false;
  uint32_t line = 0;
};

struct TableSpec {
  std::string name;                 // "intake", "Client"
  std::vector<std::string> files;   // file names it is read from ("Client.csv"); empty: any
  std::vector<Column> columns;
  Condition skip;                   // rows that produce nothing (HMIS: DateDeleted present)
  // What it means that no file of this table was sent, warned of when it is not (the
  // lookups' "unsent" values say what they read instead).
  std::string unsent;
  // "deletes": {"when": C, "resources": [ids]}: a row the table skips that meets C (every
  // skipped row, without one) deletes the stored records with the identities of those of its
  // resources (a client deleted in the agency's system, stored from an earlier export). A
  // record the upload builds again is kept, and one never stored is not named at all.
  // "dependents": [{"of": R, "type": T, "search": P, "system": S}]: the stored records of type
  // T whose search parameter P names the record of resource R the row deletes, and that carry
  // an identifier in S (records the format made), are deleted with it — what hangs off a
  // deleted client or enrollment that the upload does not send again (an HMIS delta). With
  // "then": "trim" such a record stays, without the list items that name the deleted one (a
  // household without the deleted client), and goes when nothing else is left in those lists.
  // "by": E searches by the record the deleted one's element E names (an enrollment's
  // "patient"), and "linked": U keeps only the records whose extension U names the deleted
  // one (an Observation's workflow-episodeOfCare): what no search parameter finds alone.
  struct Dependent {
    std::string of, type, search, system, then, by, linked;
  };
  struct Deletes {
    Condition when;
    std::vector<std::string> resources;
    uint32_t line = 0;
    std::vector<Dependent> dependents;
    bool names(const std::string& resource) const;
  };
  std::optional<Deletes> deletes;
  // "newest": {"key": K, "by": B}: rows sharing K are versions of one record, and only the one
  // with the latest B is read (versions.h; HMIS: a record's DateUpdated).
  std::string newest_key, newest_by;
  // "onePer": {"key": K, "when": C, "said": S}: of the rows taken that share K (an HMIS
  // household), exactly one meets C (its head); otherwise a warning, in S's words.
  struct OnePer {
    std::string key, said;
    Condition when;
  };
  std::optional<OnePer> one_per;
  std::vector<RowCheck> checks;
  std::vector<Duplicates> duplicates;
  std::vector<ResourceSpec> resources;
  const Column* column(std::string_view key) const;
};

struct Spec {
  std::string name, title, description;
  std::filesystem::path file;
  // Identifier systems by the spec's name for them; "{agency}" in one stands for the
  // organization whose data it is (each agency's client numbers are its own).
  std::map<std::string, std::string> systems;
  bool whole_file = false;  // one bad row rejects the file (else each bad row alone)
  // What the format's exporters write in a cell that has no value, read as empty in every
  // column ("empty": ["NULL"]: a SQL dump of an HMIS export), as each column's `missing`.
  std::vector<std::string> empty;
  std::vector<TableSpec> tables;
  // What one row is about, for rendering FHIR back into the format (empty: not renderable):
  // a resource the spec builds ("visit"), or a list in one ("plan.activity[]").
  std::string rows;

  const TableSpec* table_for(std::string_view file_name) const;
  // "file.json line 12: ..." for an issue at `line`.
  std::string where(uint32_t line) const;
};

// Reads a spec file; refuses it (every mistake with its line) when a column, a path, a
// resource type, a reference or a ConceptMap is wrong.
Result<Spec> load_spec(const std::filesystem::path& file, const fhir::definitions::Definitions& definitions);

// The specs shipped (every mappings/specs/*/spec.json), or those under $CAREBRIDGE_SPECS.
std::filesystem::path default_specs_dir();
Result<std::vector<std::shared_ptr<const Spec>>> load_specs(const std::filesystem::path& dir,
                                                            const fhir::definitions::Definitions& definitions);

}  // namespace carebridge::mappings::agency

// Records already stored, for a spec that updates them rather than making new ones: a
// community organization's status file names the referral Task by its id, and the row
// changes that Task (its status, with the allowed transitions only) and takes the
// client and the referral from it. At ingest the records are read through the FHIR
// service as the caller (a record the caller may not see is not there); `carebridge map`
// reads them from a Bundle file (--records), as a search of the server returned them.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "fhir/model/result.h"

namespace carebridge::mappings::agency {

class Records {
 public:
  virtual ~Records() = default;
  // The stored resource Type/id as FHIR JSON (with meta.versionId), or nothing.
  virtual std::optional<std::string> read(const std::string& type, const std::string& id) const = 0;
  // Whether a conditional reference ("Organization?identifier=S%7CV") names exactly one
  // stored record the sender may see; nothing when these records cannot tell (a Bundle of
  // records read by id).
  virtual std::optional<bool> resolves(const std::string& conditional_reference) const {
    (void)conditional_reference;
    return std::nullopt;
  }
  // The stored record a conditional reference ("EpisodeOfCare?identifier=S%7CV") names, as
  // FHIR JSON, when it names exactly one the sender may see; nothing otherwise.
  virtual std::optional<std::string> find(const std::string& conditional_reference) const {
    (void)conditional_reference;
    return std::nullopt;
  }
  // The records a search finds ("Encounter?subject=Patient/7&identifier=S%7C"), as a searchset
  // Bundle in FHIR JSON, as the sender may see them; nothing when these records cannot tell
  // (offline: what hangs off a deleted record is not found, and not deleted).
  virtual std::optional<std::string> search(const std::string& query) const {
    (void)query;
    return std::nullopt;
  }
  // Whether the sender may delete records of this type (a deleted row's record: TableSpec::
  // deletes); nothing when these records cannot tell (offline: the Bundle says what to do).
  virtual std::optional<bool> may_delete(const std::string& type) const {
    (void)type;
    return std::nullopt;
  }
  // Whether the gateway knows a record Type/id (an Organization: stored, or the organization
  // of someone registered to send); nothing when these records cannot tell.
  virtual std::optional<bool> knows(const std::string& type, const std::string& id) const {
    (void)type, (void)id;
    return std::nullopt;
  }
};

// Records from a Bundle (a searchset, collection or any other): each entry's resource by
// its type and id.
class BundleRecords : public Records {
 public:
  static Result<BundleRecords> from_json(std::string_view json);
  static Result<BundleRecords> from_file(const std::filesystem::path& file);
  std::optional<std::string> read(const std::string& type, const std::string& id) const override;
  // By an identifier the record holds ("Type?identifier=S%7CV").
  std::optional<std::string> find(const std::string& conditional_reference) const override;

 private:
  std::map<std::string, std::string> resources_;  // "Type/id" → JSON
  std::map<std::string, std::string> by_identifier_;  // "Type?identifier=S%7CV" → "Type/id" 
};

}  // namespace carebridge::mappings::agency

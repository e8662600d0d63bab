// POST /ingest/{mapping} for agency formats: a CSV, XLSX or form (JSON) body through the
// mapping spec of that name (mappings/specs/), then — unless ?dry-run=true — its Bundle
// through the FHIR service as the caller, on the one write path (authorization, consent,
// audit, subscriptions). The answer is a report a volunteer's page or an integrator can
// show as it is: rows read, taken, making nothing, not taken — each with its row, column
// and reason in plain words — the resources made by type, and the transaction-response
// Bundle. The caller's organization is the {agency} of the spec's identifier systems.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "gateway/http/message.h"
#include "gateway/rest/write_path.h"
#include "mappings/agency/conversion.h"

namespace carebridge::gateway::rest {
class FhirService;
}

namespace carebridge::gateway::ingest {

class AgencyIngest {
 public:
  AgencyIngest(rest::FhirService& service, std::map<std::string, std::shared_ptr<const mappings::agency::AgencyConverter>> converters,
               std::string base_path);

  bool knows(const std::string& mapping) const { return converters_.count(mapping) != 0; }
  // The formats each organization may send (config agency_formats; one not listed: all).
  void set_formats(std::map<std::string, std::vector<std::string>> formats) { formats_ = std::move(formats); }
  // Says whether an id is an organization the gateway knows without a stored record of it
  // (its registered clients' and people's): a referral may be addressed to one.
  void set_organizations(std::function<bool(const std::string&)> registered) { organizations_ = std::move(registered); }
  bool may_use(const rest::Caller& who, const std::string& mapping) const;
  // The names of the mappings it takes.
  std::vector<std::string> mappings() const;
  // Takes `request`'s body for `mapping` (the file's name from ?file= or Content-Disposition).
  http::Response ingest(const std::string& mapping, const http::Request& request, const rest::Caller& who) const;

  // For the pages: checks named files against `mapping` as `who` (the stored records a
  // status file changes are read as `who`; `context` gives the address and TLS of the
  // person's request), and stores a checked conversion's Bundle as `who` (the
  // transaction-response).
  mappings::agency::AgencyConversion check(const std::string& mapping,
                                           const std::vector<std::pair<std::string, std::string>>& files,
                                           const rest::Caller& who, const http::Request& context) const;
  // With `minimal`, the transaction-response's entries say what became of each record without
  // the record (Prefer: return=minimal): an upload in parts answers for every part at once.
  http::Response save(const mappings::agency::AgencyConversion& checked, const rest::Caller& who,
                      const http::Request& context, bool minimal = false) const;
  // An upload converted and, unless a dry run, stored in parts of at most one transaction each
  // (mappings/agency/parts.h); one part when it fits. A part that cannot be stored stops the rest.
  struct Stored {
    mappings::agency::AgencyConversion conversion;  // the parts' conversions added up
    std::vector<std::string> responses;             // each stored part's transaction-response
    unsigned status = 200;                          // the last store's status
    size_t count = 0, stored = 0;                   // parts, and parts stored
    // The stored parts' transaction-responses as one (each part's entries, in order).
    std::string transaction() const;
  };
  Stored store_in_parts(const std::string& mapping, const std::vector<std::pair<std::string, std::string>>& files,
                        const rest::Caller& who, const http::Request& context, bool dry_run) const;
  // The spec of a mapping it takes (null when none).
  const mappings::agency::Spec* spec(const std::string& mapping) const;

 private:
  // `convert` with the stored records as `who` sees them, one of at most two conversions at once.
  mappings::agency::AgencyConversion converted(
      const std::function<mappings::agency::AgencyConversion(const mappings::agency::Records&)>& convert,
      const rest::Caller& who, const http::Request& context) const;

  rest::FhirService& service_;
  std::map<std::string, std::shared_ptr<const mappings::agency::AgencyConverter>> converters_;
  std::string base_path_;
  std::map<std::string, std::vector<std::string>> formats_;
  std::function<bool(const std::string&)> organizations_;
};

}  // namespace carebridge::gateway::ingest

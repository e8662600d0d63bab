// The security layer a server runs with (gateway/security): registered clients and
// the token service, care relationships and Consents kept current by commit hooks,
// the labelling rules, the access policy, and the audit trail.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "fhir/definitions/definitions.h"
#include "gateway/config/config.h"
#include "gateway/security/access_policy.h"
#include "gateway/security/audit.h"
#include "gateway/security/clients.h"
#include "gateway/security/consent_index.h"
#include "gateway/security/labels.h"
#include "gateway/security/token_service.h"
#include "gateway/store/sqlite_store.h"

namespace carebridge::app {

struct Security {
  std::unique_ptr<gateway::security::ClientRegistry> clients;
  std::unique_ptr<gateway::security::TokenService> tokens;
  std::shared_ptr<gateway::security::CareRelationships> relationships;
  std::shared_ptr<gateway::security::ConsentIndex> consents;
  std::shared_ptr<gateway::security::LabelRules> labels;
  std::unique_ptr<gateway::security::AccessPolicy> access;
  std::unique_ptr<gateway::security::AuditTrail> audit;  // made once the service's extractor exists
};

// Sets up everything but the audit trail; nullptr (after saying why on standard error)
// when a part cannot be read.
std::unique_ptr<Security> set_up_security(const gateway::config::Config& config,
                                          const std::filesystem::path& definitions_dir,
                                          const fhir::definitions::Definitions& definitions,
                                          const fhir::search::SearchRegistry& registry,
                                          gateway::store::SqliteStore& store);

// The store's database file in a data folder (where clients are registered too).
std::string database_path(const std::string& data_dir);

// For the commands that manage clients and users: the database of the data folder that
// --data-dir names, or the config file's (--config), with the store's tables made; nothing
// (having said why, prefixed with `command`) when it cannot be opened.
std::optional<std::string> command_database(const std::string& data_dir, const std::string& config_file,
                                            const std::string& command);

}  // namespace carebridge::app

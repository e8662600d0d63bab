// After an upgrade: the labels and access facts of every stored record as this build gives
// them. A data folder written by an older build (or under other labelling rules) keeps the
// facts that build computed until each record is written again: raw v2 messages readable by
// every organization, an HIV result's older versions open. At start-up, when the facts'
// fingerprint (this build's rules version and the labelling rules file) differs from the one
// the folder records, every current record is written again where its facts changed, before
// the gateway serves anyone.
#pragma once

#include <filesystem>

#include "fhir/definitions/definitions.h"
#include "gateway/rest/write_path.h"
#include "gateway/store/store.h"

namespace carebridge::app {

// Returns false (after saying why on stderr) when a record could not be written again: the
// gateway must not serve with facts it knows to be stale.
bool refresh_access_facts(const std::filesystem::path& data_dir, gateway::store::Store& store,
                          gateway::rest::WritePath& writes, const fhir::definitions::Definitions& definitions,
                          const std::filesystem::path& labeling_rules);

}  // namespace carebridge::app

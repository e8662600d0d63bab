// A resource's search-index rows packed into one blob, kept beside its current
// version: an update deletes exactly the rows the previous version wrote (the index
// tables need no second index by resource), and `_include` reads a resource's
// references without touching the index tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/store.h"

namespace carebridge::gateway::store {

std::string pack_index(const std::vector<IndexEntry>& rows);
// The rows of a blob pack_index wrote; throws std::runtime_error when it is damaged.
std::vector<IndexEntry> unpack_index(std::string_view blob);

}  // namespace carebridge::gateway::store

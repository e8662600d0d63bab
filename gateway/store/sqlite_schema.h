// The store's schema: created in a new database, checked in an existing one (a database
// another build wrote is refused), with the query planner's statistics written once.
#pragma once

#include <cstdint>
#include <string>

#include "gateway/store/sqlite_connection.h"

namespace carebridge::gateway::store {

// Creates the schema in a new database; refuses a database of another schema version.
void open_schema(Connection& db, const std::string& path);

// The first column of the first row of `sql` as an integer (0 when no row).
int64_t single_integer(Connection& db, const std::string& sql);

}  // namespace carebridge::gateway::store

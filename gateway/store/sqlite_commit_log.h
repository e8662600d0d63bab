// The SQLite commit log: what commit hooks append (commit_hooks.h), buffered while a
// transaction applies its writes and stored when it commits as one row per log (a
// group of many commits costs one insert per log, not one per record), keyed by the
// log and the first record's sequence number.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/commit_hooks.h"
#include "gateway/store/sqlite_connection.h"

namespace carebridge::gateway::store {

class SqliteCommitLog final : public CommitLog {
 public:
  // `writer` is the connection whose transactions the records go with.
  explicit SqliteCommitLog(Connection& writer) : db_(writer) {}

  // Buffers a record and gives it its log's next sequence number.
  int64_t append(std::string_view log, std::string_view record) override;
  // Stores the buffered records, inside the open transaction, just before it commits.
  void write();
  // Forgets the buffered records (their transaction rolled back) and gives their numbers
  // out again, so that a log's numbers have no gaps (subscription event numbers are these).
  void discard();

  // The records of `log` after sequence number `after`, oldest first, at most `limit`.
  static std::vector<LogRecord> read(Connection& db, std::string_view log, int64_t after, size_t limit);

 private:
  struct Pending {
    int64_t first_seq = 0;
    std::string packed;  // each record as a 4-byte little-endian length and its bytes
  };
  Connection& db_;
  std::map<std::string, Pending, std::less<>> pending_;
  std::map<std::string, int64_t, std::less<>> next_seq_;

  int64_t next_seq(std::string_view log);
};

}  // namespace carebridge::gateway::store

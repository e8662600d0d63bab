// The write log: one record per stored version, written by a commit hook in the
// transaction that stores the version, so it holds exactly the writes that were
// made durable, in commit order, across restarts. Subscriptions and audit read it
// to learn what changed since the sequence number they last saw.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/store.h"

namespace carebridge::gateway::store {

inline constexpr std::string_view kWriteLog = "write";

struct WriteLogEntry {
  int64_t seq = 0;
  std::string type, id;
  int64_t version = 0;
  std::string interaction;  // create, update, delete
  std::string time;         // the version's meta.lastUpdated
};

class WriteLog final : public CommitHook {
 public:
  Result<void> on_write(const WriteEvent& event, CommitLog& log) override;
};

// The entries after sequence number `after`, oldest first, at most `limit`.
Result<std::vector<WriteLogEntry>> read_write_log(Store& store, int64_t after, size_t limit);

}  // namespace carebridge::gateway::store
